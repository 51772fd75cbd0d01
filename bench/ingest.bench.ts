// Ingest: (a) a Synthea CSV export → lake vs DuckDB's own read_csv into plain tables;
// (b) a 5,000,000-row PostgreSQL table → lake vs DuckDB's postgres_scan into a plain table, with
// the lake load's peak RSS. Each phase runs in its own process (clean RSS, no shared caches).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { generateSyntheaDemo } from '../connectors/index.ts';
import type { Bench, BenchResult } from './result.ts';

const WORKER = resolve(import.meta.dirname, 'ingest-worker.ts');
const PATIENTS = Number(process.env.BENCH_INGEST_PATIENTS ?? 5000);
const PG_ROWS = Number(process.env.BENCH_INGEST_PG_ROWS ?? 5_000_000);

interface Phase {
  ms: number;
  rows: number;
  maxRssMb: number;
}

async function phase(name: string, arg: string): Promise<Phase> {
  const work = await mkdtemp(join(tmpdir(), `bench-ingest-${name}-`));
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', WORKER, name, work, arg],
      {
        cwd: resolve(import.meta.dirname, '..'),
        maxBuffer: 1 << 20,
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Phase;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  const data = await mkdtemp(join(tmpdir(), 'bench-ingest-synthea-'));
  try {
    const gen = await generateSyntheaDemo({ dir: data, patients: PATIENTS, seed: 1 });
    console.error(`   generated ${PATIENTS} demo patients in ${(gen.durationMs / 1000).toFixed(1)} s`);
    const duck = await phase('synthea-duckdb', data);
    const lake = await phase('synthea-lake', data);
    if (lake.rows !== duck.rows) throw new Error(`row counts differ: lake ${lake.rows}, duckdb ${duck.rows}`);
    const value = lake.rows / (lake.ms / 1000);
    const anchor = duck.rows / (duck.ms / 1000);
    results.push({
      name: 'ingest.synthea_csv.rows_per_s',
      value,
      unit: 'rows/s',
      anchor: `duckdb read_csv into plain tables (${PATIENTS} patients, ${duck.rows} rows)`,
      anchorValue: anchor,
      ratio: value / anchor,
      aim: '>= 0.9',
    });
  } finally {
    await rm(data, { recursive: true, force: true });
  }

  const schema = `analyst_bench_ingest_${process.pid}`;
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await c.query(
      `CREATE TABLE ${schema}.visits AS SELECT g::bigint AS id, 'patient-' || (g % 100000) AS patient,
         (g % 10000 * 0.37)::numeric(10,2) AS amount, TIMESTAMP '2020-01-01' + make_interval(secs => g) AS seen_at,
         (g % 97)::int AS code, g % 3 = 0 AS flag
       FROM generate_series(1, ${PG_ROWS}) g`,
    );
    await c.query(`ALTER TABLE ${schema}.visits ADD PRIMARY KEY (id); ANALYZE ${schema}.visits`);
    const duck = await phase('pg-duckdb', schema);
    const lake = await phase('pg-lake', schema);
    if (lake.rows !== duck.rows) throw new Error(`row counts differ: lake ${lake.rows}, duckdb ${duck.rows}`);
    const value = lake.rows / (lake.ms / 1000);
    const anchor = duck.rows / (duck.ms / 1000);
    results.push({
      name: 'ingest.postgres.rows_per_s',
      value,
      unit: 'rows/s',
      anchor: `duckdb postgres_scan into a plain table (${PG_ROWS} rows)`,
      anchorValue: anchor,
      ratio: value / anchor,
      aim: '>= 0.5',
    });
    results.push({
      name: 'ingest.postgres.peak_rss',
      value: lake.maxRssMb,
      unit: 'MB',
      anchor: `peak RSS of the postgres_scan load (${duck.maxRssMb.toFixed(0)} MB); ratio is against the 1 GB budget`,
      anchorValue: 1024,
      ratio: lake.maxRssMb / 1024,
      aim: '< 1',
    });
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await c.end();
  }
  return results;
};
