// The `analyst` executable as a user runs it: exit codes, JSON on stdout, errors on stderr.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/analyst.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cli-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function analyst(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ANALYST_WORKSPACE: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('analyst CLI', () => {
  it('init then lake status --json shows an encrypted DuckLake', () => {
    const ws = join(root, 'ws');
    expect(analyst('init', ws).code).toBe(0);
    const r = analyst('lake', 'status', '--workspace', ws, '--json');
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ format: 'ducklake', catalog: 'duckdb', encrypted: true, tables: [] });
    expect(status.dataPath).toBe(`${join(ws, 'lake', 'data')}/`);
    expect(typeof status.snapshots).toBe('number');
    const snaps = analyst('lake', 'snapshots', '--workspace', ws, '--json');
    expect(JSON.parse(snaps.stdout).length).toBe(status.snapshots);
    const m = analyst('lake', 'maintain', '--workspace', ws, '--json');
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout)).toHaveProperty('expiredSnapshots');
  });

  it('exits 2 on usage errors and 1 with a stable code on errors', () => {
    expect(analyst('no-such-command').code).toBe(2);
    const missing = analyst('lake', 'status', '--workspace', join(root, 'none'), '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr).error.code).toBe('CONFIG_MISSING');
    const exists = analyst('init', root);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('WORKSPACE_EXISTS');
  });
});
