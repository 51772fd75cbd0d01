// Small-cell suppression on the chat path (issue 16): a `researcher` (min_group_size 11 in the
// bundled model) asks a question whose breakdown has small cells, on a fresh Synthea workspace.
// `analyst ask --json`, POST /v1/chat and the SSE `result` mark the withheld rows
// (`suppressed: {minGroupSize, rows}`), the values are null, the answer says cells are suppressed,
// and its text states no number that suppressed cells went into (no cell, no total, no difference).
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyst,
  devToken,
  type LiveServer,
  postJson,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

const K = 11;
const QUESTION = 'number of patients by race';

interface Answer {
  status: string;
  answer: string;
  columns: Array<{ name: string }>;
  rows: unknown[][];
  suppressed?: { minGroupSize: number; rows: number[] };
}

let root = '';
let ws = '';
let server: LiveServer | undefined;
const tokens: Record<string, string> = {};
/** Patients per race, by hand-written SQL as admin. */
let exact = new Map<string, number>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'suppress-chat-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  await appendFile(
    join(ws, 'users.yaml'),
    '  - { id: researcher, name: Researcher, roles: [researcher], attributes: {} }\n',
  );
  const { stdout } = await analyst([
    'sql',
    '--workspace',
    ws,
    '--as',
    'admin',
    '--json',
    'SELECT race, count(*) FROM patients GROUP BY 1',
  ]);
  exact = new Map(
    (JSON.parse(stdout) as { rows: unknown[][] }).rows.map((row) => [String(row[0]), Number(row[1])]),
  );
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** The checks every path must pass: marked rows, null values, honest text, nothing derivable. */
function expectSuppressed(a: Answer): void {
  expect(a.status).toBe('ok');
  // The breakdown has small cells (else this test proves nothing).
  expect([...exact.values()].some((n) => n < K)).toBe(true);
  expect(a.columns.map((c) => c.name)).toEqual(['patients.race', 'patients.count']);
  expect(a.suppressed?.minGroupSize).toBe(K);
  const marked = new Set(a.suppressed?.rows ?? []);
  // Primary plus complementary: never a lone suppressed cell in the line.
  expect(marked.size).toBeGreaterThanOrEqual(2);
  expect(a.rows.map((r) => r[0]).sort()).toEqual([...exact.keys()].sort());
  const shown: number[] = [];
  a.rows.forEach((row, i) => {
    const n = exact.get(String(row[0])) as number;
    if (n < K) expect(marked.has(i), `${row[0]} (${n}) is marked`).toBe(true);
    if (marked.has(i)) expect(row[1]).toBeNull();
    else {
      expect(Number(row[1])).toBe(n);
      shown.push(n);
    }
  });
  // The text says so, and every number in it is a shown cell, K, or the count of rows not listed.
  expect(a.answer).toMatch(/suppressed/i);
  expect(a.answer).toContain(`fewer than ${K}`);
  expect(a.answer).toContain(`< ${K}`);
  const allowed = new Set([...shown, K, a.rows.length - 3]);
  const stated = (a.answer.match(/\d[\d,]*(\.\d+)?/g) ?? []).map((s) => Number(s.replaceAll(',', '')));
  expect(stated.length).toBeGreaterThan(0);
  for (const n of stated) expect(allowed, `the answer states ${n}`).toContain(n);
  // In particular: not the total, nor the total minus the shown cells.
  const total = [...exact.values()].reduce((s, n) => s + n, 0);
  const hidden = total - shown.reduce((s, n) => s + n, 0);
  expect(stated).not.toContain(total);
  expect(stated).not.toContain(hidden);
}

describe('small-cell suppression on the chat path', () => {
  it('analyst ask --json marks the suppressed rows for a researcher; an analyst gets exact counts', async () => {
    const { stdout } = await analyst(['ask', '--workspace', ws, '--as', 'researcher', '--json', QUESTION]);
    expectSuppressed(JSON.parse(stdout) as Answer);

    const plain = await analyst(['ask', '--workspace', ws, '--as', 'analyst', '--json', QUESTION]);
    const exactAnswer = JSON.parse(plain.stdout) as Answer;
    expect(exactAnswer.suppressed).toBeUndefined();
    expect(exactAnswer.answer).not.toMatch(/suppressed/i);
    expect(new Map(exactAnswer.rows.map((r) => [String(r[0]), Number(r[1])]))).toEqual(exact);

    // The table the CLI prints says "<11" in a withheld cell rather than leaving it blank.
    const text = await analyst(['ask', '--workspace', ws, '--as', 'researcher', QUESTION]);
    const small = [...exact].filter(([, n]) => n < K).map(([race]) => race);
    for (const race of small) expect(text.stdout).toMatch(new RegExp(`^${race}\\s+<${K}\\s*$`, 'm'));
  }, 120_000);

  it('POST /v1/chat (JSON and the SSE result) marks the same rows', async () => {
    // Started after the CLI test: the server holds the lake's lock.
    server = await startServer(ws);
    tokens.researcher = await devToken(ws, 'researcher');
    const plain = await postJson(`${server.url}/v1/chat`, tokens.researcher as string, {
      question: QUESTION,
    });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    const json = plain.body as Answer;
    expectSuppressed(json);

    const res = await fetch(`${server.url}/v1/chat`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${tokens.researcher}`,
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
      },
      body: JSON.stringify({ question: QUESTION }),
    });
    expect(res.status).toBe(200);
    const blocks = (await res.text()).split('\n\n').filter((b) => b.trim());
    const last = blocks.at(-1)?.split('\n') ?? [];
    expect(last).toContain('event: result');
    const data = last
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    const streamed = JSON.parse(data) as Answer;
    expectSuppressed(streamed);
    // Tied (null) rows may come in either order: compare the withheld races and the rows as sets.
    const withheld = (a: Answer) => (a.suppressed?.rows ?? []).map((i) => a.rows[i]?.[0]).sort();
    expect(withheld(streamed)).toEqual(withheld(json));
    const byRace = (a: Answer) => [...a.rows].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(byRace(streamed)).toEqual(byRace(json));
  }, 120_000);
});
