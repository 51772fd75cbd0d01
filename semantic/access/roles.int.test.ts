import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { SemanticLayer } from '../index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';

const CUBES = [
  'patients',
  'encounters',
  'conditions',
  'medications',
  'procedures',
  'observations',
  'immunizations',
  'allergies',
  'careplans',
  'devices',
  'supplies',
  'imaging_studies',
  'organizations',
  'providers',
  'payers',
  'payer_transitions',
  'claims',
  'claims_transactions',
  'patient_expenses',
];
const MISSING = new Set(['observations', 'claims', 'claims_transactions']);
const REFERENCE = new Set(['organizations', 'providers', 'payers']);
const BY_PATIENT: Record<string, string> = {
  patients: 'id',
  payer_transitions: 'patient',
  patient_expenses: 'patient_id',
};

let fx: FixtureLake;
let layer: SemanticLayer;
let org: string;

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
  org = String(
    (await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1'))
      .rows[0]![0],
  );
});
afterAll(async () => {
  await fx?.close();
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await fx.lake.query(sql, params as string[])).rows[0]![0]);
}

async function expected(role: string, cube: string): Promise<number | 'denied'> {
  if (role === 'auditor' && !REFERENCE.has(cube)) return 'denied';
  if (role !== 'clinician' || REFERENCE.has(cube)) return count(`SELECT count(*) FROM ${cube}`);
  if (cube === 'encounters') return count('SELECT count(*) FROM encounters WHERE organization = $1', [org]);
  const byPatient = BY_PATIENT[cube];
  if (byPatient)
    return count(
      `SELECT count(*) FROM ${cube} WHERE ${byPatient} IN (SELECT patient FROM encounters WHERE organization = $1)`,
      [org],
    );
  return count(
    `SELECT count(*) FROM ${cube} WHERE encounter IN (SELECT id FROM encounters WHERE organization = $1)`,
    [org],
  );
}

const ctxOf = (role: string) => contextFor(role, role === 'clinician' ? { organization_id: org } : {});

describe('each role on each cube', () => {
  for (const role of ['admin', 'analyst', 'clinician', 'auditor']) {
    for (const cube of CUBES) {
      it(`${role} × ${cube}`, async () => {
        const query = { measures: [`${cube}.count`] };
        if (MISSING.has(cube)) {
          await expect(layer.load(query, ctxOf(role))).rejects.toMatchObject({
            code: role === 'auditor' ? 'ACCESS_DENIED' : 'CUBE_UNAVAILABLE',
          });
          return;
        }
        const want = await expected(role, cube);
        if (want === 'denied') {
          await expect(layer.load(query, ctxOf(role))).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
          expect(layer.meta(ctxOf(role)).cubes.map((c) => c.name)).not.toContain(cube);
          return;
        }
        const res = await layer.load(query, ctxOf(role));
        expect(res.data[0]![`${cube}.count`]).toBe(want);
        if (role === 'clinician' && !REFERENCE.has(cube))
          expect(want).toBeLessThan(await count(`SELECT count(*) FROM ${cube}`));
      });
    }
  }
});

