import { afterAll, beforeAll, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { Gate } from './index.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Regression: a FROM name that matched any CTE name anywhere in the statement was waved through
// unchecked. Out of the CTE's scope (or before its definition) DuckDB then bound it to the system
// views on the search path, so `pg_settings`, `duckdb_tables`, `duckdb_databases` (with the lake's
// paths) and `sqlite_master` answered. CTEs are now renamed to internal names that no catalog holds.

let gate: Gate<TestCtx>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const clinician: TestCtx = { role: 'clinician', org: 'orgA' };

it('does not let an out-of-scope CTE name reach a system view', async () => {
  for (const sql of [
    'SELECT * FROM (WITH pg_settings AS (SELECT 1 AS a) SELECT 1) q, pg_settings',
    'SELECT * FROM (WITH duckdb_databases AS (SELECT 1 AS a) SELECT 1) q, duckdb_databases',
    'WITH a AS (SELECT * FROM sqlite_master), sqlite_master AS (SELECT 1 AS x) SELECT * FROM a',
  ]) {
    const err = await gate.governedSql(sql, clinician).catch((e: unknown) => e);
    expect(hasCode(err, 'SQL_FAILED'), sql).toBe(true);
    expect((err as Error).message).toMatch(/WITH name is used outside/);
  }
});

it('still resolves CTEs in scope, nested, shadowed, recursive and by qualified column', async () => {
  const one = async (sql: string) => (await gate.governedSql(sql, clinician)).rows;
  expect(
    await one('WITH x AS (SELECT * FROM encounters) SELECT x.organization, count(*) FROM x GROUP BY ALL'),
  ).toEqual([['orgA', 100]]);
  expect(
    await one('WITH x AS (SELECT 1 AS a) SELECT * FROM (WITH x AS (SELECT 2 AS a) SELECT a FROM x)'),
  ).toEqual([[2]]);
  expect(await one('WITH a AS (SELECT 1 AS v), b AS (SELECT v + 1 AS v FROM a) SELECT b.v FROM b')).toEqual([
    [2],
  ]);
  expect(
    await one(
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT sum(n) FROM r',
    ),
  ).toEqual([[10]]);
  expect(await one('WITH m AS MATERIALIZED (SELECT * FROM patients) SELECT count(*) FROM m')).toEqual([[40]]);
});
