import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import type { AnyConnector } from '../sdk/types.ts';
import { syntheaConnector } from '../synthea/connector.ts';
import { type ConnectorConfig, syncConnector } from './engine.ts';
import { type MemorySource, memoryConnector } from './testing/memory-connector.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../shared/fixtures/synthea');
let dir: string;
let lake: Lakehouse;
const source: MemorySource = { columns: [], rows: [], primaryKey: ['id'] };
const connectors = new Map<string, AnyConnector>([
  ['memory', memoryConnector(source)],
  ['synthea', syntheaConnector],
]);
const env = () => ({ lake, connectors, resolveSecret: (v: string) => v });
const memory = (mode: ConnectorConfig['mode'], extra: Partial<ConnectorConfig> = {}): ConnectorConfig => ({
  name: 'mem',
  type: 'memory',
  options: {},
  mode,
  on_reject: 'skip',
  ...extra,
});
const rows = async (sql: string) => (await lake.query(sql)).rows;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'analyst-engine-'));
  lake = await Lakehouse.open({
    catalog: { type: 'duckdb', path: join(dir, 'c.ducklake') },
    dataPath: join(dir, 'data'),
    key: staticKeyProvider('engine-test-key-0123456789abcdef'),
    create: true,
  });
});
afterAll(async () => {
  await lake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sync engine: modes and schema evolution', () => {
  beforeEach(async () => {
    await lake.withTransaction({ author: 't', message: 'reset' }, (tx) =>
      tx.run('DROP TABLE IF EXISTS lake.main.items'),
    );
  });

  it('dedupe upserts by primary key; evolution adds columns and widens types; incompatible changes write nothing', async () => {
    source.columns = [
      { name: 'id', type: 'INTEGER' },
      { name: 'code', type: 'INTEGER' },
    ];
    source.rows = [
      [1, 10],
      [2, 20],
    ];
    expect((await syncConnector(memory('incremental_dedupe'), env())).streams[0]?.status).toBe('ok');

    // id widens INTEGER → BIGINT (in place), code INTEGER → VARCHAR (rewrite), a new column appears.
    source.columns = [
      { name: 'id', type: 'BIGINT' },
      { name: 'code', type: 'VARCHAR' },
      { name: 'note', type: 'VARCHAR' },
    ];
    source.rows = [
      [2, 'B2', 'changed'],
      [3, 'C3', 'new'],
    ];
    const second = await syncConnector(memory('incremental_dedupe'), env());
    expect(second.streams[0]?.error).toBeUndefined();
    expect(await rows(`SELECT id, code, note FROM lake.main.items ORDER BY id`)).toEqual([
      [1, '10', null],
      [2, 'B2', 'changed'],
      [3, 'C3', 'new'],
    ]);
    const types = (await lake.tables.describe('items'))?.columns.map((c) => [c.name, c.type]);
    expect(types).toEqual([
      ['id', 'BIGINT'],
      ['code', 'VARCHAR'],
      ['note', 'VARCHAR'],
    ]);

    // BIGINT → DATE is no widening either way: the stream stops, nothing changes, the history says why.
    source.columns = [
      { name: 'id', type: 'DATE' },
      { name: 'code', type: 'VARCHAR' },
    ];
    source.rows = [['2024-01-01', 'D4']];
    const bad = await syncConnector(memory('incremental_dedupe'), env());
    expect(bad.streams[0]?.status).toBe('failed');
    expect(bad.streams[0]?.error?.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(bad.streams[0]?.error?.message).toMatch(/column id was BIGINT and is now DATE/);
    expect(await rows(`SELECT count(*) FROM lake.main.items`)).toEqual([[3]]);
    const history = await rows(
      `SELECT status, error FROM lake._analyst.sync_history WHERE run_id = '${bad.runId}'`,
    );
    expect(history[0]?.[0]).toBe('failed');
    expect(String(history[0]?.[1])).toMatch(/^SCHEMA_INCOMPATIBLE/);
  });

  it('full refresh replaces the rows; incremental append adds them', async () => {
    source.columns = [{ name: 'id', type: 'INTEGER' }];
    source.rows = [[1], [2]];
    await syncConnector(memory('full_refresh'), env());
    await syncConnector(memory('full_refresh'), env());
    expect(await rows(`SELECT count(*) FROM lake.main.items`)).toEqual([[2]]);
    await syncConnector(memory('incremental_append'), env());
    expect(await rows(`SELECT count(*) FROM lake.main.items`)).toEqual([[4]]);
  });

  it('tags PHI by the workspace rules first, then the connector, then the default rules', async () => {
    source.columns = [
      { name: 'id', type: 'INTEGER' },
      { name: 'ssn', type: 'VARCHAR' },
      { name: 'zip', type: 'VARCHAR' },
      { name: 'nickname', type: 'VARCHAR', phi: 'direct' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'email', type: 'VARCHAR', phi: 'none' },
    ];
    source.rows = [[1, '999-00-0000', '02118', 'Bo', 1.5, 'x@example.org']];
    await syncConnector(
      memory('full_refresh', {
        phi_rules: [
          { match: '^score$', phi: 'quasi' },
          { match: '^email$', phi: 'direct' },
        ],
      }),
      env(),
    );
    const tags = Object.fromEntries(
      (await lake.tables.describe('items'))!.columns.map((c) => [c.name, c.tags.phi]),
    );
    expect(tags).toEqual({
      id: 'none',
      ssn: 'direct',
      zip: 'quasi',
      nickname: 'direct',
      score: 'quasi',
      email: 'direct',
    });
  });

  it('refuses a literal secret when references are required', async () => {
    const err = await syncConnector(memory('full_refresh', { options: { token: 'literal-token-value' } }), {
      ...env(),
      requireSecretReferences: true,
    }).catch((e: { code: string; message: string }) => e);
    expect((err as { code: string }).code).toBe('SECRET_IN_PLAIN_CONFIG');
    expect((err as { message: string }).message).not.toContain('literal-token-value');
    const ok = await syncConnector(
      memory('full_refresh', { options: { token: ['$', '{env:ANALYST_TEST_TOKEN}'].join('') } }),
      {
        ...env(),
        requireSecretReferences: true,
        resolveSecret: () => 'resolved-token',
      },
    );
    expect(ok.streams[0]?.status).toBe('ok');
  });
});

describe('sync engine: rejects', () => {
  it('skips malformed CSV records into the rejects table, or with on_reject fail writes nothing', async () => {
    const folder = join(dir, 'export');
    await mkdir(folder, { recursive: true });
    const fixture = (await readFile(join(FIXTURE, 'patients.csv'), 'utf8')).trimEnd().split('\n');
    const broken = (line: string, cells: (c: string[]) => string[]) => cells(line.split(',')).join(',');
    const badDate = broken(fixture[1]!, (c) => [c[0]!.replace(/^./, 'f'), 'not-a-date', ...c.slice(2)]);
    const tooMany = broken(fixture[2]!, (c) => [c[0]!.replace(/^./, 'e'), ...c.slice(1), 'extra']);
    await writeFile(join(folder, 'patients.csv'), `${[...fixture, badDate, tooMany].join('\n')}\n`);
    const cfg = (on_reject: 'skip' | 'fail'): ConnectorConfig => ({
      name: 'export',
      type: 'synthea',
      options: { path: folder },
      mode: 'full_refresh',
      on_reject,
    });
    const run = await syncConnector(cfg('skip'), env());
    expect(run.streams[0]).toMatchObject({ status: 'ok', rows: 110, rejects: 2 });
    const rejects = await rows(
      `SELECT source, line, reason FROM lake._analyst.sync_rejects WHERE run_id = '${run.runId}' ORDER BY line`,
    );
    expect(rejects.map((r) => [r[0], r[1]])).toEqual([
      ['patients.csv', 112],
      ['patients.csv', 113],
    ]);
    expect(String(rejects[0]?.[2])).toMatch(/birthdate/i);
    expect(String(rejects[1]?.[2])).toMatch(/columns/i);

    const failed = await syncConnector(cfg('fail'), env());
    expect(failed.streams[0]).toMatchObject({ status: 'failed', rejects: 2 });
    expect(failed.streams[0]?.error?.code).toBe('REJECTS_PRESENT');
    expect(await rows(`SELECT count(*) FROM lake.main.patients`)).toEqual([[110]]);
    const history = await rows(
      `SELECT stream, mode, status, rejects FROM lake._analyst.sync_history WHERE run_id = '${failed.runId}'`,
    );
    expect(history).toEqual([['patients', 'full_refresh', 'failed', 2]]);
  });
});