describe('access policies', () => {
  it('reports cubes whose tables the lake lacks, and keeps the rest working', () => {
    expect(
      layer
        .unavailableCubes()
        .map((u) => u.cube)
        .sort(),
    ).toEqual(['claims', 'claims_transactions', 'observations']);
    expect(layer.meta(contextFor('admin')).cubes.map((c) => c.name)).not.toContain('claims');
  });

  it('denies by default: a role no policy names sees nothing', async () => {
    const nobody = contextFor('visitor');
    expect(layer.meta(nobody).cubes).toEqual([]);
    await expect(layer.load({ measures: ['organizations.count'] }, nobody)).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    expect(layer.governedRelations(nobody).size).toBe(0);
  });

  it('gives a clinician without an organization no rows', async () => {
    const res = await layer.load(
      { measures: ['encounters.count', 'patients.count'] },
      contextFor('clinician'),
    );
    expect(res.data[0]).toMatchObject({ 'encounters.count': 0, 'patients.count': 0 });
  });

  it('applies row filters of cubes that are only joined through', async () => {
    const clin = ctxOf('clinician');
    const res = await layer.load({ measures: ['encounters.count'], dimensions: ['patients.gender'] }, clin);
    const total = res.data.reduce((s, r) => s + Number(r['encounters.count']), 0);
    expect(total).toBe(await count('SELECT count(*) FROM encounters WHERE organization = $1', [org]));
    const genders = await layer.load(
      {
        dimensions: ['patients.gender'],
        filters: [{ member: 'encounters.encounterclass', operator: 'set' }],
      },
      clin,
    );
    expect(genders.data.length).toBeGreaterThan(0);
    // Patients reached through the view are the clinician's only.
    const ids = await layer.load({ dimensions: ['encounter_details.patient'], limit: 5000 }, clin);
    const allowed = new Set(
      (
        await fx.lake.query('SELECT DISTINCT patient FROM encounters WHERE organization = $1', [org])
      ).rows.map((r) => r[0]),
    );
    expect(ids.data.every((r) => allowed.has(r['encounter_details.patient']))).toBe(true);
  });

  it('masks Safe Harbor identifiers for analysts, also in filters, grouping and ordering', async () => {
    const analyst = ctxOf('analyst');
    const rows = await layer.load(
      {
        dimensions: [
          'patients.id',
          'patients.first',
          'patients.last',
          'patients.ssn',
          'patients.address',
          'patients.lat',
          'patients.zip',
          'patients.birthdate',
          'patients.age',
        ],
        ungrouped: true,
        limit: 500,
      },
      analyst,
    );
    expect(rows.data).toHaveLength(110);
    for (const r of rows.data) {
      expect([
        r['patients.first'],
        r['patients.last'],
        r['patients.ssn'],
        r['patients.address'],
        r['patients.lat'],
      ]).toEqual([null, null, null, null, null]);
      expect(String(r['patients.zip'])).toMatch(/^\d{3}$/);
      expect(String(r['patients.birthdate'])).toMatch(/^\d{4}-01-01T00:00:00\.000$/);
      expect(Number(r['patients.age'])).toBeLessThanOrEqual(90);
    }
    const zip = String(
      (await fx.lake.query("SELECT zip FROM patients WHERE zip <> '00000' LIMIT 1")).rows[0]![0],
    );
    const exact = await layer.load(
      {
        measures: ['patients.count'],
        filters: [{ member: 'patients.zip', operator: 'equals', values: [zip] }],
      },
      analyst,
    );
    expect(exact.data[0]!['patients.count']).toBe(0);
    const three = await layer.load(
      {
        measures: ['patients.count'],
        filters: [{ member: 'patients.zip', operator: 'equals', values: [zip.slice(0, 3)] }],
      },
      analyst,
    );
    expect(Number(three.data[0]!['patients.count'])).toBeGreaterThan(0);
    const byBirth = await layer.load(
      {
        measures: ['patients.count'],
        dimensions: ['patients.birthdate'],
        order: { 'patients.birthdate': 'asc' },
      },
      analyst,
    );
    const years = await count(
      'SELECT count(DISTINCT greatest(year(birthdate), year(current_date) - 90)) FROM patients',
    );
    expect(byBirth.data).toHaveLength(years);
    const names = await layer.load({ dimensions: ['patients.first'] }, analyst);
    expect(names.data).toEqual([{ 'patients.first': null }]);
    const admin = await layer.load({ dimensions: ['patients.first'], limit: 500 }, contextFor('admin'));
    expect(admin.data.length).toBeGreaterThan(100);
  });

  it('shows masked members in meta with meta.masked, and hides public: false helpers', () => {
    const patients = layer.meta(ctxOf('analyst')).cubes.find((c) => c.name === 'patients')!;
    const ssn = patients.dimensions.find((d) => d.name === 'patients.ssn')!;
    expect(ssn.meta).toMatchObject({ masked: true, phi: 'direct' });
    expect(patients.dimensions.find((d) => d.name === 'patients.gender')!.meta?.masked).toBeUndefined();
    expect(patients.dimensions.map((d) => d.name)).not.toContain('patients.encounter_organizations');
    expect(patients.measures.find((m) => m.name === 'patients.avg_age')!.meta).toMatchObject({
      synonyms: expect.any(Array),
    });
  });

  it('governed relations carry the same row filters and masks', async () => {
    const clin = layer.governedRelations(ctxOf('clinician'));
    const enc = clin.get('encounters')!;
    expect(enc.params).toEqual([]);
    const orgs = await fx.lake.query(`SELECT DISTINCT organization FROM (${enc.sql})`);
    expect(orgs.rows).toEqual([[org]]);
    const cond = await count(`SELECT count(*) FROM (${clin.get('conditions')!.sql})`);
    expect(cond).toBe(await expected('clinician', 'conditions'));
    const analyst = layer.governedRelations(ctxOf('analyst')).get('patients')!;
    expect(analyst.columns.find((c) => c.name === 'ssn')).toMatchObject({ masked: true });
    expect(analyst.columns.find((c) => c.name === 'gender')).toMatchObject({
      masked: false,
      type: 'VARCHAR',
    });
    expect(analyst.columns.map((c) => c.name)).not.toContain('encounter_organizations');
    const ssns = await fx.lake.query(
      `SELECT count(*) FROM (${analyst.sql}) WHERE ssn IS NOT NULL OR first IS NOT NULL`,
    );
    expect(ssns.rows[0]![0]).toBe(0);
    expect([...layer.governedRelations(ctxOf('auditor')).keys()].sort()).toEqual([
      'organizations',
      'payers',
      'providers',
    ]);
    expect(layer.governedRelations(ctxOf('analyst')).has('encounter_details')).toBe(true);
  });
});

