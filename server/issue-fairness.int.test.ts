// Issue 13 (B3): one caller must not shut every other caller out. A real `analyst serve` over the
// Synthea sample; attackers hold connections with bodies that never finish, or run heavy queries,
// or use an embed token; another identity's requests must still be answered. Outcomes only
// (status codes), no timing thresholds: the waits below only give the attack time to land.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { devToken, type LiveServer, postJson, startServer, syntheaWorkspace } from './testing/live-server.ts';

const SLOTS = 4;
/** Far more than a lake query may take here (5 s): it always ends in the query timeout. */
const HEAVY = 'select sum(length(a.id || b.id || c.id)) from encounters a, encounters b, encounters c';
const LIGHT = 'select count(*) as n from patients';

let root = '';
let ws = '';
let server: LiveServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairness-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  const yamlPath = join(ws, 'analyst.yaml');
  const doc = parseDocument(await readFile(yamlPath, 'utf8'));
  doc.setIn(['lake', 'query_timeout_ms'], 5000);
  doc.setIn(['server', 'limits', 'concurrent_queries'], SLOTS);
  doc.setIn(['server', 'limits', 'concurrent_queries_per_identity'], 2);
  doc.setIn(['server', 'limits', 'concurrent_queries_per_embed_token'], 2);
  doc.setIn(['server', 'limits', 'body_timeout_ms'], 3000);
  doc.setIn(['server', 'limits', 'queue_wait_ms'], 2000);
  doc.setIn(['server', 'limits', 'query_seconds_per_minute'], 8);
  await writeFile(yamlPath, doc.toString());
  // One fresh victim per scenario, so no scenario's victim has spent any of its budget before.
  const users = await readFile(join(ws, 'users.yaml'), 'utf8');
  const victims = ['victim-1', 'victim-2', 'victim-3', 'victim-4'];
  await writeFile(
    join(ws, 'users.yaml'),
    `${users.trimEnd()}\n${victims.map((id) => `  - id: ${id}\n    name: ${id}\n    roles: [analyst]\n    attributes: {}\n`).join('')}`,
  );
  server = await startServer(ws);
  for (const user of ['admin', 'clinician', ...victims]) tokens[user] = await devToken(ws, user);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A raw connection that sends a request's headers with `Content-Length: 1000` and then only the
 * first bytes of its body, and never the rest. Resolves with all the server wrote once it closes.
 */
function slowBody(path: string, token: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sql": "sel',
    );
  });
}

const sql = (user: string, statement: string) =>
  postJson(`${server.url}/v1/sql`, tokens[user] ?? '', { sql: statement });

async function cubeLoad(user: string): Promise<number> {
  const res = await fetch(`${server.url}/cubejs-api/v1/load`, {
    method: 'POST',
    headers: { Authorization: tokens[user] ?? '', 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: { measures: ['patients.count'] } }),
  });
  await res.text();
  return res.status;
}

const tileData = (user: string) =>
  postJson(`${server.url}/v1/dashboards/synthea/tiles/patients-seen/data`, tokens[user] ?? '', {
    filters: {},
  });

