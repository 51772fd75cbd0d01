// The lake on object storage for real: data_path s3://bucket/prefix against an S3 server the test
// starts on loopback (moto), with the catalog in PostgreSQL. Data files land encrypted in the
// bucket; two lakes (two DuckDB instances, as two replicas open it) share it; a connector sync
// writes through it; time travel reads an earlier snapshot from it.
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectorRegistry, syncConnector } from '../connectors/index.ts';
import { generateKey, Lakehouse, type LakehouseConfig, staticKeyProvider } from './index.ts';
import { type S3Server, startS3Server } from './testing/s3-server.ts';

const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `lake_s3_${process.pid}_${Date.now()}`;
const FIXTURE = resolve(import.meta.dirname, '../../shared/fixtures/synthea');
let s3: S3Server;
let config: LakehouseConfig;
let a: Lakehouse;
let b: Lakehouse;

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('hospital-lake');
  config = {
    catalog: { type: 'postgres', url: PG_URL, schema: SCHEMA },
    dataPath: 's3://hospital-lake/prod/',
    encrypted: true,
    key: staticKeyProvider(generateKey()),
    s3: {
      endpoint: s3.endpoint,
      region: 'us-east-1',
      urlStyle: 'path',
      useSsl: false,
      accessKeyId: 'lake-writer',
      secretAccessKey: 'lake-writer-secret',
    },
  };
  a = await Lakehouse.open({ ...config, create: true });
  b = await Lakehouse.open(config);
}, 900_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await s3?.stop();
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
});

describe('a lake on S3 (moto on loopback), catalog in PostgreSQL', () => {
  let afterFirst = 0;

  it('syncs a connector into the bucket, as encrypted Parquet files', async () => {
    const run = await syncConnector(
      {
        name: 'synthea',
        type: 'synthea',
        options: { path: FIXTURE },
        streams: ['patients', 'organizations'],
        mode: 'full_refresh',
        on_reject: 'skip',
      },
      { lake: a, connectors: createConnectorRegistry(), resolveSecret: (v) => v },
    );
    expect(run.streams.map((s) => s.status)).toEqual(['ok', 'ok']);
    afterFirst = (await a.snapshots()).at(-1)?.id ?? 0;
    const keys = await s3.list('hospital-lake', 'prod/');
    const parquet = keys.filter((k) => k.endsWith('.parquet'));
    expect(parquet.length).toBeGreaterThanOrEqual(2);
    const names = (await a.query('SELECT first FROM lake.main.patients LIMIT 20')).rows.map((r) =>
      String(r[0]),
    );
    for (const key of parquet) {
      // Read back through DuckDB's S3 client, signed with the lake's credentials.
      const blob = (await a.query(`SELECT content FROM read_blob('s3://hospital-lake/${key}')`)).rows[0]?.[0];
      const bytes = Buffer.from((blob as { bytes?: Uint8Array }).bytes ?? (blob as Uint8Array));
      // Encrypted Parquet ends in "PARE", plain Parquet in "PAR1"; no patient's name is readable.
      expect(bytes.subarray(-4).toString('latin1')).toBe('PARE');
      for (const name of names) expect(bytes.includes(Buffer.from(name)), `${key} holds ${name}`).toBe(false);
    }
  }, 300_000);

  it('is read by a second lake on the same catalog and bucket, the same numbers', async () => {
    const q =
      'SELECT (SELECT count(*) FROM lake.main.patients), (SELECT count(DISTINCT id) FROM lake.main.organizations)';
    expect((await b.query(q)).rows).toEqual((await a.query(q)).rows);
    expect(Number((await b.query('SELECT count(*) FROM lake.main.patients')).rows[0]?.[0])).toBeGreaterThan(
      100,
    );
  }, 120_000);

  it('travels back to a snapshot before a later write, from the bucket', async () => {
    await a.append('patients', 'SELECT * FROM lake.main.patients LIMIT 7', {
      author: 'test',
      message: 'more',
    });
    const now = Number((await b.query('SELECT count(*) FROM lake.main.patients')).rows[0]?.[0]);
    const then = Number(
      (await b.query(`SELECT count(*) FROM ${b.tableRef('patients', { snapshot: afterFirst })}`))
        .rows[0]?.[0],
    );
    expect(now - then).toBe(7);
  }, 120_000);

  it('says clearly when the object store refuses the credentials', async () => {
    // A second S3 server that checks credentials (moto's IAM authentication after its first two
    // unauthenticated actions, the start-up probe and the bucket): the lake's key id is unknown to it.
    const strict = await startS3Server({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '2' } });
    const schema = `${SCHEMA}_strict`;
    try {
      await strict.createBucket('locked');
      const err = await Lakehouse.open({
        ...config,
        catalog: { type: 'postgres', url: PG_URL, schema },
        dataPath: 's3://locked/prod/',
        s3: { ...config.s3, endpoint: strict.endpoint },
        create: true,
      })
        .then(async (lake) => {
          try {
            await lake.replaceTable('t', 'SELECT 1 AS x', { author: 'test', message: 'x' });
          } finally {
            await lake.close();
          }
        })
        .then(
          () => undefined,
          (e: unknown) => e as { code?: string; message: string },
        );
      expect(err, 'the write should have been refused').toBeDefined();
      expect(err?.code).toBe('LAKE_STORAGE_DENIED');
      expect(err?.message).toContain("refused the lake's credentials");
      expect(err?.message).toContain('lake.s3.access_key_id');
      // The secret never appears in what a person is shown.
      expect(err?.message).not.toContain('lake-writer-secret');
    } finally {
      await strict.stop();
      const c = new pg.Client(PG_URL);
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  }, 300_000);
});
