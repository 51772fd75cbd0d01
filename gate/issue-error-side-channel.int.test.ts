import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gate } from './index.ts';
import { gateFixture, ORG_B_ONLY_PATIENTS, type TestCtx } from './testing/fixture.ts';

// Regression (issue 13, B1): DuckDB pushed a caller's predicate below the row policy, so a
// function that raises (json_extract here) ran on rows the clinician may not see, and "error or
// not" told them whether a hidden row matched. The gate now puts a barrier between the policy and
// the caller's expressions: hidden rows cannot change the outcome.

let gate: Gate<TestCtx>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const clinician: TestCtx = { role: 'clinician', org: 'orgA' };

async function outcome(sql: string): Promise<string> {
  try {
    return JSON.stringify((await gate.governedSql(sql, clinician)).rows);
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

it('a raising predicate aimed at a hidden row answers as one aimed at no row at all', async () => {
  const probe = (rel: string, id: string) =>
    `SELECT count(*) FROM ${rel} WHERE json_extract(CASE WHEN id = '${id}' THEN 'x' ELSE '1' END, '$') IS NOT NULL`;
  const nobodyPatients = await outcome(probe('patients', 'nobody'));
  const nobodyEncounters = await outcome(probe('encounters', 'nobody'));
  expect(nobodyPatients).toBe('[[40]]');
  for (const id of ORG_B_ONLY_PATIENTS) expect(await outcome(probe('patients', id))).toBe(nobodyPatients);
  // e1, e2 are orgB's encounters; e0 is orgA's and visible, so aiming at it does raise.
  for (const id of ['e1', 'e2', 'e301'])
    expect(await outcome(probe('encounters', id))).toBe(nobodyEncounters);
  expect(await outcome(probe('encounters', 'e0'))).toBe('error SQL_FAILED');
});
