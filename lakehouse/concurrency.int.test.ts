// Faults the lake must survive: two processes appending through a PostgreSQL catalog at once,
// and a process killed with SIGKILL in the middle of a write.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Lakehouse, type LakehouseConfig } from './index.ts';
import { tempLakeConfig } from './testing/temp-lake.ts';

const CHILD = fileURLToPath(new URL('./testing/child-writer.ts', import.meta.url));
const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const commit = { author: 'tester', message: 'setup' };

function startChild(config: LakehouseConfig & { keyText?: string }, ...args: string[]): ChildProcess {
  const serialisable = { ...config, key: undefined };
  return spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(serialisable), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stderr };
}

describe('PostgreSQL catalog shared by two processes', () => {
  const schema = `lake_conc_${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'lake-pg-'));
  const config: LakehouseConfig = {
    catalog: { type: 'postgres', url: PG_URL, schema },
    dataPath: join(dataDir, 'data'),
    create: true,
  };
  afterAll(async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two writers appending 1000 rows each at once lose no row', async () => {
    const lake = await Lakehouse.open(config);
    await lake.createTable(
      'items',
      [
        { name: 'i', type: 'BIGINT' },
        { name: 'label', type: 'VARCHAR' },
      ],
      commit,
    );
    await lake.close();

    const a = startChild(config, 'append', '1000', 'a');
    const b = startChild(config, 'append', '1000', 'b');
    const [ra, rb] = await Promise.all([finished(a), finished(b)]);
    expect(ra, ra.stderr).toMatchObject({ code: 0 });
    expect(rb, rb.stderr).toMatchObject({ code: 0 });

    const reader = await Lakehouse.open(config);
    const r = await reader.query('SELECT label, count(*) FROM lake.items GROUP BY label ORDER BY label');
    expect(r.rows).toEqual([
      ['a', 1000],
      ['b', 1000],
    ]);
    expect((await reader.status()).encrypted).toBe(true);
    await reader.close();
  });
});

describe('a writer killed with SIGKILL mid-transaction', () => {
  const t = tempLakeConfig('lake-kill-');
  afterAll(() => t.cleanup());

  it('leaves the previous snapshot intact and readable', async () => {
    const lake = await Lakehouse.open(t.config);
    await lake.createTable(
      'items',
      [
        { name: 'i', type: 'BIGINT' },
        { name: 'label', type: 'VARCHAR' },
      ],
      commit,
    );
    await lake.append('items', `SELECT range AS i, 'kept' AS label FROM range(500)`, commit);
    const snapshotsBefore = (await lake.snapshots()).length;
    await lake.close();

    const child = startChild({ ...t.config, keyText: t.keyText }, 'bigwrite');
    const exit = finished(child);
    // Kill once the child is inside its transaction and has written data files.
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d) => {
        if (String(d).includes('writing')) setTimeout(resolve, 300);
      });
      child.on('exit', () => reject(new Error('child exited before it started writing')));
    });
    child.kill('SIGKILL');
    const { code } = await exit;
    expect(code).toBeNull();

    const after = await Lakehouse.open({ ...t.config, create: false });
    const r = await after.query('SELECT label, count(*) FROM lake.items GROUP BY label');
    expect(r.rows).toEqual([['kept', 500]]);
    expect((await after.snapshots()).length).toBe(snapshotsBefore);
    // And the lake still takes writes.
    await after.append('items', `SELECT 1 AS i, 'new' AS label`, commit);
    expect((await after.query('SELECT count(*) FROM lake.items')).rows[0]?.[0]).toBe(501);
    await after.close();
  });
});
