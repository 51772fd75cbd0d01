import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, auditLogConfig } from '../../audit/index.ts';
import { keyFingerprint, Workspace } from '../../workspace/index.ts';

const BIN = fileURLToPath(new URL('../../bin/analyst.mjs', import.meta.url));
const ws = mkdtempSync(join(tmpdir(), 'audit-cli-'));

function analyst(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--workspace', ws, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  // A workspace without a lake: the audit commands never open it.
  mkdirSync(join(ws, 'keys'), { mode: 0o700 });
  writeFileSync(join(ws, 'keys', 'workspace.key'), 'cli-test-workspace-key-0123456789\n');
  chmodSync(join(ws, 'keys', 'workspace.key'), 0o600);
  writeFileSync(
    join(ws, 'analyst.yaml'),
    `version: 1
lake: { catalog: duckdb }
audit: { checkpoint_every: 3 }
incident: { on_call: oncall@example.org, webhook: "https://pager.example.org/hook" }
`,
  );
  const log = await AuditLog.open(auditLogConfig(await Workspace.load(ws)));
  for (const [i, user] of ['ana', 'ben', 'ana', 'cy'].entries()) {
    await log.append({
      type: 'request',
      outcome: 'ok',
      userId: user,
      route: 'POST /v1/chat',
      prompt: `prompt ${i}`,
    });
  }
  await log.close();
  // Pin the key the log just made, as analyst init does (an unpinned key is a doctor gap).
  const pem = readFileSync(join(ws, 'keys', 'audit-signing.key'), 'utf8');
  writeFileSync(
    join(ws, 'analyst.yaml'),
    readFileSync(join(ws, 'analyst.yaml'), 'utf8').replace(
      'audit: { checkpoint_every: 3 }',
      `audit: { checkpoint_every: 3, signing_key_fingerprint: "${keyFingerprint(createPublicKey(pem))}" }`,
    ),
  );
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('analyst audit', () => {
  it('search --user --json prints a JSON array, newest first, with prompts decrypted', async () => {
    const r = await analyst('audit', 'search', '--user', 'ana', '--json');
    expect(r.code).toBe(0);
    const records = JSON.parse(r.stdout) as { seq: number; userId: string; prompt: string }[];
    expect(records.map((x) => [x.seq, x.userId, x.prompt])).toEqual([
      [3, 'ana', 'prompt 2'],
      [1, 'ana', 'prompt 0'],
    ]);
    expect((await analyst('audit', 'search', '--type', 'nonsense')).code).toBe(2);
  });

  it('export --format jsonl --out writes every record to a 0600 file', async () => {
    const out = join(ws, 'export.jsonl');
    const r = await analyst('audit', 'export', '--format', 'jsonl', '--out', out);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'request').map((l) => l.prompt)).toEqual([
      'prompt 0',
      'prompt 1',
      'prompt 2',
      'prompt 3',
    ]);
    expect(lines.some((l) => l.type === 'export')).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('verify exits 0 when intact, 1 and names the spot when a record was altered', async () => {
    const ok = await analyst('audit', 'verify', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, firstProblem: null });

    const db = new Database(join(ws, 'audit', 'audit.db'));
    db.prepare(`UPDATE audit_records SET user_id = 'nobody' WHERE seq = 2`).run();
    db.close();
    const bad = await analyst('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/ALTERED/);
    expect(bad.stdout).toMatch(/modified\s+Record 2 \([0-9a-f-]+\) was modified/);
    const db2 = new Database(join(ws, 'audit', 'audit.db'));
    db2.prepare(`UPDATE audit_records SET user_id = 'ben' WHERE seq = 2`).run();
    db2.close();
  });

  it('retention reports what it purged', async () => {
    const r = await analyst('audit', 'retention', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ legalHold: false, bodiesPurged: 0, recordsDeleted: 0 });
  });
});

describe('analyst doctor', () => {
  it('--json prints the six checks; --strict exits 1 on a gap and 0 once it is fixed', async () => {
    mkdirSync(join(ws, 'model'), { recursive: true });
    writeFileSync(
      join(ws, 'model', 'patients.yml'),
      'cubes:\n  - name: patients\n    dimensions:\n      - { name: ssn, sql: ssn, type: string, meta: { phi: direct } }\n',
    );
    expect((await analyst('audit', 'verify')).code).toBe(0);
    const gap = await analyst('doctor', '--strict', '--json');
    expect(gap.code).toBe(1);
    const report = JSON.parse(gap.stdout);
    expect(Object.keys(report)).toEqual(['ok', 'checks', 'residency']);
    expect(report.checks.map((c: { id: number; ok: boolean }) => [c.id, c.ok])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, true],
      [6, true],
    ]);
    expect((await analyst('doctor', '--json')).code).toBe(0);

    writeFileSync(
      join(ws, 'model', 'patients.yml'),
      'cubes:\n  - name: patients\n    dimensions:\n      - { name: ssn, sql: ssn, type: string, meta: { phi: direct } }\n    access_policy:\n      - role: clinician\n',
    );
    const fixed = await analyst('doctor', '--strict');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('direct identifiers (ssn) visible to clinician');
  });
});
