import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import { initWorkspace, Workspace } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'ws-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('workspace', () => {
  it('init creates config, users, a 0600 key in a 0700 folder, and an encrypted lake', async () => {
    const dir = join(root, 'ws1');
    const ws = await initWorkspace(dir);
    expect(ws.users.map((u) => u.id)).toEqual(['admin', 'analyst', 'clinician', 'auditor']);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'keys', 'workspace.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'model')).isDirectory()).toBe(true);
    const lake = await ws.openLake();
    const status = await lake.status();
    await lake.close();
    expect(status).toMatchObject({ format: 'ducklake', catalog: 'duckdb', encrypted: true, tables: [] });
    // Nothing left of the staging folder.
    expect(readdirSync(root).filter((f) => f.includes('.init-'))).toEqual([]);
  });

  it('init refuses a non-empty folder and leaves it untouched', async () => {
    const dir = join(root, 'busy');
    await initWorkspace(dir);
    const before = readFileSync(join(dir, 'analyst.yaml'), 'utf8');
    const err = await initWorkspace(dir).catch((e: unknown) => e);
    expect(hasCode(err, 'WORKSPACE_EXISTS')).toBe(true);
    expect(readFileSync(join(dir, 'analyst.yaml'), 'utf8')).toBe(before);
  });

  it('a failed init leaves nothing half-created', async () => {
    const dir = join(root, 'failed');
    const err = await initWorkspace(dir, { catalog: 'postgres://postgres@127.0.0.1:1/nowhere' }).catch(
      (e: unknown) => e,
    );
    expect(hasCode(err, 'LAKE_OPEN_FAILED')).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('failed'))).toEqual([]);
  });

  it('names the bad key in analyst.yaml', async () => {
    const dir = join(root, 'badkey');
    await initWorkspace(dir);
    const path = join(dir, 'analyst.yaml');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace('encrypted: true', 'encrypted: true\n  encrpyted: false'),
    );
    const err = await Workspace.load(dir).catch((e: unknown) => e);
    expect(hasCode(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('lake.encrpyted');
    writeFileSync(path, 'version: 1\nlake: {catalog: mysql}\n');
    const err2 = await Workspace.load(dir).catch((e: unknown) => e);
    expect((err2 as Error).message).toContain('lake.catalog');
  });

  it('reports corrupt YAML, a missing config and an unreadable key clearly', async () => {
    const dir = join(root, 'corrupt');
    await initWorkspace(dir);
    const users = join(dir, 'users.yaml');
    writeFileSync(users, 'users: [ {id: a, roles: [x}');
    expect(hasCode(await Workspace.load(dir).catch((e: unknown) => e), 'USERS_INVALID')).toBe(true);
    writeFileSync(users, 'users: []\n');
    expect(
      hasCode(await Workspace.load(join(root, 'nothing')).catch((e: unknown) => e), 'CONFIG_MISSING'),
    ).toBe(true);
    chmodSync(join(dir, 'keys', 'workspace.key'), 0o644);
    const ws = await Workspace.load(dir);
    expect(hasCode(await ws.openLake().catch((e: unknown) => e), 'LAKE_KEY_UNREADABLE')).toBe(true);
    chmodSync(join(dir, 'keys', 'workspace.key'), 0o600);
    writeFileSync(join(dir, 'keys', 'workspace.key'), 'bm90IHRoZSByaWdodCBrZXkgYXQgYWxsIG5vIG5vIG5v\n');
    expect(hasCode(await ws.openLake().catch((e: unknown) => e), 'LAKE_KEY_INVALID')).toBe(true);
  });

  it('opens the lake after the workspace folder is moved', async () => {
    const dir = join(root, 'moving');
    const ws = await initWorkspace(dir);
    const lake = await ws.openLake();
    await lake.createTable('t', [{ name: 'x', type: 'INTEGER' }], { author: 't', message: 'm' });
    await lake.append('t', 'SELECT 5 AS x', { author: 't', message: 'm' });
    await lake.close();
    const moved = join(root, 'moved');
    (await import('node:fs')).renameSync(dir, moved);
    const lake2 = await (await Workspace.load(moved)).openLake();
    expect((await lake2.query('SELECT x FROM lake.t')).rows).toEqual([[5]]);
    expect((await lake2.status()).dataPath).toBe(`${join(moved, 'lake', 'data')}/`);
    await lake2.close();
  });
});
