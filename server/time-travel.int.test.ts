// Time travel, governed, on a real lake: a sync removes one organization's encounters; reading at
// the snapshot before the sync (`analyst sql --snapshot/--at`, `asOf` on POST /v1/sql) sees them
// again, under today's policies (the clinician still sees only their organization); `AT (…)` in
// the SQL text stays refused; the audit record names the snapshot read.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  analyst,
  analystExit,
  devToken,
  type LiveServer,
  postJson,
  SYNTHEA_FIXTURE,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

let root = '';
let ws = '';
let org = '';
let server: LiveServer | undefined;
let before: { id: number; time: string };
const tokens: Record<string, string> = {};
const COUNT = 'SELECT count(*) FROM encounters';
const count = (rows: unknown) => Number((rows as unknown[][])[0]?.[0]);

/** `analyst sql --json` as USER with extra flags; the parsed result and the exit code. */
async function cli(user: string, sql: string, flags: string[] = []) {
  const r = await analystExit(['sql', '--workspace', ws, '--as', user, '--json', ...flags, sql]);
  return {
    code: r.code,
    ...(JSON.parse(r.stdout || '{}') as { status?: string; rows?: unknown[][]; snapshot?: number }),
  };
}

const now = { admin: 0, clinician: 0 };
const then = { admin: 0, clinician: 0, orgAtSnapshot: 0 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'time-travel-'));
  const source = join(root, 'export');
  await cp(SYNTHEA_FIXTURE, source, { recursive: true });
  ws = await syntheaWorkspace(join(root, 'ws'), [], source);
  const users = parse(await readFile(join(ws, 'users.yaml'), 'utf8')) as {
    users: Array<{ id: string; attributes?: { organization_id?: string } }>;
  };
  org = users.users.find((u) => u.id === 'clinician')?.attributes?.organization_id ?? '';
  expect(org).not.toBe('');
  then.admin = count((await cli('admin', COUNT)).rows);
  then.clinician = count((await cli('clinician', COUNT)).rows);
  then.orgAtSnapshot = count((await cli('admin', `${COUNT} WHERE organization = '${org}'`)).rows);
  before = (
    JSON.parse((await analyst(['lake', 'snapshots', '--workspace', ws, '--json'])).stdout) as Array<{
      id: number;
      time: string;
    }>
  ).at(-1)!;
  // The next export no longer has the clinician's organization's encounters; a full refresh drops them.
  const csv = join(source, 'encounters.csv');
  const lines = (await readFile(csv, 'utf8')).split('\n');
  const kept = lines.filter((l) => !l.includes(org));
  expect(kept.length).toBeLessThan(lines.length);
  await writeFile(csv, kept.join('\n'));
  await analyst(['sync', '--workspace', ws, '--json']);
  now.admin = count((await cli('admin', COUNT)).rows);
  now.clinician = count((await cli('clinician', COUNT)).rows);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('analyst sql --snapshot / --at', () => {
  it('the sync removed the rows today', () => {
    expect(then.clinician).toBe(then.orgAtSnapshot);
    expect(then.clinician).toBeGreaterThan(0);
    expect(then.clinician).toBeLessThan(then.admin);
    expect(now.clinician).toBe(0);
    expect(now.admin).toBe(then.admin - then.orgAtSnapshot);
  });

  it('reads the removed rows at the old snapshot, by id and by time', async () => {
    const bySnapshot = await cli('admin', COUNT, ['--snapshot', String(before.id)]);
    expect(bySnapshot).toMatchObject({ code: 0, status: 'ok', snapshot: before.id });
    expect(count(bySnapshot.rows)).toBe(then.admin);
    const byTime = await cli('admin', COUNT, ['--at', before.time]);
    expect(byTime).toMatchObject({ code: 0, snapshot: before.id });
    expect(count(byTime.rows)).toBe(then.admin);
  });

  it("applies today's policies to old data: the clinician sees only their organization", async () => {
    const r = await cli('clinician', COUNT, ['--snapshot', String(before.id)]);
    expect(count(r.rows)).toBe(then.orgAtSnapshot);
    const other = await cli('clinician', `${COUNT} WHERE organization <> '${org}'`, [
      '--snapshot',
      String(before.id),
    ]);
    expect(count(other.rows)).toBe(0);
  });

  it('refuses AT in the SQL text and a snapshot that does not exist', async () => {
    const at = await cli('admin', `SELECT count(*) FROM encounters AT (VERSION => ${before.id})`);
    expect(at).toMatchObject({ code: 3, status: 'refused' });
    const missing = await cli('admin', COUNT, ['--snapshot', '999999']);
    expect(missing).toMatchObject({ code: 2, status: 'error' });
    expect((await cli('admin', COUNT, ['--snapshot', '1', '--at', before.time])).code).toBe(2);
  });
});