describe('hidden members and side doors', () => {
  let custom: SemanticLayer;
  beforeAll(async () => {
    custom = await SemanticLayer.load({
      lake: fx.lake,
      files: [
        {
          file: 'people.yml',
          text: `cubes:
  - name: people
    sql_table: patients
    dimensions:
      - { name: id, sql: id, type: string, primary_key: true }
      - { name: ssn, sql: ssn, type: string, mask: "***" }
      - { name: ssn_prefix, sql: "left(ssn, 3)", type: string }
      - { name: income, sql: income, type: number }
      - { name: gender, sql: gender, type: string }
    measures:
      - { name: count, type: count }
      - { name: with_ssn, type: count_distinct, sql: ssn }
      - { name: max_ssn, type: max, sql: ssn }
      - { name: test_ssns, type: count, filters: [{ sql: "ssn LIKE '999%'" }] }
      - { name: total_income, type: sum, sql: income }
    segments:
      - { name: test_people, sql: "ssn LIKE '999%'" }
    access_policy:
      - role: reader
        member_level:
          excludes: [ssn, income]
        member_masking:
          includes: [ssn]
`,
        },
      ],
    });
  });

  it('hides excluded members from meta and rejects them in queries', async () => {
    const reader = contextFor('reader');
    const people = custom.meta(reader).cubes[0]!;
    expect(people.dimensions.map((d) => d.name)).not.toContain('people.income');
    expect(people.dimensions.map((d) => d.name)).toContain('people.ssn');
    for (const q of [
      { dimensions: ['people.income'] },
      { measures: ['people.count'], filters: [{ member: 'people.income', operator: 'gt', values: ['1'] }] },
    ]) {
      let err: unknown;
      try {
        await custom.load(q, reader);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, 'UNKNOWN_MEMBER')).toBe(true);
    }
  });

  it('masks members that read a masked column, keeps counts, blocks segments on it', async () => {
    const reader = contextFor('reader');
    const res = await custom.load(
      {
        measures: [
          'people.count',
          'people.with_ssn',
          'people.max_ssn',
          'people.test_ssns',
          'people.total_income',
        ],
        dimensions: ['people.ssn', 'people.ssn_prefix'],
      },
      reader,
    );
    expect(res.data).toEqual([
      {
        'people.ssn': '***',
        'people.ssn_prefix': null,
        'people.count': 110,
        'people.with_ssn': await count('SELECT count(DISTINCT ssn) FROM patients'),
        'people.max_ssn': null,
        'people.test_ssns': null,
        'people.total_income': null,
      },
    ]);
    await expect(
      custom.load({ measures: ['people.count'], segments: ['people.test_people'] }, reader),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect(custom.meta(reader).cubes[0]!.segments).toEqual([]);
  });
});
