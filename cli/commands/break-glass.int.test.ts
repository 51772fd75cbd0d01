// `analyst break-glass` end to end (each step a real `analyst` process, hence the long timeouts): the grant is recorded (reason encrypted, who granted it) and
// paged, the doctor shows it in force, and a grant without a real reason or past the time box is
// refused with exit 3 and recorded too.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../incidents/testing/pager-receiver.ts';

const BIN = fileURLToPath(new URL('../../bin/analyst.mjs', import.meta.url));
const ws = mkdtempSync(join(tmpdir(), 'break-glass-cli-'));
const REASON = 'Unconscious patient in ED, allergy history needed';
let pager: Receiver;

function analyst(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--workspace', ws, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  pager = await startReceiver();
  // A workspace without a lake: break-glass and the doctor only need the audit trail.
  mkdirSync(join(ws, 'keys'), { mode: 0o700 });
  writeFileSync(join(ws, 'keys', 'workspace.key'), 'cli-test-workspace-key-0123456789\n');
  chmodSync(join(ws, 'keys', 'workspace.key'), 0o600);
  writeFileSync(
    join(ws, 'analyst.yaml'),
    `version: 1
lake: { catalog: duckdb }
incident:
  on_call: oncall@example.org
  webhook: "${pager.url}"
  break_glass: { roles: [clinician-all-sites], max_minutes: 60 }
`,
  );
});
afterAll(async () => {
  await pager.close();
  rmSync(ws, { recursive: true, force: true });
});

describe('analyst break-glass', () => {
  it('grants the configured roles for a reason, records and pages it, and the doctor shows it', async () => {
    const r = await analyst(
      'break-glass',
      '--user',
      'dr-lee',
      '--reason',
      REASON,
      '--minutes',
      '30',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const grant = JSON.parse(r.stdout) as {
      userId: string;
      roles: string[];
      expiresAt: string;
      auditId: string;
    };
    expect(grant).toMatchObject({ userId: 'dr-lee', roles: ['clinician-all-sites'] });
    const minutes = (Date.parse(grant.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(25);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(r.stdout).not.toContain('Unconscious');

    expect(pager.posts.map((p) => p.body.kind)).toEqual(['break_glass_granted']);
    expect(JSON.stringify(pager.posts)).not.toContain('Unconscious');

    const records = JSON.parse(
      (await analyst('audit', 'search', '--type', 'break_glass', '--json')).stdout,
    ) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: grant.auditId, userId: 'dr-lee', outcome: 'ok', reason: REASON });
    expect(String((records[0]?.details as { by?: string } | undefined)?.by)).toMatch(/^cli/);

    const doctor = JSON.parse((await analyst('doctor', '--json')).stdout) as {
      checks: Array<{ id: number; evidence: string[] }>;
    };
    const incident = doctor.checks.find((c) => c.id === 6);
    expect(incident?.evidence).toContain(
      `Break-glass in force: dr-lee holds clinician-all-sites until ${grant.expiresAt}.`,
    );
  }, 240_000);

  it('refuses a grant without a real reason or past the time box (exit 3), and records the refusal', async () => {
    const short = await analyst(
      'break-glass',
      '--user',
      'u',
      '--reason',
      'because',
      '--minutes',
      '10',
      '--json',
    );
    expect(short.code).toBe(3);
    expect(JSON.parse(short.stderr).error.code).toBe('BREAK_GLASS_REFUSED');
    const long = await analyst('break-glass', '--user', 'u', '--reason', REASON, '--minutes', '90', '--json');
    expect(long.code).toBe(3);
    const refused = JSON.parse(
      (await analyst('audit', 'search', '--type', 'break_glass', '--user', 'u', '--json')).stdout,
    ) as Array<{ outcome: string }>;
    expect(refused.map((x) => x.outcome)).toEqual(['refused', 'refused']);
    expect((await analyst('break-glass', '--user', 'u', '--reason', REASON, '--minutes', 'soon')).code).toBe(
      2,
    );
  }, 240_000);
});
