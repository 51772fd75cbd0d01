// Connector administration through a real `analyst serve`: admins (or admin-scoped keys) list,
// check and sync sources into the server's own sandboxed lake; answers see the new data at once;
// every admin call lands in the audit trail.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyst,
  devToken,
  type LiveServer,
  postJson,
  SYNTHEA_FIXTURE,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

let root = '';
let ws = '';
let source = '';
let server: LiveServer;
const tokens: Record<string, string> = {};

const get = async (path: string, auth: string) => {
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: auth } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const patientCount = async () => {
  const r = await postJson(`${server.url}/v1/chat`, tokens.analyst as string, {
    question: 'how many patients',
  });
  expect(r.status).toBe(200);
  return (r.body as { rows: unknown[][] }).rows[0]?.[0];
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'connector-admin-'));
  // The source lives outside the workspace: only the sandbox's readDirectories let the server read it.
  source = join(root, 'export');
  await cp(SYNTHEA_FIXTURE, source, { recursive: true });
  ws = await syntheaWorkspace(join(root, 'ws'), [], source);
  server = await startServer(ws);
  await Promise.all(
    ['admin', 'analyst', 'auditor'].map(async (u) => {
      tokens[u] = await devToken(ws, u);
    }),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('connector admin API', () => {
  it('refuses callers without the admin role, and keys without the admin scope', async () => {
    const r = await get('/v1/admin/connectors', `Bearer ${tokens.analyst}`);
    expect(r.status).toBe(403);
    expect((r.body.error as { code: string }).code).toBe('FORBIDDEN');
    const chatKey = JSON.parse(
      (await analyst(['apikey', 'create', '--workspace', ws, '--name', 'bot', '--scopes', 'chat', '--json']))
        .stdout,
    ).key as string;
    expect((await get('/v1/admin/connectors', `Bearer ${chatKey}`)).status).toBe(403);
    expect((await get('/v1/admin/connectors', '')).status).toBe(401);
  });

  it('lists configured connectors without their options, for an admin and an admin-scoped key', async () => {
    const r = await get('/v1/admin/connectors', `Bearer ${tokens.admin}`);
    expect(r.status).toBe(200);
    expect(r.body.connectors).toEqual([
      { name: 'synthea', type: 'synthea', mode: 'full_refresh', streams: 'all' },
    ]);
    expect((r.body.types as Array<{ type: string }>).map((t) => t.type)).toContain('files');
    expect(JSON.stringify(r.body)).not.toContain(source);
    const adminKey = JSON.parse(
      (await analyst(['apikey', 'create', '--workspace', ws, '--name', 'ops', '--scopes', 'admin', '--json']))
        .stdout,
    ).key as string;
    const byKey = await get('/v1/admin/connectors', `Bearer ${adminKey}`);
    expect(byKey.status).toBe(200);
    expect(byKey.body.connectors).toEqual(r.body.connectors);
  });

  it('checks connectors, and answers 404 for a name that is not configured', async () => {
    const ok = await postJson(`${server.url}/v1/admin/connectors/check`, tokens.admin as string, {});
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, results: [{ name: 'synthea', ok: true }] });
    const missing = await postJson(`${server.url}/v1/admin/connectors/check`, tokens.admin as string, {
      connectors: ['nope'],
    });
    expect(missing.status).toBe(404);
    expect((missing.body as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('syncs from a folder outside the lake, and the next answer sees the new data', async () => {
    expect(await patientCount()).toBe(110);
    // Drop ten patients from the export, then sync it through the server.
    const csv = (await readFile(join(source, 'patients.csv'), 'utf8')).trimEnd().split('\n');
    await writeFile(join(source, 'patients.csv'), `${csv.slice(0, -10).join('\n')}\n`);
    const r = await postJson(`${server.url}/v1/admin/connectors/sync`, tokens.admin as string, {
      connectors: ['synthea'],
    });
    expect(r.status).toBe(200);
    const body = r.body as { ok: boolean; streams: Array<{ stream: string; rows: number; status: string }> };
    expect(body.ok).toBe(true);
    expect(body.streams.find((s) => s.stream === 'patients')).toMatchObject({ rows: 100, status: 'ok' });
    expect(await patientCount()).toBe(100);

    const status = await get(
      '/v1/admin/connectors/status?connector=synthea&limit=200',
      `Bearer ${tokens.admin}`,
    );
    expect(status.status).toBe(200);
    const history = status.body.history as Array<{
      runId: string;
      stream: string;
      rows: number;
      startedAt: string;
    }>;
    const latest = history.filter((h) => h.runId === (body.streams[0] as unknown as { runId: string }).runId);
    expect(latest.map((h) => h.stream).sort()).toEqual(body.streams.map((s) => s.stream).sort());
    expect(latest.find((h) => h.stream === 'patients')?.rows).toBe(100);
    // The init's run is older and listed after.
    expect(history.length).toBeGreaterThan(latest.length);
    expect(Date.parse(history[0]?.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(history.at(-1)?.startedAt ?? ''),
    );
  }, 60_000);

  it('shows a table that arrives with a sync at once, without a restart', async () => {
    const meta = async () =>
      (
        (await (
          await fetch(`${server.url}/cubejs-api/v1/meta`, {
            headers: { Authorization: tokens.analyst as string },
          })
        ).json()) as { cubes: Array<{ name: string }> }
      ).cubes.map((c) => c.name);
    // The sample has no observations.csv, so the model's observations cube is left out.
    expect(await meta()).not.toContain('observations');
    const [, first] = (await readFile(join(source, 'encounters.csv'), 'utf8')).split('\n');
    const [encounter, , , patient] = (first as string).split(',');
    await writeFile(
      join(source, 'observations.csv'),
      [
        'DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE',
        ...[1, 2, 3].map(
          (i) =>
            `2014-01-24T10:33:22Z,${patient},${encounter},vital-signs,8302-2,Body Height,17${i},cm,numeric`,
        ),
      ].join('\n'),
    );
    const r = await postJson(`${server.url}/v1/admin/connectors/sync`, tokens.admin as string, {});
    expect((r.body as { ok: boolean }).ok).toBe(true);
    expect(await meta()).toContain('observations');
    const load = await fetch(
      `${server.url}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ measures: ['observations.count'] }))}`,
      { headers: { Authorization: tokens.analyst as string } },
    );
    expect(
      ((await load.json()) as { data: Array<Record<string, unknown>> }).data[0]?.['observations.count'],
    ).toBe(3);
  }, 60_000);

  it('lets the lake read the source folder for syncs, but not callers’ SQL', async () => {
    for (const sql of [
      `SELECT count(*) FROM read_csv('${join(source, 'patients.csv')}')`,
      `SELECT count(*) FROM '${join(source, 'patients.csv')}'`,
    ]) {
      const r = await postJson(`${server.url}/v1/sql`, tokens.admin as string, { sql });
      expect(r.status).toBe(403);
      expect((r.body as { error: { code: string } }).error.code).toBe('SQL_REFUSED');
    }
  });

  it('records every admin action in the audit trail, with who did it', async () => {
    const r = await get('/v1/audit?type=admin&limit=100', `Bearer ${tokens.auditor}`);
    expect(r.status).toBe(200);
    const records = r.body.records as Array<{
      userId?: string;
      details?: { action?: string };
      outcome: string;
    }>;
    const actions = records.map((x) => x.details?.action);
    for (const a of [
      'connectors.list',
      'connectors.check',
      'connectors.sync.start',
      'connectors.sync',
      'connectors.status',
    ])
      expect(actions).toContain(a);
    expect(records.filter((x) => x.details?.action === 'connectors.sync')[0]).toMatchObject({
      userId: 'admin',
      outcome: 'ok',
    });
    expect(records.some((x) => x.userId === 'service:ops')).toBe(true);
    // The refused name was audited as a failed admin action.
    expect(records.some((x) => x.details?.action === 'connectors.check' && x.outcome === 'error')).toBe(true);
  });
});
