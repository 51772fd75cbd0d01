// Regression (issue 13, B1), replayed as it was found: against a fresh `analyst init --preset
// synthea` workspace, the facility-scoped clinician guessed a hidden patient's SSN one request at
// a time with `json_extract(... instr(id || '|' || ssn, '<id>|<guess>') ...)`: a right guess made
// the statement fail, a wrong one answered. Now a right and a wrong guess answer alike, through
// `analyst sql` and through `POST /v1/sql`; the same probe aimed at a patient the clinician may
// see still fails (so the probe itself works).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  analyst,
  analystExit,
  devToken,
  type LiveServer,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

let root = '';
let ws = '';
let server: LiveServer;
let token = '';
let hidden: { id: string; ssn: string };
let visible: { id: string; ssn: string };

const attack = (p: { id: string }, guess: string) =>
  `select count(*) from patients where json_extract('1' || left('x', instr(id || '|' || ssn, '${p.id}|${guess}')), '$') is not null`;

async function asAdmin(sql: string): Promise<string[][]> {
  const out = await analyst(['sql', '--workspace', ws, '--as', 'admin', '--json', sql]);
  return (JSON.parse(out.stdout) as { rows: string[][] }).rows;
}

async function cli(sql: string): Promise<{ code: number; body: unknown }> {
  const r = await analystExit(['sql', '--workspace', ws, '--as', 'clinician', '--json', sql]);
  if (!r.stdout.trim()) throw new Error(`analyst sql printed nothing (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, body: JSON.parse(r.stdout) as unknown };
}

async function http(sql: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/v1/sql`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  // Per-request identifiers differ between any two requests.
  delete body.auditId;
  if (typeof body.error === 'object' && body.error !== null)
    delete (body.error as { requestId?: unknown }).requestId;
  return { status: res.status, body };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'side-channel-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  const users = parse(await readFile(join(ws, 'users.yaml'), 'utf8')) as {
    users: Array<{ id: string; attributes?: { organization_id?: string } }>;
  };
  const org = users.users.find((u) => u.id === 'clinician')?.attributes?.organization_id ?? '';
  expect(org).not.toBe('');
  const seenAt = `SELECT 1 FROM encounters e WHERE e.patient = p.id AND e.organization = '${org}'`;
  const [h] = await asAdmin(
    `SELECT id, ssn FROM patients p WHERE NOT EXISTS (${seenAt}) ORDER BY id LIMIT 1`,
  );
  const [v] = await asAdmin(`SELECT id, ssn FROM patients p WHERE EXISTS (${seenAt}) ORDER BY id LIMIT 1`);
  hidden = { id: String(h?.[0]), ssn: String(h?.[1]) };
  visible = { id: String(v?.[0]), ssn: String(v?.[1]) };
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('the SSN-guessing attack as the clinician', () => {
  it('analyst sql: a right guess about a hidden patient answers as a wrong one', async () => {
    expect(await cli(`select count(*) from patients where id = '${hidden.id}'`)).toMatchObject({
      code: 0,
      body: { rows: [[0]] },
    });
    const right = await cli(attack(hidden, hidden.ssn));
    const wrong = await cli(attack(hidden, '000-00-0000'));
    expect(right).toEqual(wrong);
    expect(right.code).toBe(0);
    // Aimed at a patient the clinician may see, the probe raises: it is live.
    expect(await cli(attack(visible, visible.ssn))).toMatchObject({ code: 1, body: { status: 'error' } });
  }, 120_000);

  it('POST /v1/sql: a right guess about a hidden patient answers as a wrong one', async () => {
    // Started only now: the served lake is locked for other processes such as `analyst sql`.
    server = await startServer(ws);
    token = await devToken(ws, 'clinician');
    const right = await http(attack(hidden, hidden.ssn));
    const wrong = await http(attack(hidden, '000-00-0000'));
    expect(right).toEqual(wrong);
    expect(right.status).toBe(200);
    const live = await http(attack(visible, visible.ssn));
    expect(live.status).not.toBe(200);
  }, 120_000);
});
