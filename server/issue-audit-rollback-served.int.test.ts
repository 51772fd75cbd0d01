// Issue 13 B4 against a served workspace: records written by a running `analyst serve` (dev
// sign-ins are audited) are anchored when it seals; rolling audit.db back between two runs is
// found by `analyst audit verify`, and a server whose signing key was swapped refuses to start.
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAuditSigningKey } from '../workspace/index.ts';
import { analyst, analystExit, serveRefusal, startServer } from './testing/live-server.ts';

let root = '';
let ws = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'audit-rollback-served-'));
  ws = join(root, 'ws');
  await analyst(['init', ws, '--json']);
}, 60_000);

afterAll(() => rm(root, { recursive: true, force: true }));

/** Serve, sign in `count` times (each an audit record), stop (the server seals and anchors). */
async function serveAndSignIn(count: number): Promise<void> {
  const server = await startServer(ws);
  try {
    for (let i = 0; i < count; i++) {
      const res = await fetch(new URL('/v1/dev/token', server.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"user":"analyst"}',
      });
      expect(res.status).toBe(200);
    }
  } finally {
    expect(await server.stop()).toBe(0);
  }
}

describe('a served workspace', () => {
  it('verifies while intact; audit.db copied back between two runs fails verify (exit 1)', async () => {
    await serveAndSignIn(2);
    expect((await analystExit(['audit', 'verify', '--workspace', ws])).code).toBe(0);

    const db = join(ws, 'audit', 'audit.db');
    expect(existsSync(`${db}-wal`)).toBe(false);
    copyFileSync(db, join(root, 'audit.db.copy'));
    await serveAndSignIn(3);
    copyFileSync(join(root, 'audit.db.copy'), db);

    const r = await analystExit(['audit', 'verify', '--workspace', ws, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { firstProblem: { kind: string; message: string } };
    expect(report.firstProblem.kind).toBe('anchor');
    expect(report.firstProblem.message).toContain('behind its anchor');
  }, 120_000);

  it('refuses to start under a signing key other than the pinned one', async () => {
    const keyPath = join(ws, 'keys', 'audit-signing.key');
    rmSync(keyPath);
    writeFileSync(keyPath, newAuditSigningKey().pem, { mode: 0o600 });
    const refused = await serveRefusal(ws, []);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain('"listening"');
    expect(refused.stderr).toContain('AUDIT_KEY_UNTRUSTED');
  }, 60_000);
});
