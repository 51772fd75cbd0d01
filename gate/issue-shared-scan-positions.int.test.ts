import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { Gate } from './index.ts';
import { SHARED_SCAN_PREFIX } from './shared-scans.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Regression: a shared policy scan keeps only some of the table's columns, so a statement that
// reads columns by position read other columns than it asked for. `SELECT #5 FROM encounters e
// JOIN patients p …` answered the patient's name instead of p.id (the fifth column of the FROM
// when encounters shows its four columns). Positional reads (`#n`, `relation AS e(a, b, …)`) now
// keep their own scans.

let gate: Gate<TestCtx>;
let lake: Lakehouse;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, lake, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const clinician: TestCtx = { role: 'clinician', org: 'orgA' };
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

it('reads the columns a positional reference names, shared or not', async () => {
  const cases: Array<[string, string]> = [
    [
      'SELECT #5 FROM encounters e JOIN patients p ON e.patient = p.id',
      `SELECT p.id FROM lake.main.encounters e JOIN lake.main.patients p ON e.patient = p.id WHERE e.organization = 'orgA'`,
    ],
    [
      'SELECT e.d, e.b FROM encounters e(a, b, c, d) JOIN patients p ON e.b = p.id',
      `SELECT e.cost, e.patient FROM lake.main.encounters e JOIN lake.main.patients p ON e.patient = p.id WHERE e.organization = 'orgA'`,
    ],
  ];
  for (const [sql, byHand] of cases) {
    const r = await gate.governedSql(sql, clinician);
    const expected = await lake.query(byHand);
    expect(expected.rows.length).toBe(100);
    expect(sorted(r.rows), sql).toEqual(sorted(expected.rows));
    expect(r.sqlExecuted, sql).not.toContain(SHARED_SCAN_PREFIX);
  }
});
