import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { Gate } from './index.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Regression (issue 13, also found): harmless statements were refused. `x IS NOT TRUE` printed
// back as a comparison with `true`, which parses as another tree, so the gate "could not verify"
// it; a PIVOT without an IN list was called a write. IS [NOT] TRUE / FALSE now run, PIVOT and
// UNPIVOT run through the policies, a PIVOT without values gets a refusal that says what to
// write, and statements that write are refused as before.

let gate: Gate<TestCtx>;
let lake: Lakehouse;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, lake, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const clinician: TestCtx = { role: 'clinician', org: 'orgA' };
const rows = async (sql: string) => (await gate.governedSql(sql, clinician)).rows;
/** The same question over the rows a clinician of orgA may see, written by hand on the lake. */
const orgA = async (where: string) =>
  (await lake.query(`SELECT count(*) FROM lake.main.encounters WHERE organization = 'orgA' AND (${where})`))
    .rows;

async function refusal(sql: string): Promise<string> {
  const err = await gate.governedSql(sql, clinician).catch((e: unknown) => e);
  expect(hasCode(err, 'SQL_REFUSED'), sql).toBe(true);
  return (err as Error).message;
}

describe('IS [NOT] TRUE / FALSE', () => {
  it.each([
    ["(cost > 100 AND patient <> 'p3') IS NOT TRUE", "NOT coalesce(cost > 100 AND patient <> 'p3', false)"],
    ['(cost > 100) IS TRUE', 'coalesce(cost > 100, false)'],
    ['cost > 100 IS FALSE', 'NOT coalesce(cost > 100, true)'],
    ['(cost > 100 OR cost < 5) IS NOT FALSE', 'coalesce(cost > 100 OR cost < 5, true)'],
    ['(NULL::BOOLEAN AND cost > 0) IS NOT TRUE', 'NOT coalesce(NULL::BOOLEAN AND cost > 0, false)'],
  ])('%s', async (predicate, reference) => {
    const got = await rows(`SELECT count(*) FROM encounters WHERE ${predicate}`);
    expect(got).toEqual(await orgA(reference));
    // In the select list and in a join condition too.
    await rows(`SELECT ${predicate} AS v FROM encounters`);
    await rows(`SELECT count(*) FROM encounters e JOIN patients p ON e.patient = p.id AND ${predicate}`);
  });
});

describe('PIVOT and UNPIVOT', () => {
  it('run when they name their values, over the caller’s rows only', async () => {
    const byPatient = await rows(
      "PIVOT encounters ON organization IN ('orgA', 'orgB') USING count(*) GROUP BY patient ORDER BY patient",
    );
    expect(byPatient.length).toBeGreaterThan(0);
    // orgB's encounters are not the clinician's: its column counts nothing.
    for (const r of byPatient) expect(Number(r[2])).toBe(0);
    const total = byPatient.reduce((n, r) => n + Number(r[1]), 0);
    expect([[total]]).toEqual(await orgA('true'));
    expect(
      await rows(
        "SELECT * FROM (SELECT organization FROM encounters) PIVOT (count(*) FOR organization IN ('orgA', 'orgB'))",
      ),
    ).toEqual([[total, 0]]);
    expect(
      await rows("SELECT * FROM (PIVOT encounters ON organization IN ('orgA') USING sum(cost)) LIMIT 5"),
    ).toHaveLength(5);
  });

  it('UNPIVOT runs in both spellings', async () => {
    const long = await rows(
      'UNPIVOT (SELECT id, cost, cost * 2 AS doubled FROM encounters) ON cost, doubled INTO NAME k VALUE v',
    );
    expect(long.length).toBe(2 * Number((await orgA('true'))[0]![0]));
    const std = await rows(
      'SELECT count(*) FROM (SELECT id, cost, cost * 2 AS doubled FROM encounters) UNPIVOT (v FOR k IN (cost, doubled))',
    );
    expect(Number(std[0]![0])).toBe(long.length);
  });

  it('a PIVOT without values is refused with what to write, not as a write', async () => {
    for (const sql of [
      'PIVOT encounters ON organization USING sum(cost)',
      'SELECT * FROM (PIVOT encounters ON organization USING count(*) GROUP BY patient)',
    ]) {
      const message = await refusal(sql);
      expect(message).toMatch(/must list the values/);
      expect(message).not.toMatch(/change or configure/);
    }
  });

  it('statements that write stay refused, pivots among them', async () => {
    for (const sql of [
      "CREATE TABLE t AS PIVOT encounters ON organization IN ('orgA') USING count(*)",
      "CREATE TYPE orgs AS ENUM ('orgA', 'orgB')",
      'CREATE TEMP TABLE t AS SELECT * FROM encounters',
      "INSERT INTO encounters VALUES ('x', 'p0', 'orgA', 1)",
      "COPY (PIVOT encounters ON organization IN ('orgA') USING count(*)) TO '/tmp/x.csv'",
      'SET threads = 1',
      'UPDATE encounters SET cost = 0 WHERE (cost > 1) IS TRUE',
    ]) {
      expect(await refusal(sql)).toMatch(/Only SELECT statements are allowed|could not be parsed/);
    }
  });
});
