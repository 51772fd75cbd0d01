// A real `analyst serve` over the Synthea sample: chat streamed as Server-Sent Events; fail-closed
// when the audit store cannot take a record; operational logs free of prompts, results and users.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, type LiveServer, postJson, startServer, syntheaWorkspace } from './testing/live-server.ts';

// A user id that cannot turn up in a log by accident.
const USER = 'u-qz7k2w9x';
let root = '';
let ws = '';
let server: LiveServer;
let token = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'serve-live-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  const users = await readFile(join(ws, 'users.yaml'), 'utf8');
  await writeFile(
    join(ws, 'users.yaml'),
    `${users.trimEnd()}\n  - id: ${USER}\n    name: Log Probe\n    roles: [analyst]\n    attributes: {}\n`,
  );
  // The most verbose level: whatever the server logs at all is checked.
  server = await startServer(ws, [], { ANALYST_LOG_LEVEL: 'trace' });
  token = await devToken(ws, USER);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

interface SseEvent {
  event: string;
  data: unknown;
}

async function chatStream(question: string): Promise<{ status: number; type: string; events: SseEvent[] }> {
  const res = await fetch(`${server.url}/v1/chat`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'text/event-stream',
    },
    body: JSON.stringify({ question }),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const field = (name: string) =>
        lines
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).trimStart())
          .join('\n');
      return { event: field('event'), data: JSON.parse(field('data')) as unknown };
    });
  return { status: res.status, type: res.headers.get('content-type') ?? '', events };
}

describe('analyst serve, live', () => {
  it('streams the agent’s steps as Server-Sent Events, ending in the same object as the JSON answer', async () => {
    const question = 'how many patients by gender';
    const { status, type, events } = await chatStream(question);
    expect(status).toBe(200);
    expect(type).toContain('text/event-stream');
    expect(events[0]?.event).toBe('start');
    const steps = events.filter((e) => e.event === 'step').map((e) => (e.data as { node: string }).node);
    expect(steps).toEqual(['understand', 'gather_context', 'plan', 'validate', 'execute', 'answer']);
    const plan = events.find((e) => e.event === 'plan')?.data as { semanticQuery: { measures: string[] } };
    expect(plan.semanticQuery.measures).toEqual(['patients.count']);
    const last = events.at(-1);
    expect(last?.event).toBe('result');
    const streamed = last?.data as Record<string, unknown>;
    expect(streamed.status).toBe('ok');
    expect(streamed.rows).toEqual([
      ['M', 57],
      ['F', 53],
    ]);
    expect(typeof streamed.auditId).toBe('string');

    const plain = await postJson(`${server.url}/v1/chat`, token, { question });
    expect(plain.status).toBe(200);
    // The JSON answer says where the server's time went: the agent's planning and SQL, and the total.
    const timing = Object.fromEntries(
      (plain.headers.get('server-timing') ?? '').split(', ').map((m) => {
        const [name, dur] = m.split(';dur=');
        return [name, Number(dur)];
      }),
    );
    expect(Object.keys(timing)).toEqual(['plan', 'sql', 'total']);
    expect(timing.sql).toBeGreaterThan(0);
    expect(timing.total).toBeGreaterThanOrEqual((timing.plan ?? 0) + (timing.sql ?? 0));
    const stepMs = events.filter((e) => e.event === 'step').map((e) => (e.data as { ms?: number }).ms);
    expect(stepMs.every((ms) => typeof ms === 'number' && ms >= 0)).toBe(true);
    const { conversationId: _a, auditId: _b, ...rest } = plain.body as Record<string, unknown>;
    const { conversationId: _c, auditId: _d, ...streamedRest } = streamed;
    expect(streamedRest).toEqual(rest);
  });

  it('fails closed: while the audit store cannot be written, chat and SQL get 503 AUDIT_UNAVAILABLE and no data', async () => {
    const question = 'encounters by encounter class';
    const before = await postJson(`${server.url}/v1/chat`, token, { question });
    expect(before.status).toBe(200);
    const ambulatory = JSON.stringify((before.body as { rows: unknown[][] }).rows[0]);

    // Another process takes the audit database's write lock and keeps it.
    const intruder = new Database(join(ws, 'audit', 'audit.db'));
    intruder.exec('BEGIN EXCLUSIVE');
    try {
      const json = await postJson(`${server.url}/v1/chat`, token, { question });
      expect(json.status).toBe(503);
      expect((json.body as { error: { code: string } }).error.code).toBe('AUDIT_UNAVAILABLE');
      expect(Object.keys(json.body as object)).toEqual(['error']);
      expect(JSON.stringify(json.body)).not.toContain('ambulatory');

      const streamed = await chatStream(question);
      expect(streamed.events.some((e) => e.event === 'result')).toBe(false);
      expect(streamed.events.at(-1)).toMatchObject({
        event: 'error',
        data: { error: { code: 'AUDIT_UNAVAILABLE' } },
      });
      expect(JSON.stringify(streamed.events)).not.toContain('ambulatory');

      const sql = await postJson(`${server.url}/v1/sql`, token, {
        sql: 'SELECT encounterclass, count(*) FROM encounters GROUP BY 1',
      });
      expect(sql.status).toBe(503);
      expect(JSON.stringify(sql.body)).not.toContain('ambulatory');
    } finally {
      intruder.exec('ROLLBACK');
      intruder.close();
    }
    const after = await postJson(`${server.url}/v1/chat`, token, { question });
    expect(after.status).toBe(200);
    expect(JSON.stringify((after.body as { rows: unknown[][] }).rows[0])).toBe(ambulatory);
  }, 60_000);

  it('keeps questions, result values and user ids out of the operational log', async () => {
    const question = 'number of encounters by encounter class';
    const chat = await postJson(`${server.url}/v1/chat`, token, { question });
    expect(chat.status).toBe(200);
    const sql = await postJson(`${server.url}/v1/sql`, token, {
      sql: 'SELECT name, count(*) AS n FROM payers GROUP BY name ORDER BY name',
    });
    expect(sql.status).toBe(200);
    // Failures log too: a refused statement and an unknown table.
    expect((await postJson(`${server.url}/v1/sql`, token, { sql: 'DROP TABLE payers' })).status).toBe(403);
    expect(
      (await postJson(`${server.url}/v1/sql`, token, { sql: 'SELECT * FROM no_such_table_zz' })).status,
    ).toBeGreaterThanOrEqual(400);

    const values = [
      ...(chat.body as { rows: unknown[][] }).rows.flat(),
      ...(sql.body as { rows: unknown[][] }).rows.flat(),
    ]
      .filter((v): v is string => typeof v === 'string' && v.length >= 4)
      .concat(['Humana', 'ambulatory']);
    expect(values.length).toBeGreaterThan(10);

    const log = server.stderr();
    // The log is there and describes the requests (so the absence below means something).
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'request' && l.route === '/v1/chat').length).toBeGreaterThanOrEqual(
      4,
    );
    expect(lines.some((l) => l.msg === 'request' && l.status === 403)).toBe(true);

    expect(log).not.toContain(question);
    expect(log).not.toContain('how many patients');
    expect(log).not.toContain('encounter class');
    expect(log).not.toContain('no_such_table_zz');
    expect(log).not.toContain('SELECT');
    for (const v of values) expect(log, v).not.toContain(v);
    expect(log).not.toContain(USER);
    expect(log).not.toContain(token.slice(-20));
  }, 60_000);
});
