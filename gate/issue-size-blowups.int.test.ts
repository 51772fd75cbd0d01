import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gate } from './index.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Regression: functions whose output size is an argument build their value in one call, which the
// timeout cannot interrupt and the memory limit does not count. `SELECT len(range(300000000))`
// took 19 GB and ran ~100 s past a 2 s timeout; nested repeat() took 6 GB. The sizes below sit just
// over the caps, so that were the guard to regress, this test would still be cheap to run.

let gate: Gate<TestCtx>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const analyst: TestCtx = { role: 'analyst' };

it('refuses size arguments that are not small literals', async () => {
  for (const sql of [
    'SELECT len(range(10001))',
    'SELECT len(generate_series(1, 10001))',
    'SELECT len(range(0, 100000, 9))',
    'SELECT range(cost::BIGINT) FROM encounters',
    "SELECT range(DATE '2020-01-01', DATE '2021-01-01', INTERVAL 1 DAY)",
    'SELECT len(list_resize([1], 10001))',
    'SELECT len(array_resize([1], cost::INT)) FROM encounters',
    "SELECT length(repeat('x', 10001))",
    "SELECT length(repeat(repeat('x', 10), 10))",
    'SELECT length(repeat(id, 2)) FROM encounters',
    "SELECT length(lpad('x', 10001, 'y'))",
    "SELECT length(rpad(id, cost::INT, 'y')) FROM encounters",
    'SELECT equi_width_bins(0, 10, 10001, false)',
    'SELECT bar(cost, 0, 500, 1001) FROM encounters',
  ]) {
    await expect(gate.governedSql(sql, analyst), sql).rejects.toMatchObject({
      code: 'SQL_REFUSED',
      exitCode: 3,
    });
  }
});

it('answers the everyday, small uses', async () => {
  const r = await gate.governedSql(
    `SELECT range(3) AS r, generate_series(1, 3) AS g, range(10, 0, -4) AS d, len(range(10000)) AS n,
            lpad('7', 3, '0') AS p, repeat('ab', 2) AS t, len(list_resize([1], 3)) AS l`,
    analyst,
  );
  expect(r.rows).toEqual([[['0', '1', '2'], ['1', '2', '3'], ['10', '6', '2'], 10000, '007', 'abab', 3]]);
});
