// GET /v1/lake/snapshots through a real `analyst serve` on a real Synthea lake: admins and
// auditors see the same list `analyst lake snapshots --json` prints; everyone else is refused;
// every listing lands in the audit trail with who asked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyst, devToken, type LiveServer, startServer, syntheaWorkspace } from './testing/live-server.ts';

let root = '';
let ws = '';
let server: LiveServer;
let cliSnapshots: Array<{ id: number; time: string }> = [];
const tokens: Record<string, string> = {};

const get = async (path: string, auth: string) => {
  const res = await fetch(`${server.url}${path}`, { headers: auth ? { Authorization: auth } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lake-snapshots-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  cliSnapshots = JSON.parse((await analyst(['lake', 'snapshots', '--workspace', ws, '--json'])).stdout);
  for (const u of ['admin', 'auditor', 'analyst', 'clinician']) tokens[u] = await devToken(ws, u);
  server = await startServer(ws);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('GET /v1/lake/snapshots', () => {
  it('lists the snapshots for admins and auditors, as the CLI prints them', async () => {
    expect(cliSnapshots.length).toBeGreaterThan(1);
    for (const user of ['admin', 'auditor']) {
      const r = await get('/v1/lake/snapshots', `Bearer ${tokens[user]}`);
      expect(r.status).toBe(200);
      const snapshots = r.body.snapshots as Array<{ id: number; time: string; author: string | null }>;
      expect(snapshots.map((s) => [s.id, s.time])).toEqual(cliSnapshots.map((s) => [s.id, s.time]));
      expect(snapshots.map((s) => s.id)).toEqual([...snapshots.map((s) => s.id)].sort((a, b) => a - b));
    }
  });

  it('answers 403 to other roles and 401 without credentials', async () => {
    for (const user of ['analyst', 'clinician']) {
      const r = await get('/v1/lake/snapshots', `Bearer ${tokens[user]}`);
      expect(r.status).toBe(403);
      expect((r.body.error as { code: string }).code).toBe('FORBIDDEN');
    }
    expect((await get('/v1/lake/snapshots', '')).status).toBe(401);
    expect((await get('/v1/lake/snapshots', 'Bearer not-a-token')).status).toBe(401);
  });

  it('records each listing in the audit trail, with who asked', async () => {
    const r = await get('/v1/audit?type=admin&limit=100', `Bearer ${tokens.auditor}`);
    expect(r.status).toBe(200);
    const records = (
      r.body.records as Array<{
        userId?: string;
        route?: string;
        outcome: string;
        details?: { action?: string };
      }>
    ).filter((x) => x.details?.action === 'lake.snapshots');
    expect(records.map((x) => [x.userId, x.route, x.outcome]).sort()).toEqual([
      ['admin', 'GET /v1/lake/snapshots', 'ok'],
      ['auditor', 'GET /v1/lake/snapshots', 'ok'],
    ]);
  });
});
