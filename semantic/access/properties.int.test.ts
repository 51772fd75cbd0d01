import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CubeQuery, SemanticLayer } from '../index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';

// Cubes whose rows belong to one encounter (and so to one organization).
const ENCOUNTER_CUBES = [
  'conditions',
  'medications',
  'procedures',
  'immunizations',
  'allergies',
  'careplans',
  'devices',
  'supplies',
  'imaging_studies',
];
const GROUPABLE: Record<string, string[]> = {
  encounters: ['encounterclass', 'description', 'reasondescription'],
  patients: ['gender', 'race', 'ethnicity', 'marital', 'state'],
  conditions: ['description'],
  procedures: ['description'],
  medications: ['description'],
  organizations: ['city', 'name'],
  providers: ['speciality', 'gender'],
  payers: ['name', 'ownership'],
};

let fx: FixtureLake;
let layer: SemanticLayer;
let orgs: string[];
const encounterOrg = new Map<string, string>();
const patientOrgs = new Map<string, Set<string>>();
const identifiers = new Set<string>();

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
  const enc = await fx.lake.query('SELECT id, organization, patient FROM encounters');
  for (const [id, o, p] of enc.rows as string[][]) {
    encounterOrg.set(id!, o!);
    patientOrgs.set(p!, (patientOrgs.get(p!) ?? new Set()).add(o!));
  }
  orgs = (
    await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 6')
  ).rows.map((r) => String(r[0]));
  // Every Safe Harbor value an analyst must never see in the clear.
  const ids = await fx.lake.query(
    `SELECT first, last, maiden, ssn, drivers, passport, address, city, county, CAST(fips AS VARCHAR), birthplace, zip,
            CAST(lat AS VARCHAR), CAST(lon AS VARCHAR), strftime(birthdate, '%Y-%m-%d'), strftime(deathdate, '%Y-%m-%d') FROM patients`,
  );
  for (const row of ids.rows)
    for (const v of row) if (v !== null && String(v).length > 3) identifiers.add(String(v));
  for (const r of (await fx.lake.query('SELECT memberid, owner_name FROM payer_transitions')).rows)
    for (const v of r) if (v) identifiers.add(String(v));
  for (const r of (
    await fx.lake.query(
      'SELECT udi FROM devices UNION ALL SELECT series_uid FROM imaging_studies UNION ALL SELECT instance_uid FROM imaging_studies',
    )
  ).rows) {
    if (r[0]) identifiers.add(String(r[0]));
  }
});
afterAll(async () => {
  await fx?.close();
});

const cubeArb = fc.constantFrom(...ENCOUNTER_CUBES, 'encounters', 'patients');
const groupArb = fc.subarray(
  Object.entries(GROUPABLE).flatMap(([c, ds]) => ds.map((d) => `${c}.${d}`)),
  { maxLength: 2 },
);

describe('property: policies hold for random queries', () => {
  it('a clinician never gets a row of another organization', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        cubeArb,
        groupArb,
        fc.boolean(),
        async (orgIndex, cube, groups, withTime) => {
          const org = orgs[orgIndex % orgs.length]!;
          const key =
            cube === 'patients'
              ? 'patients.id'
              : cube === 'encounters'
                ? 'encounters.id'
                : `${cube}.encounter`;
          const query: CubeQuery = {
            measures: [`${cube}.count`],
            dimensions: [key, ...groups],
            ...(withTime && cube === 'encounters'
              ? { timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' as const }] }
              : {}),
            limit: 50_000,
          };
          let res: Awaited<ReturnType<SemanticLayer['load']>>;
          try {
            res = await layer.load(query, contextFor('clinician', { organization_id: org }));
          } catch (err) {
            // An ambiguous path is a refusal, never a leak.
            if ((err as { code?: string }).code === 'JOIN_PATH_AMBIGUOUS') return;
            throw err;
          }
          for (const row of res.data) {
            const value = String(row[key]);
            if (cube === 'patients') expect(patientOrgs.get(value)?.has(org)).toBe(true);
            else expect(encounterOrg.get(value)).toBe(org);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an analyst never gets an unmasked identifier', async () => {
    const patientDims = [
      'first',
      'last',
      'maiden',
      'prefix',
      'ssn',
      'drivers',
      'passport',
      'address',
      'city',
      'county',
      'fips',
      'birthplace',
      'zip',
      'lat',
      'lon',
      'birthdate',
      'deathdate',
      'gender',
      'race',
      'age',
    ];
    const dimArb = fc.oneof(
      fc.subarray(
        patientDims.map((d) => `patients.${d}`),
        { minLength: 1, maxLength: 4 },
      ),
      fc.subarray(
        ['payer_transitions.memberid', 'payer_transitions.owner_name', 'payer_transitions.plan_ownership'],
        { minLength: 1 },
      ),
      fc.constant(['devices.udi', 'devices.description']),
      fc.constant(['imaging_studies.series_uid', 'imaging_studies.instance_uid']),
    );
    await fc.assert(
      fc.asyncProperty(dimArb, fc.boolean(), fc.boolean(), async (dims, ungrouped, ordered) => {
        const query: CubeQuery = {
          dimensions: [...dims],
          ...(ungrouped ? { ungrouped: true } : {}),
          ...(ordered ? { order: { [dims[0]!]: 'desc' as const } } : {}),
          limit: 50_000,
        };
        const res = await layer.load(query, contextFor('analyst'));
        for (const row of res.data) {
          for (const v of Object.values(row)) {
            if (v === null) continue;
            const text = String(v);
            expect(identifiers.has(text), text).toBe(false);
            expect(
              identifiers.has(text.slice(0, 10)) && /T00:00:00\.000$/.test(text) && !/-01-01T/.test(text),
            ).toBe(false);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
