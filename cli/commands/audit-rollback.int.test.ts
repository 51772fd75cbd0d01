// Issue 13 B4 replayed through the CLI on workspaces made by `analyst init`: init pins the audit
// signing key and anchors checkpoints outside the store, so `analyst audit verify` exits non-zero
// when the store is copied back over, or the key in keys/ is swapped; a signing key from a KMS
// command with its pin in a trust file outside the workspace verifies the same way.
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AuditLog, auditLogConfig } from '../../audit/index.ts';
import { hasCode } from '../../core/index.ts';
import { CONFIG_FILE, keyFingerprint, newAuditSigningKey, Workspace } from '../../workspace/index.ts';

const BIN = fileURLToPath(new URL('../../bin/analyst.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'audit-rollback-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function analyst(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ANALYST_WORKSPACE: '' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function append(ws: string, count: number): Promise<void> {
  const log = await AuditLog.open(auditLogConfig(await Workspace.load(ws)));
  try {
    for (let i = 0; i < count; i++)
      await log.append({
        type: 'request',
        outcome: 'ok',
        userId: 'ana',
        route: 'POST /v1/chat',
        prompt: `p${i}`,
      });
  } finally {
    await log.close();
  }
}

function editConfig(ws: string, change: (config: Record<string, Record<string, unknown>>) => void): void {
  const path = join(ws, CONFIG_FILE);
  const config = parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
  change(config);
  writeFileSync(path, stringify(config));
}

const verify = (ws: string) => analyst('audit', 'verify', '--workspace', ws, '--json');

let ws = '';
beforeAll(async () => {
  ws = join(root, 'ws');
  const init = await analyst('init', ws, '--json');
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

describe('analyst audit verify against rollback', () => {
  it('init pins the signing key it made and anchors outside the store', () => {
    const audit = (parse(readFileSync(join(ws, CONFIG_FILE), 'utf8')) as { audit: Record<string, unknown> })
      .audit;
    const pem = readFileSync(join(ws, 'keys', 'audit-signing.key'), 'utf8');
    expect(audit.signing_key_fingerprint).toBe(keyFingerprint(createPublicKey(pem)));
    expect(audit.anchors).toEqual([{ file: 'audit/anchors.log' }]);
  });

  it('passes while intact, fails (exit 1) when audit.db is copied back over newer records', async () => {
    await append(ws, 5);
    const intact = await verify(ws);
    expect(intact.code, intact.stderr).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, anchors: { files: 1 } });

    const db = join(ws, 'audit', 'audit.db');
    copyFileSync(db, join(root, 'audit.db.copy'));
    await append(ws, 3);
    copyFileSync(join(root, 'audit.db.copy'), db);
    const rolledBack = await verify(ws);
    expect(rolledBack.code).toBe(1);
    const report = JSON.parse(rolledBack.stdout) as {
      ok: boolean;
      firstProblem: { kind: string; message: string };
    };
    expect(report.ok).toBe(false);
    expect(report.firstProblem.kind).toBe('anchor');
    expect(report.firstProblem.message).toContain('behind its anchor');
    // Human output names it too.
    const text = await analyst('audit', 'verify', '--workspace', ws);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('audit log ALTERED');
  });

  it('analyst doctor names the rollback too, whatever the copied-back store says of its last verify', async () => {
    const r = await analyst('doctor', '--workspace', ws, '--json');
    const audit = (
      JSON.parse(r.stdout) as { checks: Array<{ id: number; ok: boolean; gaps: string[] }> }
    ).checks.find((c) => c.id === 3);
    expect(audit?.ok).toBe(false);
    // The verify runs above wrote on past the rollback: their checkpoints differ from the anchored ones.
    expect(audit?.gaps.join('\n')).toMatch(/does not match its anchors: .*(behind|differs from) its anchor/);
  });

  it('refuses (exit 1, naming both fingerprints) a log whose key in keys/ was swapped', async () => {
    const other = join(root, 'rekeyed');
    expect((await analyst('init', other, '--json')).code).toBe(0);
    await append(other, 3);
    const keyPath = join(other, 'keys', 'audit-signing.key');
    const pinned = keyFingerprint(createPublicKey(readFileSync(keyPath, 'utf8')));
    const swapped = newAuditSigningKey();
    rmSync(keyPath);
    writeFileSync(keyPath, swapped.pem, { mode: 0o600 });
    const r = await verify(other);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AUDIT_KEY_UNTRUSTED');
    expect(r.stderr).toContain(pinned);
    expect(r.stderr).toContain(swapped.fingerprint);
  }, 60_000);

  it('takes the signing key from a KMS command and the pin from a trust file outside the workspace', async () => {
    const kms = join(root, 'kms');
    expect((await analyst('init', kms, '--json')).code).toBe(0);
    // The key leaves keys/: a "KMS" command prints it; the pin moves to a trust file.
    const keyPath = join(kms, 'keys', 'audit-signing.key');
    const held = join(root, 'kms-held.pem');
    copyFileSync(keyPath, held);
    rmSync(keyPath);
    const trust = join(root, 'audit-trust');
    writeFileSync(trust, `${keyFingerprint(createPublicKey(readFileSync(held, 'utf8')))}\n`);
    editConfig(kms, (c) => {
      c.audit = {
        ...c.audit,
        signing_key: {
          source: 'command',
          command: [
            process.execPath,
            '-e',
            `process.stdout.write(require('fs').readFileSync(${JSON.stringify(held)}, 'utf8'))`,
          ],
        },
        signing_key_fingerprint: `\${file:${trust}}`,
      };
    });
    await append(kms, 4);
    const ok = await verify(kms);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });

    // A trust file that holds no fingerprint is a clear configuration error.
    writeFileSync(trust, 'not a fingerprint\n');
    const garbled = await Workspace.load(kms)
      .then((w) => auditLogConfig(w))
      .catch((e: unknown) => e);
    expect(hasCode(garbled, 'AUDIT_CONFIG_INVALID')).toBe(true);
    writeFileSync(trust, `${keyFingerprint(createPublicKey(readFileSync(held, 'utf8')))}\n`);

    // The broker hands out another key: refused against the trust file's pin.
    writeFileSync(held, newAuditSigningKey().pem);
    const refused = await verify(kms);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('AUDIT_KEY_UNTRUSTED');
  }, 60_000);
});
