// Measures the ways of getting Arrow data into DuckDB that the sync engine could use; the figures
// in arrow-staging.ts come from this. Run: node --import tsx connectors/sync/arrow-staging.measure.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { Float64, Int64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { appendArrow, stagingColumnsForArrow, stagingDdl } from './arrow-staging.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const ids = Array.from({ length: N }, (_, i) => BigInt(i));
const table = new Table({
  id: vectorFromArray(ids, new Int64()),
  patient: vectorFromArray(
    Array.from({ length: N }, (_, i) => `patient-${i % 5000}`),
    new Utf8(),
  ),
  amount: vectorFromArray(
    Array.from({ length: N }, (_, i) => i * 0.25),
    new Float64(),
  ),
  code: vectorFromArray(
    Array.from({ length: N }, (_, i) => (i % 3 ? `C${i % 97}` : null)),
    new Utf8(),
  ),
  visits: vectorFromArray(
    Array.from({ length: N }, (_, i) => BigInt(i % 40)),
    new Int64(),
  ),
  seen_at: vectorFromArray(
    Array.from({ length: N }, (_, i) => 1_700_000_000_000 + i * 1000),
    new TimestampMillisecond(),
  ),
});
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await db.connect();
const cols = stagingColumnsForArrow(table);
const time = async (label: string, fn: () => Promise<void>) => {
  await conn.run('DROP TABLE IF EXISTS t');
  await conn.run(`CREATE TEMP TABLE t (${stagingDdl(cols)})`);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const n = (await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0]?.[0];
  console.log(`${label.padEnd(34)} ${(ms / 1000).toFixed(2)} s  (${n} rows)`);
};

const chunks = async () => {
  await appendArrow(conn, 't', table, 0);
};

const csv = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'arrow-measure-'));
  const names = table.schema.fields.map((f) => f.name);
  const vecs = names.map((_, i) => table.getChildAt(i)!);
  const parts: string[] = [];
  for (let r = 0; r < N; r++) {
    let line = '';
    for (let c = 0; c < vecs.length; c++) {
      const v = vecs[c]!.get(r);
      if (c) line += ',';
      if (v !== null) line += c === 5 ? new Date(Number(v)).toISOString() : String(v);
    }
    parts.push(`${line},${r}\n`);
  }
  await writeFile(join(dir, 'b.csv'), parts.join(''));
  await conn.run(
    `INSERT INTO t SELECT * FROM read_csv('${join(dir, 'b.csv')}', header = false, columns = {${cols.map((c) => `'${c.name}': '${c.type}'`).join(', ')}, '_offset': 'BIGINT'})`,
  );
  await rm(dir, { recursive: true, force: true });
};

const rowByRow = async () => {
  const app = await conn.createAppender('t', 'main', 'temp');
  const vecs = table.schema.fields.map((_, i) => table.getChildAt(i)!);
  for (let r = 0; r < N; r++) {
    app.appendBigInt(vecs[0]!.get(r) as bigint);
    app.appendVarchar(vecs[1]!.get(r) as string);
    app.appendDouble(vecs[2]!.get(r) as number);
    const code = vecs[3]!.get(r);
    if (code === null) app.appendNull();
    else app.appendVarchar(code as string);
    app.appendBigInt(vecs[4]!.get(r) as bigint);
    app.appendTimestamp(new DuckDBTimestampValue(BigInt(vecs[5]!.get(r) as number) * 1000n));
    app.appendBigInt(BigInt(r));
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
};
// Twice each, interleaved, so JIT warm-up and a noisy shared machine favour no one.
for (let round = 1; round <= 2; round++) {
  await time(`row by row (appendValue), round ${round}`, rowByRow);
  await time(`data chunks (used), round ${round}`, chunks);
  await time(`CSV staging + read_csv, round ${round}`, csv);
}
conn.closeSync();
db.closeSync();
