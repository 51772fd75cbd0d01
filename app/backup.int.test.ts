// `analyst backup create` beside a running server (it runs there, through the control socket, while
// the lake stays open), `backup verify` and `backup restore --into`: the restored workspace answers
// the same numbers, its audit trail verifies, and the backup never holds a key.
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type LiveServer, ROOT, startServer, syntheaWorkspace } from '../server/testing/live-server.ts';

const exec = promisify(execFile);
let root = '';
let ws = '';
let server: LiveServer | undefined;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ANALYST_WORKSPACE: '' },
      maxBuffer: 1 << 26,
    });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const SQL =
  'SELECT encounterclass, count(*) AS n, round(sum(total_claim_cost), 2) AS cost FROM encounters GROUP BY 1 ORDER BY 1';

async function sql(workspace: string): Promise<unknown[][]> {
  const r = await cli(['sql', '--workspace', workspace, '--as', 'analyst', '--json', SQL]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { rows: unknown[][] }).rows;
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'backup-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  server = await startServer(ws);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('backup and restore', () => {
  let expected: unknown[][] = [];
  let snapshot = 0;

  it('backs up a served workspace at one snapshot, without its keys', async () => {
    expected = await sql(ws);
    const r = await cli(['backup', 'create', join(root, 'bk'), '--workspace', ws, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { snapshot: number; rows: number; keys: string[] };
    expect(summary.rows).toBeGreaterThan(40_000);
    snapshot = summary.snapshot;
    const snaps = JSON.parse(
      (await cli(['lake', 'snapshots', '--workspace', ws, '--json'])).stdout,
    ) as Array<{
      id: number;
    }>;
    expect(snaps.at(-1)?.id).toBe(snapshot);
    // The keys are referenced, never copied: no file of the backup holds a key's bytes.
    expect(summary.keys).toContain(join(ws, 'keys', 'workspace.key'));
    const key = (await readFile(join(ws, 'keys', 'workspace.key'), 'utf8')).trim();
    for (const f of await allFiles(join(root, 'bk')))
      expect((await readFile(f)).includes(key), f).toBe(false);
    // Recorded in the audit trail like an export.
    const search = await cli(['audit', 'search', '--workspace', ws, '--type', 'export', '--json']);
    const records = JSON.parse(search.stdout) as Array<{ route: string; details?: { snapshot?: number } }>;
    expect(records.find((x) => x.route === 'analyst backup create')?.details?.snapshot).toBe(snapshot);
  }, 240_000);

  it('verifies the backup by its hashes and by opening its lake', async () => {
    const ok = await cli(['backup', 'verify', join(root, 'bk'), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, snapshot, problems: [] });
  }, 120_000);

  it('restores into a new folder that answers the same numbers and whose audit trail verifies', async () => {
    await server?.stop();
    server = undefined;
    const into = join(root, 'restored');
    const r = await cli(['backup', 'restore', join(root, 'bk'), '--into', into, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ into, snapshot });
    expect(await sql(into)).toEqual(expected);
    const verify = await cli(['audit', 'verify', '--workspace', into, '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const again = await cli(['backup', 'restore', join(root, 'bk'), '--into', into]);
    expect(again.code).toBe(2);
  }, 240_000);

  it('refuses to restore a backup whose data changed', async () => {
    const data = (await allFiles(join(root, 'bk', 'lake', 'data'))).find((f) => f.endsWith('.parquet'));
    await appendFile(data as string, 'x');
    const bad = await cli(['backup', 'verify', join(root, 'bk'), '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.stringify(JSON.parse(bad.stdout).problems)).toContain('changed since the backup');
    const r = await cli(['backup', 'restore', join(root, 'bk'), '--into', join(root, 'restored-2')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('BACKUP_INVALID');
  }, 120_000);
});
