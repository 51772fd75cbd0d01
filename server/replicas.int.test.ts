// Two `analyst serve` processes on one workspace whose lake catalog is in PostgreSQL: they give
// the same numbers, share conversations, see each other's syncs, and both write one intact audit
// trail (the workspace's SQLite store, locked across processes).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
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

const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `srv_replicas_${process.pid}_${Date.now()}`;
const QUESTIONS = [
  'how many patients by gender',
  'encounters by encounter class',
  'how many patients',
  'number of encounters by year',
];

let root = '';
let ws = '';
let source = '';
let a: LiveServer;
let b: LiveServer;
let token = '';
let adminToken = '';
const requestIds = { a: [] as string[], b: [] as string[] };

async function ask(server: LiveServer, question: string, conversationId?: string) {
  const r = await postJson(`${server.url}/v1/chat`, token, { question, conversationId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  requestIds[server === a ? 'a' : 'b'].push(r.headers.get('x-request-id') as string);
  return r.body as { rows: unknown[][]; conversationId: string; status: string };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'replicas-'));
  source = join(root, 'export');
  await cp(SYNTHEA_FIXTURE, source, { recursive: true });
  ws = await syntheaWorkspace(join(root, 'ws'), ['--catalog', PG_URL, '--catalog-schema', SCHEMA], source);
  // One client asks 16 questions at once here: that is about replicas, not fairness, so one
  // identity may use every slot, wait as long as the test does and spend any query time
  // (issue-fairness tests the caps and the budget).
  const config = parseDocument(await readFile(join(ws, 'analyst.yaml'), 'utf8'));
  config.setIn(['server', 'limits', 'concurrent_queries_per_identity'], 8);
  config.setIn(['server', 'limits', 'queue_wait_ms'], 50_000);
  config.setIn(['server', 'limits', 'query_seconds_per_minute'], 100_000);
  await writeFile(join(ws, 'analyst.yaml'), String(config));
  [a, b] = await Promise.all([startServer(ws), startServer(ws)]);
  [token, adminToken] = await Promise.all([devToken(ws, 'analyst'), devToken(ws, 'admin')]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
  await rm(root, { recursive: true, force: true });
});

describe('two replicas on one workspace', () => {
  it('are two processes on one PostgreSQL-catalogued lake', async () => {
    expect(a.pid).not.toBe(b.pid);
    expect(a.url).not.toBe(b.url);
    expect(await readFile(join(ws, 'analyst.yaml'), 'utf8')).toContain(`catalog_schema: ${SCHEMA}`);
  });

  it('answer the same questions with the same numbers, asked at the same time', async () => {
    const both = await Promise.all(
      QUESTIONS.flatMap((q) => [ask(a, q), ask(b, q), ask(a, q), ask(b, q)]).map((p) =>
        p.then((r) => r.rows),
      ),
    );
    for (let i = 0; i < QUESTIONS.length; i++) {
      const [first, ...rest] = both.slice(i * 4, i * 4 + 4);
      expect((first as unknown[]).length).toBeGreaterThan(0);
      for (const r of rest) expect(r).toEqual(first);
    }
    expect(both[8]).toEqual([[110]]);
  }, 60_000);

  it('share conversations: a follow-up on one replica continues a conversation begun on the other', async () => {
    const first = await ask(a, 'how many patients');
    const follow = await ask(b, 'break that down by gender', first.conversationId);
    expect(follow.conversationId).toBe(first.conversationId);
    expect(follow.rows).toEqual([
      ['M', 57],
      ['F', 53],
    ]);
    const res = await fetch(`${a.url}/v1/conversations/${first.conversationId}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const turns = ((await res.json()) as { turns: Array<{ question: string }> }).turns;
    expect(turns.map((t) => t.question)).toEqual(['how many patients', 'break that down by gender']);
  }, 60_000);

  it('see a sync made through the other replica', async () => {
    const csv = (await readFile(join(source, 'patients.csv'), 'utf8')).trimEnd().split('\n');
    await writeFile(join(source, 'patients.csv'), `${csv.slice(0, -5).join('\n')}\n`);
    const sync = await postJson(`${a.url}/v1/admin/connectors/sync`, adminToken, { connectors: ['synthea'] });
    expect(sync.status).toBe(200);
    expect((sync.body as { ok: boolean }).ok).toBe(true);
    expect((await ask(b, 'how many patients')).rows).toEqual([[105]]);
    expect((await ask(a, 'how many patients')).rows).toEqual([[105]]);
  }, 60_000);

  it('both write one audit trail that verifies intact, with records from each', async () => {
    await Promise.all([a.stop(), b.stop()]);
    const verify = await analystExit(['audit', 'verify', '--workspace', ws, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    const records = JSON.parse(
      (
        await analyst([
          'audit',
          'search',
          '--workspace',
          ws,
          '--type',
          'request',
          '--limit',
          '1000',
          '--json',
        ])
      ).stdout,
    ) as Array<{ requestId?: string }>;
    const ids = new Set(records.map((r) => r.requestId));
    expect(requestIds.a.length).toBeGreaterThan(5);
    expect(requestIds.b.length).toBeGreaterThan(5);
    for (const id of [...requestIds.a, ...requestIds.b]) expect(ids.has(id), id).toBe(true);
  }, 180_000);
});
