import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { Gate } from './index.ts';
import { CANARY_SSN, gateFixture, type TestCtx } from './testing/fixture.ts';

let gate: Gate<TestCtx>;
let lake: Lakehouse;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, lake, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const clinicianA: TestCtx = { role: 'clinician', org: 'orgA' };
const analyst: TestCtx = { role: 'analyst' };

describe('governed SQL', () => {
  it('answers a plain SELECT with the caller’s rows only', async () => {
    const r = await gate.governedSql(
      'SELECT organization, count(*) AS n FROM encounters GROUP BY ALL',
      clinicianA,
    );
    expect(r.rows).toEqual([['orgA', 100]]);
    expect(r.columns).toEqual([
      { name: 'organization', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
    ]);
    expect(r.truncated).toBe(false);
    expect(r.relations).toEqual(['encounters']);
    expect(r.sqlExecuted).toContain("organization = 'orgA'");
  });

  it('filters through joins, subqueries, CTEs and set operations', async () => {
    const queries = [
      'SELECT count(*) FROM encounters e JOIN patients p ON e.patient = p.id',
      'SELECT count(*) FROM (SELECT * FROM encounters) x',
      'WITH x AS (SELECT * FROM encounters) SELECT count(*) FROM x',
      'SELECT count(*) FROM (SELECT id FROM encounters UNION ALL SELECT id FROM encounters WHERE false)',
      'SELECT count(*) FROM encounters WHERE patient IN (SELECT id FROM patients)',
      'SELECT count(*) FROM encounters QUALIFY row_number() OVER () = 1',
    ];
    for (const q of queries) {
      const r = await gate.governedSql(q, clinicianA);
      expect(r.rows, q).toEqual([[100]]);
    }
  });

  it('truncates at the row cap and says so', async () => {
    const r = await gate.governedSql('SELECT * FROM encounters', { role: 'admin' }, { maxRows: 10 });
    expect(r.rows.length).toBe(10);
    expect(r.truncated).toBe(true);
  });

  it('keeps masked columns masked when filtered, grouped or ordered on', async () => {
    const r = await gate.governedSql(
      `SELECT zip, count(*) FROM patients WHERE birthdate >= DATE '1950-01-01' AND zip LIKE '0%' GROUP BY zip ORDER BY zip`,
      analyst,
    );
    for (const row of r.rows) expect(String(row[0]).length).toBe(3);
    const names = await gate.governedSql('SELECT count(*) FROM patients WHERE name IS NOT NULL', analyst);
    expect(names.rows).toEqual([[0]]);
  });

  it('refuses a column the policy removed', async () => {
    const err = await gate.governedSql('SELECT ssn FROM patients', analyst).catch((e: unknown) => e);
    expect(hasCode(err, 'SQL_FAILED')).toBe(true);
    expect(JSON.stringify(err)).not.toContain(CANARY_SSN);
  });

  it('refuses, with a reason, statements that are not a plain governed read', async () => {
    const refused: Array<[string, RegExp]> = [
      ['DELETE FROM encounters', /Only SELECT/],
      ["SELECT * FROM read_csv('/etc/passwd')", /Table functions/],
      ['SELECT * FROM lake.main.encounters', /without a catalog or schema/],
      ["SELECT getenv('HOME')", /not allowed/],
      ['SELECT 1; SELECT 2', /exactly one/],
      ['SELECT * FROM duckdb_tables()', /Table functions/],
      ['SELECT * FROM information_schema.tables', /without a catalog or schema/],
      ["SELECT * FROM 'data.csv'", /Files and paths/],
      ['WITH encounters AS (SELECT 1) SELECT * FROM encounters', /reuse the name/],
      ['DESCRIBE encounters', /DESCRIBE/],
      ['SELECT * FROM secret_table', /not a governed relation/],
    ];
    for (const [sql, reason] of refused) {
      const err = await gate.governedSql(sql, clinicianA).catch((e: unknown) => e);
      expect(hasCode(err, 'SQL_REFUSED'), sql).toBe(true);
      expect((err as Error).message, sql).toMatch(reason);
      expect((err as { exitCode: number }).exitCode).toBe(3);
    }
  });

  it('withholds values from engine errors, even of rows the policy removes', async () => {
    const err = await gate
      .governedSql(`SELECT count(*) FROM patients WHERE CAST(name AS INTEGER) > 0`, {
        role: 'clinician',
        org: 'orgB',
      })
      .catch((e: unknown) => e);
    expect(hasCode(err, 'SQL_FAILED')).toBe(true);
    expect((err as Error).message).not.toMatch(/Name|Canary/);
  });

  it('interrupts a runaway statement', async () => {
    const err = await gate
      .governedSql(
        'SELECT count(*) FROM encounters a, encounters b, encounters c, encounters d, encounters e',
        {
          role: 'admin',
        },
      )
      .catch((e: unknown) => e);
    expect(hasCode(err, 'SQL_TIMEOUT')).toBe(true);
    expect((await gate.governedSql('SELECT 1 AS one', { role: 'admin' })).rows).toEqual([[1]]);
  });

  it('cannot read files even through the engine directly once locked down', async () => {
    const err = await lake.query("SELECT * FROM read_text('/etc/passwd')").catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/disabled by configuration|Permission/);
  });
});
