// Lake ingest and time travel, each beside DuckDB doing the same work directly.
//  - lake.ingest.csv: 2,000,000-row CSV into an encrypted DuckLake table through lakehouse/,
//    vs DuckDB's own CREATE TABLE … AS SELECT * FROM read_csv(…) into a plain DuckDB file.
//  - lake.timetravel: the same aggregate read as of an earlier snapshot vs at the current one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateKey, Lakehouse, staticKeyProvider } from '../lakehouse/index.ts';
import { type Bench, timeMs } from './result.ts';

const ROWS = 2_000_000;
const REPEATS = 3;

export const run: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lake-'));
  try {
    const csv = join(dir, 'rows.csv');
    await writeCsv(csv);
    const source = `SELECT * FROM read_csv('${csv}', header = true)`;

    const plain = await DuckDBInstance.create(join(dir, 'plain.duckdb'));
    const pc = await plain.connect();
    const lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider(generateKey()),
      create: true,
    });
    const commit = { author: 'bench', message: 'ingest' };
    let anchorBest = Number.POSITIVE_INFINITY;
    let oursBest = Number.POSITIVE_INFINITY;
    // Alternate the two so drift on a shared machine hits both alike; keep the best of each.
    for (let i = 0; i < REPEATS; i++) {
      anchorBest = Math.min(anchorBest, await timeMs(() => pc.run(`CREATE OR REPLACE TABLE t AS ${source}`)));
      oursBest = Math.min(oursBest, await timeMs(() => lake.replaceTable('t', source, commit)));
    }
    const anchorRate = ROWS / (anchorBest / 1000);
    const oursRate = ROWS / (oursBest / 1000);

    const before = (await lake.snapshots()).at(-1)!.id;
    await lake.append('t', 'SELECT * FROM lake.t LIMIT 1', commit);
    const q = (ref: string) => `SELECT sum(amount), count(DISTINCT category) FROM ${ref}`;
    let current = Number.POSITIVE_INFINITY;
    let travel = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      current = Math.min(current, await timeMs(() => lake.query(q(lake.tableRef('t')))));
      travel = Math.min(travel, await timeMs(() => lake.query(q(lake.tableRef('t', { snapshot: before })))));
    }
    await lake.close();
    pc.closeSync();
    plain.closeSync();
    return [
      {
        name: 'lake.ingest.csv',
        value: Math.round(oursRate),
        unit: 'rows/s',
        anchor: 'duckdb CTAS read_csv into a plain table',
        anchorValue: Math.round(anchorRate),
        ratio: oursRate / anchorRate,
        aim: '>= 0.8',
      },
      {
        name: 'lake.timetravel',
        value: travel,
        unit: 'ms',
        anchor: 'same read at the current snapshot',
        anchorValue: current,
        ratio: travel / current,
        aim: '<= 1.2',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

async function writeCsv(path: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT range AS id, 'patient-' || (range % 50000) AS patient, DATE '2015-01-01' + (range % 3000)::INTEGER AS day,
      ['ambulatory','emergency','inpatient','wellness'][1 + range % 4] AS category, round(random() * 1000, 2) AS amount
      FROM range(${ROWS})) TO '${path}' (HEADER)`);
  c.closeSync();
  db.closeSync();
}