describe('POST /v1/sql with asOf', () => {
  beforeAll(async () => {
    server = await startServer(ws);
    for (const u of ['admin', 'clinician', 'auditor']) tokens[u] = await devToken(ws, u);
  }, 120_000);
  const sql = (user: string, body: Record<string, unknown>) =>
    postJson(`${server?.url}/v1/sql`, tokens[user] as string, body);

  it('reads at a snapshot or a time, under the caller’s policies', async () => {
    const old = await sql('admin', { sql: COUNT, asOf: { snapshot: before.id } });
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ status: 'ok', snapshot: before.id });
    expect(count((old.body as { rows: unknown }).rows)).toBe(then.admin);
    const byTime = await sql('admin', { sql: COUNT, asOf: { at: before.time } });
    expect(count((byTime.body as { rows: unknown }).rows)).toBe(then.admin);
    const today = await sql('admin', { sql: COUNT });
    expect(count((today.body as { rows: unknown }).rows)).toBe(now.admin);
    expect((today.body as { snapshot?: number }).snapshot).toBeUndefined();
    const clinician = await sql('clinician', { sql: COUNT, asOf: { snapshot: before.id } });
    expect(count((clinician.body as { rows: unknown }).rows)).toBe(then.orgAtSnapshot);
  });

  it('keeps AT in SQL refused, rejects bad asOf values, and needs credentials', async () => {
    const at = await sql('admin', { sql: `SELECT count(*) FROM encounters AT (VERSION => ${before.id})` });
    expect(at.status).toBe(403);
    expect((at.body as { error: { code: string } }).error.code).toBe('SQL_REFUSED');
    const missing = await sql('admin', { sql: COUNT, asOf: { snapshot: 999999 } });
    expect(missing.status).toBe(400);
    expect((missing.body as { error: { code: string } }).error.code).toBe('SNAPSHOT_INVALID');
    expect((await sql('admin', { sql: COUNT, asOf: { at: 'yesterday' } })).status).toBe(400);
    expect((await sql('admin', { sql: COUNT, asOf: { at: '1990-01-01T00:00:00Z' } })).status).toBe(400);
    const anonymous = await fetch(`${server?.url}/v1/sql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql: COUNT, asOf: { snapshot: before.id } }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('names the snapshot in the audit record', async () => {
    const res = await fetch(`${server?.url}/v1/audit?type=request&limit=100`, {
      headers: { Authorization: `Bearer ${tokens.auditor}` },
    });
    expect(res.status).toBe(200);
    const records = (
      (await res.json()) as { records: Array<{ userId?: string; details?: Record<string, unknown> }> }
    ).records;
    const clinician = records.find((r) => r.userId === 'clinician' && r.details?.snapshot !== undefined);
    expect(clinician?.details).toMatchObject({ snapshot: before.id, asOf: { snapshot: before.id } });
    const byTime = records.find(
      (r) => r.userId === 'admin' && (r.details?.asOf as { at?: string } | undefined)?.at === before.time,
    );
    expect(byTime?.details).toMatchObject({ snapshot: before.id, asOf: { at: before.time } });
    // A refused time is audited too, with what was asked.
    expect(
      records.some((r) => (r.details?.asOf as { at?: string } | undefined)?.at === '1990-01-01T00:00:00Z'),
    ).toBe(true);
  });
});
