// In-memory copies of small lake tables (`Lakehouse.queryCopies`): the same rows as the lake at
// the latest snapshot, a new snapshot invalidates them, bounded by rows, invisible to every other
// connection, and never used for a lake seen as of an earlier snapshot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import { Lakehouse, type LakehouseConfig, lakeAtSnapshot } from './index.ts';
import { tempLakeConfig } from './testing/temp-lake.ts';

const commit = { author: 'tester', message: 'test write' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openLake(tableCopies?: { maxRows?: number; maxTotalRows?: number }) {
  const t = tempLakeConfig('lake-copies-');
  cleanups.push(t.cleanup);
  const lake = await Lakehouse.open({ ...t.config, tableCopies, sandbox: { readDirectories: [] } });
  cleanups.unshift(() => lake.close());
  await lake.withTransaction(commit, async (tx) => {
    await tx.run('CREATE SCHEMA IF NOT EXISTS lake.agg');
    await tx.run(`CREATE TABLE lake.agg.totals AS SELECT 'a' AS k, 1 AS n UNION ALL SELECT 'b', 2`);
    await tx.run('CREATE TABLE lake.agg.big AS SELECT range AS n FROM range(50)');
  });
  return lake;
}

const totals = (rel: ReadonlyMap<string, string>) =>
  `SELECT k, sum(n) AS n FROM ${rel.get('agg.totals')} WHERE n >= $1 GROUP BY k ORDER BY k`;

describe('Lakehouse.queryCopies', () => {
  it('answers what the lake answers at the latest snapshot; a commit invalidates the copy', async () => {
    const lake = await openLake();
    const onLake = () =>
      lake.query('SELECT k, sum(n) AS n FROM lake.agg.totals WHERE n >= $1 GROUP BY k ORDER BY k', [1]);
    const first = await lake.queryCopies(['agg.totals'], totals, [1]);
    expect(first?.rows).toEqual((await onLake()).rows);
    expect(first?.rows).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    const snapshot = await lake.currentSnapshot();
    expect(first?.snapshot).toBe(snapshot);
    expect(lake.heldCopies()).toEqual({ snapshot, tables: [{ table: 'agg.totals', rows: 2 }] });

    // A commit by another path (the writer connection): the next statement reads the new snapshot.
    await lake.withTransaction(commit, (tx) => tx.run(`INSERT INTO lake.agg.totals VALUES ('a', 10)`));
    const second = await lake.queryCopies(['agg.totals'], totals, [1]);
    expect(second?.snapshot).toBe(snapshot + 1);
    expect(second?.rows).toEqual((await onLake()).rows);
    expect(second?.rows).toEqual([
      ['a', 11],
      ['b', 2],
    ]);
    // Parameters are bound per statement, not kept from the last one.
    expect((await lake.queryCopies(['agg.totals'], totals, [5]))?.rows).toEqual([['a', 10]]);
  });

  it('reads from the lake (null) past its row bounds, for an unknown table, or when the statement reads more', async () => {
    const lake = await openLake({ maxRows: 10 });
    expect(await lake.queryCopies(['agg.big'], (r) => `SELECT count(*) FROM ${r.get('agg.big')}`)).toBeNull();
    expect(lake.heldCopies().tables).toEqual([]);
    expect(await lake.queryCopies(['agg.missing'], () => 'SELECT 1')).toBeNull();
    expect(await lake.queryCopies(['agg.totals'], () => null)).toBeNull();
    expect(await lake.queryCopies(['agg.totals; DROP TABLE x'], () => 'SELECT 1').catch((e) => e.code)).toBe(
      'INVALID_NAME',
    );
    // Still usable for a table that fits.
    expect((await lake.queryCopies(['agg.totals'], totals, [0]))?.rows.length).toBe(2);

    const tight = await openLake({ maxRows: 100, maxTotalRows: 51 });
    const count = (r: ReadonlyMap<string, string>) => `SELECT count(*) FROM ${r.get('agg.big')}`;
    expect((await tight.queryCopies(['agg.big'], count))?.rows).toEqual([[50]]);
    // 50 rows held: no room for two more.
    expect(await tight.queryCopies(['agg.totals'], totals, [0])).toBeNull();
    expect(tight.heldCopies().tables).toEqual([{ table: 'agg.big', rows: 50 }]);
  });

  it('copies are invisible to every other connection, the gate’s isolated ones included', async () => {
    const lake = await openLake();
    await lake.queryCopies(['agg.totals'], totals, [1]);
    let relation = '';
    await lake.queryCopies(['agg.totals'], (r) => {
      relation = r.get('agg.totals')!;
      return `SELECT * FROM ${relation}`;
    });
    expect(relation).toMatch(/^temp\.main\./);
    for (const isolated of [false, true]) {
      const err = await lake.query(`SELECT * FROM ${relation}`, [], { isolated }).catch((e) => e);
      expect(hasCode(err, 'QUERY_FAILED'), String(err)).toBe(true);
    }
  });

  it('a lake seen as of an earlier snapshot never reads the copies', async () => {
    const lake = await openLake();
    const past = lakeAtSnapshot(lake, await lake.currentSnapshot());
    expect(await past.queryCopies(['agg.totals'], totals, [1])).toBeNull();
  });

  it('interrupts a statement past its timeout', async () => {
    const lake = await openLake();
    const err = await lake
      .queryCopies(
        ['agg.totals'],
        (r) =>
          `SELECT count(*) FROM ${r.get('agg.totals')}, range(100000000) a, range(100) b WHERE a.range + b.range < 0`,
        [],
        { timeoutMs: 200 },
      )
      .catch((e) => e);
    expect(hasCode(err, 'QUERY_TIMEOUT'), String(err)).toBe(true);
  });
});

describe('with a PostgreSQL catalog shared by two lakes', () => {
  it('a commit by the other lake (another process) invalidates the copy', async () => {
    const schema = `lake_copies_${process.pid}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'lake-copies-pg-'));
    const config: LakehouseConfig = {
      catalog: { type: 'postgres', url: 'postgresql://postgres@127.0.0.1:5432/test', schema },
      dataPath: join(dataDir, 'data'),
      create: true,
    };
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test' });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const reader = await Lakehouse.open(config);
    cleanups.unshift(() => reader.close());
    await reader.withTransaction(commit, async (tx) => {
      await tx.run('CREATE SCHEMA IF NOT EXISTS lake.agg');
      await tx.run(`CREATE TABLE lake.agg.totals AS SELECT 'a' AS k, 1 AS n`);
    });
    expect((await reader.queryCopies(['agg.totals'], totals, [0]))?.rows).toEqual([['a', 1]]);
    const writer = await Lakehouse.open(config);
    cleanups.unshift(() => writer.close());
    await writer.withTransaction(commit, (tx) => tx.run(`INSERT INTO lake.agg.totals VALUES ('b', 2)`));
    expect((await reader.queryCopies(['agg.totals'], totals, [0]))?.rows).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(reader.heldCopies().snapshot).toBe(await writer.currentSnapshot());
  });
});
