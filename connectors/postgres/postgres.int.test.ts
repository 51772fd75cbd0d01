import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { syncConnector } from '../sync/engine.ts';
import { postgresConnector } from './connector.ts';

const SCHEMA = `analyst_pg_conn_${process.pid}`;
const base = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', schema: SCHEMA };
const client = () => new pg.Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' });
let next = 1;

async function insertVisits(n: number): Promise<void> {
  const c = client();
  await c.connect();
  try {
    await c.query(
      `INSERT INTO ${SCHEMA}.visits (patient, note, amount, seen_at, flag)
       SELECT 'p' || g, CASE WHEN g % 7 = 0 THEN E'line one\\nline "two", three' WHEN g % 11 = 0 THEN '' END,
              (g * 1.25)::numeric(10,2), TIMESTAMP '2024-01-01' + make_interval(mins => g), g % 2 = 0
       FROM generate_series($1::int, $2::int) g`,
      [next, next + n - 1],
    );
    next += n;
  } finally {
    await c.end();
  }
}

async function setup(): Promise<void> {
  const c = client();
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  await c.query(
    `CREATE TABLE ${SCHEMA}.visits (id serial PRIMARY KEY, patient text NOT NULL, note text, amount numeric(10,2),
     seen_at timestamp NOT NULL, flag boolean)`,
  );
  await c.end();
  await insertVisits(1000);
}

async function teardown(): Promise<void> {
  const c = client();
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
}

runConnectorSuite({
  connector: postgresConnector,
  setup,
  options: () =>
    postgresConnector.spec.parse({ ...base, batch_rows: 300, cursor_fields: { visits: 'seen_at' } }),
  badOptions: () =>
    postgresConnector.spec.parse({
      ...base,
      user: 'no_such_role_analyst',
      password: 'Wr0ng-Secret-Value-17',
    }),
  badOptionsCode: 'CONNECTOR_AUTH_FAILED',
  stream: 'visits',
  expectedRows: 1000,
  addRows: async () => {
    await insertVisits(40);
    return 40;
  },
});

describe('postgres: values and batches', () => {
  let dir: string;
  let lake: Lakehouse;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-pg-'));
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'c.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider('postgres-connector-test-key-0123'),
      create: true,
    });
  });
  afterAll(async () => {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
    await teardown();
  });

  it('keeps NULL apart from empty text, newlines and quotes intact, types exact, across batch files', async () => {
    const run = await syncConnector(
      {
        name: 'pg',
        type: 'postgres',
        options: {
          ...base,
          batch_rows: 128,
          queries: { recent: `SELECT id, patient FROM ${SCHEMA}.visits WHERE id <= 10` },
        },
        mode: 'full_refresh',
        on_reject: 'fail',
      },
      { lake, connectors: new Map([['postgres', postgresConnector]]), resolveSecret: (v) => v },
    );
    expect(run.streams.map((s) => [s.stream, s.status, s.error])).toEqual([
      ['visits', 'ok', undefined],
      ['recent', 'ok', undefined],
    ]);
    const c = client();
    await c.connect();
    const src = await c.query(
      `SELECT count(*)::int AS n, count(note)::int AS notes, sum(amount)::text AS total, count(*) FILTER (WHERE note = '')::int AS empty
       FROM ${SCHEMA}.visits`,
    );
    await c.end();
    const got = await lake.query(
      `SELECT count(*), count(note), CAST(sum(amount) AS VARCHAR), count(*) FILTER (WHERE note = '') FROM ${lake.tableRef('visits')}`,
    );
    const s = src.rows[0];
    expect(got.rows[0]).toEqual([s.n, s.notes, s.total, s.empty]);
    const row = await lake.query(`SELECT note, flag, seen_at FROM ${lake.tableRef('visits')} WHERE id = 7`);
    expect(row.rows[0]).toEqual(['line one\nline "two", three', false, '2024-01-01 00:07:00']);
    const info = await lake.tables.describe('visits');
    expect(info?.columns.map((col) => [col.name, col.type])).toEqual([
      ['id', 'INTEGER'],
      ['patient', 'VARCHAR'],
      ['note', 'VARCHAR'],
      ['amount', 'DECIMAL(10,2)'],
      ['seen_at', 'TIMESTAMP'],
      ['flag', 'BOOLEAN'],
    ]);
    expect((await lake.query(`SELECT count(*) FROM ${lake.tableRef('recent')}`)).rows[0]).toEqual([10]);
  });
});
