import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gate } from './index.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Regressions in the gate's own round trip through JSON:
// - numbers JavaScript cannot hold exactly were altered (`SELECT 9007199254740993` answered
//   9007199254740992) or broke deserialisation with a raw engine error (HUGEINT literals, the
//   DOUBLE in `TABLESAMPLE 50%`);
// - list, struct and row literals (`[1, 2]`, `{'a': 1}`), which the parser spells as
//   `main.list_value(…)`, were refused as "called through a schema", and scalar `unnest` was refused.

let gate: Gate<TestCtx>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const admin: TestCtx = { role: 'admin' };

it('keeps every number literal exactly as written', async () => {
  const r = await gate.governedSql(
    'SELECT 9007199254740993 AS big, 170141183460469231731687303715884105727 AS huge, -9223372036854775808 AS low',
    admin,
  );
  expect(r.rows).toEqual([
    ['9007199254740993', '170141183460469231731687303715884105727', '-9223372036854775808'],
  ]);
  const sample = await gate.governedSql('SELECT count(*) <= 45 FROM patients TABLESAMPLE 50%', admin);
  expect(sample.rows).toEqual([[true]]);
});

it('accepts list, struct and row literals and unnest', async () => {
  const r = await gate.governedSql(
    "SELECT [1, 2] AS l, {'a': 1} AS s, list_transform([1], x -> x + 1) AS t, map([1], [2]) AS m",
    admin,
  );
  expect(r.rows).toEqual([[[1, 2], { a: 1 }, [2], [{ key: 1, value: 2 }]]]);
  const u = await gate.governedSql("SELECT unnest(['a', 'b']) AS v ORDER BY v", admin);
  expect(u.rows).toEqual([['a'], ['b']]);
});

it('still refuses functions named through another schema or catalog', async () => {
  for (const sql of [
    "SELECT pg_catalog.upper('x')",
    "SELECT system.main.upper('x')",
    'SELECT lake.main.f(1)',
  ]) {
    await expect(gate.governedSql(sql, admin), sql).rejects.toMatchObject({ code: 'SQL_REFUSED' });
  }
});
