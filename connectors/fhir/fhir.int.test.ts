import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { syncConnector } from '../sync/engine.ts';
import { fhirConnector } from './connector.ts';

let dir = '';
const patient = (i: number) => ({
  resourceType: 'Patient',
  id: `pat-${i}`,
  identifier: [
    { type: { coding: [{ code: 'MR' }] }, value: `MRN${i}` },
    { system: 'http://hl7.org/fhir/sid/us-ssn', value: `999-00-${1000 + i}` },
  ],
  name: [{ family: `Family${i}`, given: ['Given', `${i}`], prefix: ['Ms.'] }],
  gender: i % 2 ? 'male' : 'female',
  birthDate: `19${50 + (i % 40)}-03-0${1 + (i % 8)}`,
  address: [{ line: [`${i} Main St`], city: 'Boston', state: 'MA', postalCode: '02118' }],
  telecom: [{ system: 'phone', value: `555-01${i}` }],
});
const lines = (rs: unknown[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function writeExport(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'analyst-fhir-'));
  const patients = Array.from({ length: 30 }, (_, i) => patient(i));
  await writeFile(
    join(dir, 'Patient.000.ndjson'),
    `${lines(patients)}{not json\n${JSON.stringify({ resourceType: 'Observation', id: 'x' })}\n`,
  );
  await writeFile(
    join(dir, 'Encounter.ndjson'),
    lines([
      {
        resourceType: 'Encounter',
        id: 'enc-1',
        status: 'finished',
        class: { code: 'AMB' },
        type: [{ coding: [{ code: '185345009', display: 'Encounter for symptom' }] }],
        subject: { reference: 'urn:uuid:pat-1' },
        period: { start: '2020-01-02T10:00:00-05:00', end: '2020-01-02T10:30:00-05:00' },
        participant: [
          { individual: { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|999' } },
        ],
        serviceProvider: { reference: 'Organization/org-1' },
      },
    ]),
  );
  await writeFile(
    join(dir, 'Observation.ndjson'),
    lines([
      {
        resourceType: 'Observation',
        id: 'obs-1',
        status: 'final',
        category: [{ coding: [{ code: 'vital-signs' }] }],
        code: { coding: [{ code: '8302-2', display: 'Body Height' }] },
        subject: { reference: 'Patient/pat-1' },
        encounter: { reference: 'urn:uuid:enc-1' },
        effectiveDateTime: '2020-01-02T10:05:00Z',
        valueQuantity: { value: 172.5, unit: 'cm' },
      },
    ]),
  );
  for (const [file, r] of [
    [
      'Condition.ndjson',
      {
        resourceType: 'Condition',
        id: 'c1',
        subject: { reference: 'urn:uuid:pat-1' },
        code: { coding: [{ code: '44054006' }] },
      },
    ],
    [
      'MedicationRequest.ndjson',
      {
        resourceType: 'MedicationRequest',
        id: 'm1',
        subject: { reference: 'urn:uuid:pat-1' },
        status: 'active',
      },
    ],
    [
      'Procedure.ndjson',
      {
        resourceType: 'Procedure',
        id: 'p1',
        subject: { reference: 'urn:uuid:pat-1' },
        performedPeriod: { start: '2020-01-02T10:00:00Z' },
      },
    ],
    [
      'Immunization.ndjson',
      {
        resourceType: 'Immunization',
        id: 'i1',
        patient: { reference: 'urn:uuid:pat-1' },
        primarySource: true,
      },
    ],
    [
      'Organization.ndjson',
      { resourceType: 'Organization', id: 'org-1', name: 'General Hospital', active: true },
    ],
    [
      'Practitioner.ndjson',
      {
        resourceType: 'Practitioner',
        id: 'pr-1',
        identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '999' }],
      },
    ],
  ] as const) {
    await writeFile(join(dir, file), lines([r]));
  }
}

runConnectorSuite({
  connector: fhirConnector,
  setup: writeExport,
  options: () => ({ path: dir, batch_rows: 7 }),
  badOptions: () => ({ path: join(dir, 'nowhere'), batch_rows: 7 }),
  badOptionsCode: 'CONNECTOR_UNREACHABLE',
  stream: 'patient',
  expectedRows: 30,
  addRows: async () => {
    await writeFile(join(dir, 'Patient.001.ndjson'), lines([patient(100), patient(101), patient(102)]));
    return 3;
  },
});

describe('fhir: flattening', () => {
  let lakeDir: string;
  let lake: Lakehouse;
  beforeAll(async () => {
    lakeDir = await mkdtemp(join(tmpdir(), 'analyst-fhir-lake-'));
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(lakeDir, 'c.ducklake') },
      dataPath: join(lakeDir, 'data'),
      key: staticKeyProvider('fhir-connector-test-key-01234567'),
      create: true,
    });
  });
  afterAll(async () => {
    await lake.close();
    await rm(lakeDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('loads all nine resource types as tables, with references, PHI tags and rejects', async () => {
    const run = await syncConnector(
      { name: 'fhir', type: 'fhir', options: { path: dir }, mode: 'full_refresh', on_reject: 'skip' },
      { lake, connectors: new Map([['fhir', fhirConnector]]), resolveSecret: (v) => v },
    );
    expect(run.streams.map((s) => s.stream).sort()).toEqual([
      'condition',
      'encounter',
      'immunization',
      'medication_request',
      'observation',
      'organization',
      'patient',
      'practitioner',
      'procedure',
    ]);
    expect(run.streams.every((s) => s.status === 'ok')).toBe(true);
    expect(run.streams.find((s) => s.stream === 'patient')?.rejects).toBe(2);
    const rejects = await lake.query(
      `SELECT source, line, reason FROM lake._analyst.sync_rejects WHERE run_id = $1 ORDER BY line`,
      [run.runId],
    );
    expect(rejects.rows).toEqual([
      ['Patient.000.ndjson', 31, 'not valid JSON'],
      ['Patient.000.ndjson', 32, 'expected a Patient, found Observation'],
    ]);
    const enc = await lake.query(
      `SELECT patient_id, practitioner_id, organization_id, CAST(period_start AS VARCHAR) FROM ${lake.tableRef('encounter')}`,
    );
    expect(enc.rows[0]?.slice(0, 3)).toEqual(['pat-1', '999', 'org-1']);
    const obs = await lake.query(
      `SELECT value_number, value_unit, encounter_id FROM ${lake.tableRef('observation')}`,
    );
    expect(obs.rows).toEqual([[172.5, 'cm', 'enc-1']]);
    const p = await lake.query(
      `SELECT mrn, ssn, given_name, birth_date FROM ${lake.tableRef('patient')} WHERE id = 'pat-3'`,
    );
    expect(p.rows).toEqual([['MRN3', '999-00-1003', 'Given 3', '1953-03-04']]);
    const tags = await lake.tables.describe('patient');
    expect(tags?.columns.find((c) => c.name === 'ssn')?.tags.phi).toBe('direct');
    expect(tags?.columns.find((c) => c.name === 'birth_date')?.tags.phi).toBe('quasi');
  });
});
