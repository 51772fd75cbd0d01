// One measured phase of bench/ingest.bench.ts, in its own process so its peak RSS is its own.
// Prints one JSON line: { ms, rows, maxRssMb }.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createConnectorRegistry, syncConnector } from '../connectors/index.ts';
import { defaultExtensionDirectory, Lakehouse, staticKeyProvider } from '../lakehouse/index.ts';

const [phase, workDir, arg] = process.argv.slice(2) as [string, string, string];
const PG = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' };

async function lakeLoad(config: Parameters<typeof syncConnector>[0]): Promise<number> {
  const lake = await Lakehouse.open({
    catalog: { type: 'duckdb', path: join(workDir, 'catalog.ducklake') },
    dataPath: join(workDir, 'data'),
    key: staticKeyProvider('ingest-bench-key-0123456789abcdef'),
    create: true,
  });
  try {
    const run = await syncConnector(config, {
      lake,
      connectors: createConnectorRegistry(),
      resolveSecret: (v) => v,
    });
    const failed = run.streams.find((s) => s.status !== 'ok');
    if (failed) throw new Error(`${failed.stream}: ${failed.error?.message}`);
    return run.streams.reduce((n, s) => n + s.rows, 0);
  } finally {
    await lake.close();
  }
}

async function duckdb(fn: (run: (sql: string) => Promise<number>) => Promise<number>): Promise<number> {
  const db = await DuckDBInstance.create(join(workDir, 'plain.duckdb'), {
    extension_directory: defaultExtensionDirectory(),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const c = await db.connect();
  try {
    return await fn(async (sql) => Number((await c.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0));
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const t0 = performance.now();
let rows = 0;
if (phase === 'synthea-lake') {
  rows = await lakeLoad({
    name: 'synthea',
    type: 'synthea',
    options: { path: arg },
    mode: 'full_refresh',
    on_reject: 'skip',
  });
} else if (phase === 'synthea-duckdb') {
  rows = await duckdb(async (run) => {
    let n = 0;
    for (const f of (await readdir(arg)).filter((x) => x.endsWith('.csv')).sort()) {
      await run(`CREATE TABLE "${f.replace('.csv', '')}" AS SELECT * FROM read_csv('${join(arg, f)}')`);
      n += await run(`SELECT count(*) FROM "${f.replace('.csv', '')}"`);
    }
    return n;
  });
} else if (phase === 'pg-lake') {
  rows = await lakeLoad({
    name: 'pg',
    type: 'postgres',
    options: { ...PG, schema: arg, tables: ['visits'], batch_rows: 1_000_000 },
    mode: 'full_refresh',
    on_reject: 'skip',
  });
} else if (phase === 'pg-duckdb') {
  rows = await duckdb(async (run) => {
    await run('LOAD postgres_scanner');
    await run(
      `CREATE TABLE visits AS SELECT * FROM postgres_scan('host=127.0.0.1 port=5432 dbname=test user=postgres', '${arg}', 'visits')`,
    );
    return run('SELECT count(*) FROM visits');
  });
} else {
  throw new Error(`unknown phase ${phase}`);
}
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ ms, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
