import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { syncConnector } from './engine.ts';
import { countingConnector } from './testing/counting-connector.ts';

const CHILD = resolve(import.meta.dirname, 'testing/sync-child.ts');
let dir = '';

/** Start a sync in a child process and SIGKILL it once `batches` batches are in the open transaction. */
function syncAndKill(total: number, mode: string, batches: number): Promise<void> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, dir, String(total), mode],
      {
        cwd: resolve(import.meta.dirname, '../..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`batch ${batches} loaded`)) child.kill('SIGKILL');
      if (out.includes('done')) fail(new Error('the child finished before it was killed'));
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? done() : fail(new Error(`child exited without being killed: ${out}`)),
    );
  });
}

async function withLake<T>(fn: (lake: Lakehouse) => Promise<T>): Promise<T> {
  const lake = await Lakehouse.open({
    catalog: { type: 'duckdb', path: join(dir, 'c.ducklake') },
    dataPath: join(dir, 'data'),
    key: staticKeyProvider('kill-resume-test-key-0123456789ab'),
    create: true,
  });
  try {
    return await fn(lake);
  } finally {
    await lake.close();
  }
}

const sync = (lake: Lakehouse, total: number, mode: 'full_refresh' | 'incremental_append') =>
  syncConnector(
    { name: 'count', type: 'counting', options: { total, batch: 500 }, mode, on_reject: 'fail' },
    { lake, connectors: new Map([['counting', countingConnector]]), resolveSecret: (v) => v },
  );

const stats = (lake: Lakehouse) =>
  lake
    .query(`SELECT count(*), count(DISTINCT id), coalesce(max(id), 0) FROM ${lake.tableRef('numbers')}`)
    .then((r) => r.rows[0]);

describe('sync: killed with SIGKILL mid-load', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-kill-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves no partial table behind on a first load, and the rerun loads everything once', async () => {
    await syncAndKill(5000, 'incremental_append', 4);
    // Data files of the killed transaction were written, but the catalog never saw a commit.
    expect((await readdir(join(dir, 'data'), { recursive: true })).some((f) => f.endsWith('.parquet'))).toBe(
      true,
    );
    await withLake(async (lake) => {
      expect((await lake.listTables()).map((t) => t.name)).not.toContain('numbers');
      const run = await sync(lake, 5000, 'incremental_append');
      expect(run.streams[0]?.status).toBe('ok');
      expect(await stats(lake)).toEqual([5000, 5000, 5000]);
    });
  });

  it('keeps the committed rows and state when an incremental load is killed, then resumes without duplicates', async () => {
    await syncAndKill(12_000, 'incremental_append', 5);
    await withLake(async (lake) => {
      expect(await stats(lake)).toEqual([5000, 5000, 5000]);
      const state = await lake.query(`SELECT state FROM lake._analyst.sync_state WHERE connector = 'count'`);
      expect(JSON.parse(String(state.rows[0]?.[0]))).toEqual({ cursor: 5000 });
      await sync(lake, 12_000, 'incremental_append');
      expect(await stats(lake)).toEqual([12_000, 12_000, 12_000]);
    });
  });

  it('keeps the old table whole when a full refresh is killed', async () => {
    await syncAndKill(20_000, 'full_refresh', 3);
    await withLake(async (lake) => {
      expect(await stats(lake)).toEqual([12_000, 12_000, 12_000]);
    });
  });
});
