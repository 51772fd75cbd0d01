import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { Gate, type GovernedRelation } from '../index.ts';

/** Who is asking, in the gate tests: a role and, for clinicians, their organization. */
export interface TestCtx {
  role: 'admin' | 'clinician' | 'analyst';
  org?: string;
}

export const CANARY_SSN = '999-00-1234';
export const CANARY_NAME = 'Zebulon Canary';

/**
 * A small sandboxed lake: patients (name and ssn are identifiers) seen in encounters at two
 * organizations, and hand-written policy subqueries for admin, analyst (masked) and clinician
 * (rows of their organization only).
 */
export async function gateFixture(): Promise<{
  lake: Lakehouse;
  gate: Gate<TestCtx>;
  cleanup: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'gate-test-'));
  const lake = await Lakehouse.open({
    catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
    dataPath: join(dir, 'data'),
    key: staticKeyProvider(generateKey()),
    create: true,
    tempDirectory: join(dir, 'tmp'),
    sandbox: {},
  });
  const c = { author: 'test', message: 'fixture' };
  await lake.replaceTable(
    'patients',
    `SELECT 'p' || range AS id, CASE WHEN range = 0 THEN '${CANARY_NAME}' ELSE 'Name ' || range END AS name,
            CASE WHEN range = 0 THEN '${CANARY_SSN}' ELSE '999-00-' || lpad(range::VARCHAR, 4, '0') END AS ssn,
            DATE '1950-01-01' + (range * 97)::INTEGER AS birthdate, '0' || (2100 + range)::VARCHAR AS zip
     FROM range(40)`,
    c,
  );
  await lake.replaceTable(
    'encounters',
    `SELECT 'e' || range AS id, 'p' || (range % 40) AS patient, CASE WHEN range % 3 = 0 THEN 'orgA' ELSE 'orgB' END AS organization,
            (range * 13 % 500)::DOUBLE AS cost
     FROM range(300)`,
    c,
  );
  const gate = await Gate.create<TestCtx>({ lake, relations: testRelations, maxRows: 1000, timeoutMs: 2000 });
  return {
    lake,
    gate,
    cleanup: async () => {
      await lake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testRelations(ctx: TestCtx): GovernedRelation[] {
  if (ctx.role === 'admin') {
    return [
      { name: 'patients', sql: 'SELECT * FROM lake.main.patients' },
      { name: 'encounters', sql: 'SELECT * FROM lake.main.encounters' },
    ];
  }
  if (ctx.role === 'analyst') {
    return [
      {
        name: 'patients',
        sql: `SELECT id, NULL::VARCHAR AS name, make_date(year(birthdate), 1, 1) AS birthdate, left(zip, 3) AS zip FROM lake.main.patients`,
      },
      { name: 'encounters', sql: 'SELECT * FROM lake.main.encounters' },
    ];
  }
  const org = (ctx.org ?? '').replaceAll("'", "''");
  return [
    {
      name: 'patients',
      sql: `SELECT id, name, birthdate, zip FROM lake.main.patients WHERE id IN (SELECT patient FROM lake.main.encounters WHERE organization = '${org}')`,
    },
    { name: 'encounters', sql: `SELECT * FROM lake.main.encounters WHERE organization = '${org}'` },
  ];
}
