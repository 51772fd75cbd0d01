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

/** Patient p0: seen at both organizations. */
export const CANARY_SSN = '999-00-1234';
export const CANARY_NAME = 'Zebulon Canary';
/** Patient p40: seen only at orgB, so a clinician of orgA must never learn anything about it. */
export const HIDDEN_NAME = 'Quentin Hidden';
export const HIDDEN_SSN = '999-00-7777';
/** Patients p40…p44 have encounters at orgB only (e300…e309). */
export const ORG_B_ONLY_PATIENTS = ['p40', 'p41', 'p42', 'p43', 'p44'];

/**
 * Which lake to build. `base` is the lake every test uses. The twins differ from it only in what
 * a given caller may not see, so any answer that differs between base and twin is a leak
 * (non-interference):
 * - `clinicianTwin`: orgB-only patients, everyone's SSN and orgB's encounters differ (a clinician
 *   of orgA sees none of them);
 * - `analystTwin`: names, SSNs, the day and month of birth and the last two ZIP digits differ
 *   (all masked or removed for the analyst).
 */
export type FixtureVariant = 'base' | 'clinicianTwin' | 'analystTwin';

/**
 * A small sandboxed lake: 45 patients (name and ssn are identifiers) seen in 310 encounters at two
 * organizations, and hand-written policy subqueries for admin, analyst (masked) and clinician
 * (rows of their organization only).
 */
export async function gateFixture(variant: FixtureVariant = 'base'): Promise<{
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
    memoryLimit: '2GB',
    sandbox: {},
  });
  const c = { author: 'test', message: 'fixture' };
  await lake.replaceTable('patients', patientsSql(variant), c);
  await lake.replaceTable('encounters', encountersSql(variant), c);
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

function patientsSql(variant: FixtureVariant): string {
  const analystTwin = variant === 'analystTwin';
  const hiddenTwin = variant === 'clinicianTwin';
  // A twin changes only values its caller cannot see.
  const name = analystTwin
    ? `'Other ' || range`
    : `CASE WHEN range = 0 THEN '${CANARY_NAME}' WHEN range = 40 THEN '${hiddenTwin ? 'Ursula Twin' : HIDDEN_NAME}'
            WHEN range > 40 AND ${hiddenTwin} THEN 'Twin ' || range ELSE 'Name ' || range END`;
  const ssn =
    variant === 'base'
      ? `CASE WHEN range = 0 THEN '${CANARY_SSN}' WHEN range = 40 THEN '${HIDDEN_SSN}' ELSE '999-00-' || lpad(range::VARCHAR, 4, '0') END`
      : `'888-11-' || lpad((range * 7)::VARCHAR, 4, '0')`;
  const dayShift = analystTwin
    ? `(range % 5) * 31 + 3`
    : hiddenTwin
      ? `CASE WHEN range >= 40 THEN 40 ELSE 0 END`
      : '0';
  // Births fall in January…February so shifting the day by up to 127 days keeps the year.
  const birthdate = `make_date(1950 + range * 97 // 365, 1 + range % 2, 1 + range % 28) + (${dayShift})::INTEGER`;
  const zipTail = analystTwin
    ? `lpad(((range * 37 + 11) % 100)::VARCHAR, 2, '0')`
    : `lpad((range % 100)::VARCHAR, 2, '0')`;
  const zipHead = hiddenTwin
    ? `CASE WHEN range >= 40 THEN '9' ELSE '0' END || (21 + range % 4)::VARCHAR`
    : `'0' || (21 + range % 4)::VARCHAR`;
  return `SELECT 'p' || range AS id, ${name} AS name, ${ssn} AS ssn, ${birthdate} AS birthdate,
                 ${zipHead} || ${zipTail} AS zip
          FROM range(45)`;
}

function encountersSql(variant: FixtureVariant): string {
  // 300 encounters of p0…p39 at both organizations, then e300… at orgB only for p40…p44.
  const extra = variant === 'clinicianTwin' ? 25 : 10;
  const orgBCost = variant === 'clinicianTwin' ? '1000 + range * 7 % 300' : 'range * 13 % 500';
  return `SELECT 'e' || range AS id,
            CASE WHEN range < 300 THEN 'p' || (range % 40) ELSE 'p' || (40 + (range - 300) % 5) END AS patient,
            CASE WHEN range < 300 AND range % 3 = 0 THEN 'orgA' ELSE 'orgB' END AS organization,
            (CASE WHEN range < 300 AND range % 3 = 0 THEN range * 13 % 500 ELSE ${orgBCost} END)::DOUBLE AS cost
          FROM range(${300 + extra})`;
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
