import { appendFile, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { countCsvRecords } from '../sdk/csv-head.ts';
import { syncConnector } from '../sync/engine.ts';
import { syntheaConnector } from './connector.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../shared/fixtures/synthea');
let copy = '';

runConnectorSuite({
  connector: syntheaConnector,
  setup: async () => {
    // The fixture is read-only: the incremental test edits a copy outside the repository.
    copy = await mkdtemp(join(tmpdir(), 'analyst-synthea-copy-'));
    await cp(FIXTURE, copy, { recursive: true });
  },
  teardown: () => rm(copy, { recursive: true, force: true }),
  options: () => ({ path: copy }),
  badOptions: () => ({ path: join(copy, 'no-such-export') }),
  badOptionsCode: 'CONNECTOR_UNREACHABLE',
  stream: 'patients',
  expectedRows: 110,
  incrementalMode: 'incremental_dedupe',
  addRows: async () => {
    const lines = (await readFile(join(copy, 'patients.csv'), 'utf8')).trim().split('\n');
    // Five new patients, and one existing patient re-exported (must update, not duplicate).
    const extra = lines
      .slice(1, 6)
      .map((l, i) => l.replace(/^[0-9a-f-]{36}/, `00000000-0000-0000-0000-00000000000${i}`));
    await appendFile(join(copy, 'patients.csv'), `${[...extra, lines[1]].join('\n')}\n`);
    return 5;
  },
});

describe('synthea: the fixture export', () => {
  let dir: string;
  let lake: Lakehouse;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-synthea-'));
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'c.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider('synthea-fixture-test-key-0123456'),
      create: true,
    });
  });
  afterAll(async () => {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every CSV with as many rows as the file has records, typed and tagged', async () => {
    const run = await syncConnector(
      {
        name: 'synthea',
        type: 'synthea',
        options: { path: FIXTURE },
        mode: 'full_refresh',
        on_reject: 'fail',
      },
      { lake, connectors: new Map([['synthea', syntheaConnector]]), resolveSecret: (v) => v },
    );
    const files = (await readdir(FIXTURE)).filter((f) => f.endsWith('.csv'));
    expect(run.streams.map((s) => s.stream).sort()).toEqual(files.map((f) => f.replace('.csv', '')).sort());
    for (const s of run.streams) {
      expect(s.error, s.stream).toBeUndefined();
      const expected = await countCsvRecords(join(FIXTURE, `${s.stream}.csv`));
      const got = await lake.query(`SELECT count(*) FROM ${lake.tableRef(s.table)}`);
      expect([s.stream, Number(got.rows[0]?.[0])]).toEqual([s.stream, expected]);
      expect(s.rejects).toBe(0);
    }
    const patients = await lake.tables.describe('patients');
    const col = (n: string) => patients?.columns.find((c) => c.name === n);
    expect(col('birthdate')?.type).toBe('DATE');
    expect(col('healthcare_expenses')?.type).toBe('DOUBLE');
    expect(col('zip')?.type).toBe('VARCHAR');
    expect(col('ssn')?.tags.phi).toBe('direct');
    expect(col('birthdate')?.tags.phi).toBe('quasi');
    expect(col('state')?.tags.phi).toBe('none');
    const encounters = await lake.tables.describe('encounters');
    expect(encounters?.columns.find((c) => c.name === 'start')?.type).toBe('TIMESTAMP');
    expect(encounters?.columns.find((c) => c.name === 'patient')?.tags).toEqual({
      phi: 'direct',
      references: 'patients.id',
    });
    // Organisations' addresses are not patient data; the connector knows better than the name rules.
    const orgs = await lake.tables.describe('organizations');
    expect(orgs?.columns.find((c) => c.name === 'address')?.tags.phi).toBe('none');
    const zip = await lake.query(
      `SELECT zip FROM ${lake.tableRef('organizations')} WHERE zip LIKE '0%' LIMIT 1`,
    );
    expect(String(zip.rows[0]?.[0])).toMatch(/^0\d{4}/);
  });
});