describe('issue 13 B3: one caller cannot shut every other caller out', () => {
  it('slow bodies hold no query slot: with 2×SLOTS never-finished bodies open, another identity is answered; the slow ones get 408', async () => {
    const attack = Array.from({ length: SLOTS * 2 }, () => slowBody('/v1/sql', tokens.clinician ?? ''));
    await sleep(1000);
    const victim = await sql('victim-1', LIGHT);
    expect(victim.status).toBe(200);
    expect(await cubeLoad('victim-1')).toBe(200);
    expect((await tileData('victim-1')).status).toBe(200);
    for (const reply of await Promise.all(attack)) expect(reply).toMatch(/^HTTP\/1\.1 408 /);
  }, 60_000);

  it('a body that arrives whole but is invalid is refused with 400 and no slot, and valid bodies still run', async () => {
    const bad = await postJson(`${server.url}/v1/sql`, tokens['victim-1'] ?? '', { sql: '' });
    expect(bad.status).toBe(400);
    expect((await sql('victim-1', LIGHT)).status).toBe(200);
  }, 60_000);

  it('eight heavy queries from one identity take at most its share: another identity’s SQL, Cube and chat are answered', async () => {
    const heavy = Array.from({ length: 8 }, () => sql('clinician', HEAVY));
    await sleep(1000);
    expect((await sql('victim-2', LIGHT)).status).toBe(200);
    expect(await cubeLoad('victim-2')).toBe(200);
    const chat = await postJson(`${server.url}/v1/chat`, tokens['victim-2'] ?? '', {
      question: 'how many patients are there?',
    });
    expect(chat.status).toBe(200);
    const statuses = (await Promise.all(heavy)).map((r) => r.status);
    // Two ran into the lake's query timeout (504); the rest waited their bounded turn and got 503.
    expect(statuses.filter((s) => s === 504).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 503 || s === 504 || s === 429)).toBe(true);
  }, 120_000);

  it('an embed token alone cannot take every slot: its slow bodies and requests leave room for others', async () => {
    const issued = await postJson(`${server.url}/v1/embed-tokens`, tokens.admin ?? '', {
      dashboardId: 'synthea',
      viewer: { id: 'portal-user', roles: ['analyst'], attributes: {} },
      allowedOrigins: ['https://portal.example.org'],
    });
    expect(issued.status).toBe(201);
    const embedToken = (issued.body as { token: string }).token;
    const path = '/v1/embed/dashboards/synthea/tiles/patients-seen/data';
    const attack = Array.from({ length: SLOTS * 2 }, () => slowBody(path, embedToken));
    await sleep(1000);
    // The embed token's own requests still work (it is limited, not locked out) …
    expect((await postJson(`${server.url}${path}`, embedToken, { filters: {} })).status).toBe(200);
    // … and so does everybody else's.
    expect((await sql('victim-3', LIGHT)).status).toBe(200);
    expect((await tileData('victim-3')).status).toBe(200);
    for (const reply of await Promise.all(attack)) expect(reply).toMatch(/^HTTP\/1\.1 408 /);
  }, 60_000);

  it('an identity that spent its query time for the minute gets 429 with Retry-After; others are answered', async () => {
    // Two heavy queries at once: each runs until the 5 s query timeout, 10 s against a budget of 8.
    const spent = await Promise.all([sql('admin', HEAVY), sql('admin', HEAVY)]);
    expect(spent.map((r) => r.status)).toEqual([504, 504]);
    const refused = await sql('admin', LIGHT);
    expect(refused.status).toBe(429);
    expect((refused.body as { error: { code: string } }).error.code).toBe('QUERY_BUDGET_SPENT');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await sql('victim-4', LIGHT)).status).toBe(200);
  }, 120_000);
});

describe('issue 13 B3: a memory bomb', () => {
  // Its own server on the same workspace, under a small OS memory limit and a long query timeout,
  // so the statement ends on memory, not on time.
  beforeAll(async () => {
    await server.stop();
    const yamlPath = join(ws, 'analyst.yaml');
    const doc = parseDocument(await readFile(yamlPath, 'utf8'));
    doc.setIn(['lake', 'query_timeout_ms'], 120_000);
    doc.setIn(['server', 'limits', 'process_memory'], '1500MB');
    await writeFile(yamlPath, doc.toString());
    server = await startServer(ws);
  }, 120_000);

  it('gets a clean error, and the server answers the next request', async () => {
    expect(server.stderr()).toContain('process memory limit applied');
    // DuckDB's own limit (none set in analyst.yaml) is put well inside the process limit.
    expect(server.stderr()).toContain('"lakeMemoryLimit":"900MB"');
    // Every encounter against every encounter, concatenated into one string: gigabytes, growing
    // outside DuckDB's own buffer pool.
    const bomb = await sql(
      'victim-4',
      "select length(string_agg(a.id || b.id, ',')) from encounters a, encounters b",
    );
    expect(bomb.status).toBe(400);
    expect(bomb.body).toMatchObject({ error: { code: 'SQL_FAILED' } });
    expect((bomb.body as { error: { message: string } }).error.message).toMatch(/memory/);
    expect((await sql('victim-1', LIGHT)).status).toBe(200);
    expect(await cubeLoad('victim-1')).toBe(200);
  }, 180_000);
});

describe('issue 13 B3: a serving process that dies', () => {
  // server.supervise: the port is held by a supervisor, the runtime runs in a child it replaces.
  beforeAll(async () => {
    await server.stop();
    const yamlPath = join(ws, 'analyst.yaml');
    const doc = parseDocument(await readFile(yamlPath, 'utf8'));
    doc.setIn(['server', 'supervise'], true);
    await writeFile(yamlPath, doc.toString());
    server = await startServer(ws);
  }, 120_000);

  it('is replaced while the server keeps its port, and the next request is answered', async () => {
    expect((await sql('victim-1', LIGHT)).status).toBe(200);
    const child = Number(/"child":(\d+),"msg":"serving process started"/.exec(server.stderr())?.[1]);
    expect(child).toBeGreaterThan(0);
    expect(child).not.toBe(server.pid);
    // What the kernel's OOM killer does.
    process.kill(child, 'SIGKILL');
    // A new connection waits at the supervisor until the replacement is ready.
    expect((await sql('victim-1', LIGHT)).status).toBe(200);
    expect(server.stderr()).toContain('serving process ended; starting another');
    const children = [...server.stderr().matchAll(/"child":(\d+),"msg":"serving process started"/g)];
    expect(children.length).toBe(2);
    expect(() => process.kill(server.pid, 0)).not.toThrow();
    expect(await server.stop()).toBe(0);
  }, 180_000);
});
