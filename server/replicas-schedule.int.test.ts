// Two `analyst serve` replicas on a PostgreSQL-catalogued lake: a table that one replica's sync
// creates is answered by the other without a restart (it follows the catalog's snapshot id), and a
// scheduled connector runs at most once per time slot across both.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import {
  devToken,
  type LiveServer,
  postJson,
  SYNTHEA_FIXTURE,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `srv_sched_${process.pid}_${Date.now()}`;
const WATCH = { ANALYST_SNAPSHOT_WATCH_MS: '1000' };

let root = '';
let ws = '';
let source = '';
let a: LiveServer | undefined;
let b: LiveServer | undefined;
let admin = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'replicas-sched-'));
  source = join(root, 'export');
  await cp(SYNTHEA_FIXTURE, source, { recursive: true });
  // The allergies file arrives later: its table does not exist when the replicas start.
  await rm(join(source, 'allergies.csv'));
  ws = await syntheaWorkspace(join(root, 'ws'), ['--catalog', PG_URL, '--catalog-schema', SCHEMA], source);
  [a, b] = await Promise.all([startServer(ws, [], WATCH), startServer(ws, [], WATCH)]);
  admin = await devToken(ws, 'admin');
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
  await rm(root, { recursive: true, force: true });
});

const allergies = (server: LiveServer) =>
  postJson(`${server.url}/v1/sql`, admin, { sql: 'SELECT count(*) AS n FROM allergies' });

describe('replicas on one PostgreSQL catalog', () => {
  it('answer a table that the other replica’s sync created, without a restart', async () => {
    const before = await allergies(b as LiveServer);
    expect(before.status).not.toBe(200);
    await cp(join(SYNTHEA_FIXTURE, 'allergies.csv'), join(source, 'allergies.csv'));
    const sync = await postJson(`${a?.url}/v1/admin/connectors/sync`, admin, { connectors: ['synthea'] });
    expect(sync.status).toBe(200);
    const expected =
      (await readFile(join(SYNTHEA_FIXTURE, 'allergies.csv'), 'utf8')).trimEnd().split('\n').length - 1;
    // Replica b ran no sync: it sees the table once it notices the catalog moved.
    for (;;) {
      const r = await allergies(b as LiveServer);
      if (r.status === 200) {
        expect((r.body as { rows: unknown[][] }).rows).toEqual([[expected]]);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(b?.stderr()).toContain('lake changed: model reloaded');
  }, 180_000);

  it('run a scheduled connector at most once per time slot across both', async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const config = parseDocument(await readFile(join(ws, 'analyst.yaml'), 'utf8'));
    config.setIn(['connectors', 'synthea', 'schedule'], '*/10 * * * * *');
    await writeFile(join(ws, 'analyst.yaml'), String(config));
    const since = Date.now();
    [a, b] = await Promise.all([startServer(ws, [], WATCH), startServer(ws, [], WATCH)]);
    type Row = { runId: string; startedAt: string };
    let runs = new Map<string, number>();
    // Until the replicas have run two slots between them (a sync of the fixture can take longer
    // than a slot on a loaded machine, so slots are skipped while one runs).
    while (runs.size < 2) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const res = await fetch(`${a.url}/v1/admin/connectors/status?connector=synthea&limit=1000`, {
        headers: { Authorization: `Bearer ${admin}` },
      });
      const history = ((await res.json()) as { history: Row[] }).history;
      runs = new Map();
      for (const h of history) {
        const t = Date.parse(h.startedAt);
        if (t < since) continue;
        runs.set(h.runId, Math.min(runs.get(h.runId) ?? t, t));
      }
    }
    const slots = [...runs.values()].map((t) => Math.floor(t / 10_000));
    expect(new Set(slots).size).toBe(slots.length);
    // Each replica says what it did: one ran a slot, the other skipped it or ran another.
    const statuses = await Promise.all(
      [a, b].map(async (s) => {
        const res = await fetch(`${s?.url}/v1/connectors/status`, {
          headers: { Authorization: `Bearer ${admin}` },
        });
        return (
          (await res.json()) as { connectors: Array<{ name: string; lastRun: { status: string } | null }> }
        ).connectors;
      }),
    );
    for (const s of statuses) expect(s.find((x) => x.name === 'synthea')?.lastRun).not.toBeNull();
  }, 600_000);
});
