import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import { Lakehouse, staticKeyProvider } from './index.ts';
import { tempLakeConfig } from './testing/temp-lake.ts';

const commit = { author: 'tester', message: 'test write' };
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function openTemp() {
  const t = tempLakeConfig();
  cleanups.push(t.cleanup);
  const lake = await Lakehouse.open(t.config);
  cleanups.unshift(() => void lake.close());
  return { lake, ...t };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('Lakehouse', () => {
  it('creates, appends, upserts and replaces, each as one snapshot recording who and why', async () => {
    const { lake } = await openTemp();
    await lake.createTable(
      'people',
      [
        { name: 'id', type: 'BIGINT' },
        { name: 'name', type: 'VARCHAR', comment: 'Full name', tags: { phi: 'direct' } },
      ],
      commit,
    );
    expect(
      await lake.append('people', `SELECT range AS id, 'p' || range AS name FROM range(5)`, commit),
    ).toBe(5);
    await lake.upsert(
      'people',
      `SELECT 1::BIGINT AS id, 'renamed' AS name UNION ALL SELECT 9, 'new'`,
      ['id'],
      {
        author: 'alice',
        message: 'fix a name',
      },
    );
    const rows = await lake.query(`SELECT id, name FROM lake.people ORDER BY id`);
    expect(rows.rows).toEqual([
      [0, 'p0'],
      [1, 'renamed'],
      [2, 'p2'],
      [3, 'p3'],
      [4, 'p4'],
      [9, 'new'],
    ]);
    const snaps = await lake.snapshots();
    expect(snaps.at(-1)).toMatchObject({ author: 'alice', message: 'fix a name' });

    await lake.replaceTable('people', `SELECT 42::BIGINT AS id, 'only' AS name`, commit);
    expect((await lake.query('SELECT count(*) FROM lake.people')).rows[0]?.[0]).toBe(1);
  });

  it('stores comments and PHI tags in the lake and adds columns without touching existing rows', async () => {
    const { lake } = await openTemp();
    await lake.createTable('p', [{ name: 'id', type: 'INTEGER' }], commit);
    await lake.append('p', 'SELECT 1 AS id', commit);
    await lake.addColumns(
      'p',
      [{ name: 'zip', type: 'VARCHAR', tags: { phi: 'quasi' }, comment: 'ZIP code' }],
      commit,
    );
    await lake.setComment('p', 'Patients', commit);
    await lake.setColumnTags('p', { id: { phi: 'none' } }, commit);
    const [info] = await lake.listTables();
    expect(info).toEqual({
      name: 'p',
      comment: 'Patients',
      columns: [
        { name: 'id', type: 'INTEGER', comment: null, tags: { phi: 'none' } },
        { name: 'zip', type: 'VARCHAR', comment: 'ZIP code', tags: { phi: 'quasi' } },
      ],
    });
    expect((await lake.query('SELECT id, zip FROM lake.p')).rows).toEqual([[1, null]]);
  });

  it('rolls back a failed transaction entirely', async () => {
    const { lake } = await openTemp();
    await lake.createTable('t', [{ name: 'x', type: 'INTEGER' }], commit);
    const before = (await lake.snapshots()).length;
    const err = await lake
      .withTransaction(commit, async (tx) => {
        await tx.run('INSERT INTO lake.main.t VALUES (1), (2)');
        await tx.run('INSERT INTO lake.main.t VALUES (CAST($1 AS INTEGER))', ['not a number']);
      })
      .catch((e: unknown) => e);
    expect(hasCode(err, 'WRITE_FAILED')).toBe(true);
    expect((await lake.query('SELECT count(*) FROM lake.t')).rows[0]?.[0]).toBe(0);
    expect((await lake.snapshots()).length).toBe(before);
  });

  it('reads a table as of an earlier snapshot id and timestamp', async () => {
    const { lake } = await openTemp();
    await lake.createTable('t', [{ name: 'x', type: 'INTEGER' }], commit);
    await lake.append('t', 'SELECT 1 AS x', commit);
    const first = (await lake.snapshots()).at(-1)!;
    await new Promise((r) => setTimeout(r, 20));
    await lake.append('t', 'SELECT 2 AS x', commit);
    const countAt = async (ref: string) => (await lake.query(`SELECT count(*) FROM ${ref}`)).rows[0]?.[0];
    expect(await countAt(lake.tableRef('t'))).toBe(2);
    expect(await countAt(lake.tableRef('t', { snapshot: first.id }))).toBe(1);
    expect(await countAt(lake.tableRef('t', { timestamp: new Date(Date.parse(first.time) + 5) }))).toBe(1);
  });

  it('encrypts data files and the catalog file: no plaintext value on disk', async () => {
    const { lake, dir } = await openTemp();
    await lake.createTable('secrets', [{ name: 'ssn', type: 'VARCHAR' }], commit);
    await lake.append('secrets', `SELECT '999-12-3456' AS ssn`, commit);
    await lake.close();
    const files = filesUnder(dir);
    expect(files.some((f) => f.endsWith('.parquet'))).toBe(true);
    for (const f of files) {
      expect(readFileSync(f).includes(Buffer.from('999-12-3456')), f).toBe(false);
    }
    expect(statSync(join(dir, 'catalog.ducklake')).size).toBeGreaterThan(0);
  });

  it('reports status with encryption, tables, rows and snapshots', async () => {
    const { lake, dir } = await openTemp();
    await lake.createTable('t', [{ name: 'x', type: 'INTEGER' }], commit);
    await lake.append('t', 'SELECT range::INTEGER AS x FROM range(3)', commit);
    const status = await lake.status();
    expect(status).toMatchObject({
      format: 'ducklake',
      catalog: 'duckdb',
      dataPath: `${join(dir, 'data')}/`,
      encrypted: true,
      catalogEncrypted: true,
      tables: [{ name: 't', rows: 3 }],
    });
    expect(status.snapshots).toBeGreaterThanOrEqual(3);
  });

  it('a wrong key gives LAKE_KEY_INVALID, and the data is still there with the right key', async () => {
    const t = tempLakeConfig();
    cleanups.push(t.cleanup);
    const lake = await Lakehouse.open(t.config);
    await lake.createTable('t', [{ name: 'x', type: 'INTEGER' }], commit);
    await lake.append('t', 'SELECT 7 AS x', commit);
    await lake.close();
    const err = await Lakehouse.open({
      ...t.config,
      key: staticKeyProvider('a-completely-wrong-key-000'),
    }).catch((e: unknown) => e);
    expect(hasCode(err, 'LAKE_KEY_INVALID')).toBe(true);
    const again = await Lakehouse.open({ ...t.config, create: false });
    expect((await again.query('SELECT x FROM lake.t')).rows).toEqual([[7]]);
    await again.close();
  });

  it('refuses to create a lake silently when the catalog is missing', async () => {
    const t = tempLakeConfig();
    cleanups.push(t.cleanup);
    const err = await Lakehouse.open({ ...t.config, create: false }).catch((e: unknown) => e);
    expect(hasCode(err, 'LAKE_OPEN_FAILED')).toBe(true);
  });

  it('interrupts a query that runs past its timeout, and the connection stays usable', async () => {
    const { lake } = await openTemp();
    const err = await lake
      .query('SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE a.range % 7 = b.range', [], {
        timeoutMs: 200,
      })
      .catch((e: unknown) => e);
    expect(hasCode(err, 'QUERY_TIMEOUT')).toBe(true);
    expect((await lake.query('SELECT 1 AS one')).rows).toEqual([[1]]);
  });

  it('maintenance expires snapshots and removes unreferenced files', async () => {
    const { lake, dir } = await openTemp();
    await lake.createTable('t', [{ name: 'x', type: 'INTEGER' }], commit);
    for (let i = 0; i < 4; i++) await lake.append('t', `SELECT ${i} AS x`, commit);
    await lake.replaceTable('t', 'SELECT 100 AS x', commit);
    const filesBefore = filesUnder(join(dir, 'data')).length;
    const result = await lake.maintain({ expireOlderThanDays: 0 });
    expect(result.expiredSnapshots).toBeGreaterThan(0);
    expect(filesUnder(join(dir, 'data')).length).toBeLessThan(filesBefore);
    expect((await lake.query('SELECT x FROM lake.t')).rows).toEqual([[100]]);
  });

  it('rejects table names that are not plain identifiers', async () => {
    const { lake } = await openTemp();
    expect(() => lake.tableRef('t; DROP TABLE x')).toThrow(/not a valid table name/);
  });
});
