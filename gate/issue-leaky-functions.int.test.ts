import { afterAll, beforeAll, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { Gate } from './index.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Regression: scalar functions on the allowlist that leak. `stats(cost)` printed the min/max of the
// whole base column (orgB's encounters included) to a clinician of orgA; `json_serialize_plan`
// binds SQL text it is given, outside the gate; `getvariable`, `get_block_size` and `vector_type`
// read session or storage state.

let gate: Gate<TestCtx>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

it('refuses functions that reveal storage statistics, session state or bind other SQL', async () => {
  for (const sql of [
    'SELECT stats(cost) FROM encounters',
    'SELECT stats(name) FROM patients',
    "SELECT json_serialize_plan('SELECT * FROM lake.main.patients')",
    "SELECT getvariable('x')",
    "SELECT get_block_size('lake')",
    'SELECT vector_type(name) FROM patients',
  ]) {
    const err = await gate.governedSql(sql, { role: 'clinician', org: 'orgA' }).catch((e: unknown) => e);
    expect(hasCode(err, 'SQL_REFUSED'), sql).toBe(true);
    expect((err as Error).message).toMatch(/is not allowed in governed SQL/);
  }
});
