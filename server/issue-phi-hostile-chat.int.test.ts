// Issue 22 over HTTP: a hostile model behind a loopback OpenAI-compatible endpoint, a real
// `analyst serve`, POST /v1/chat as JSON and as Server-Sent Events. Typed identifiers and the
// conversation history reach the model only as placeholders; a failing endpoint is visible in the
// result (`fallback: true` with its reason), in JSON and in the SSE `result` event.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  callTool,
  type HostileModel,
  placeholdersIn,
  startHostileModel,
} from '../agent/providers/testing/hostile-model.ts';
import { devToken, type LiveServer, postJson, startServer, syntheaWorkspace } from './testing/live-server.ts';

// A patient outside the clinician's organisation in the shared Synthea sample.
const SECRETS = [
  'Esteban536',
  'Reynolds644',
  '999-34-4992',
  'Bode Boulevard',
  'Worcester',
  '01605',
  '1997/12/12',
];
const TYPED =
  'how many encounters did Esteban536 Reynolds644 have? SSN 999-34-4992, born 1997/12/12, lives at 519 Bode Boulevard Unit 54, Worcester 01605';

let root = '';
let ws = '';
let model: HostileModel;
let server: LiveServer;
let token = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'phi-hostile-chat-'));
  model = await startHostileModel();
  ws = await syntheaWorkspace(join(root, 'ws'));
  const file = join(ws, 'analyst.yaml');
  const config = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  config.llm = {
    default: 'hostile',
    endpoints: {
      hostile: {
        provider: 'openai-compatible',
        model: 'hostile-1',
        region: 'on-prem-test',
        base_url: `${model.endpoint.url}/v1`,
        phi: 'none',
        on_prem: true,
        retention: 'zero',
        training: 'none',
        retries: 0,
      },
    },
  };
  await writeFile(file, stringify(config));
  server = await startServer(ws);
  token = await devToken(ws, 'clinician');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await model?.close();
  await rm(root, { recursive: true, force: true });
});

describe('POST /v1/chat against a hostile model (phi: none)', () => {
  it('sends typed identifiers and the history only as placeholders', async () => {
    const from = model.bodies().length;
    model.moves.push((msgs) =>
      callTool('run_semantic_query', {
        measures: ['encounters.count'],
        filters: [
          { member: 'encounters.description', operator: 'equals', values: [placeholdersIn(msgs).join(' ')] },
        ],
      }),
    );
    const first = await postJson(`${server.url}/v1/chat`, token, { question: TYPED });
    expect(first.status).toBe(200);
    const { conversationId } = first.body as { conversationId: string };
    model.moves.push((msgs) =>
      callTool('run_governed_sql', {
        sql: `select "x${placeholdersIn(msgs)[0] ?? '[NAME_1]'}x" from patients`,
      }),
    );
    model.moves.push(() => callTool('run_semantic_query', { measures: ['encounters.count'] }));
    const second = await postJson(`${server.url}/v1/chat`, token, {
      question: 'and by year for xEsteban536 Reynolds644x?',
      conversationId,
    });
    expect(second.status).toBe(200);
    expect(model.moves).toHaveLength(0);
    const sent = model.bodies().slice(from).join('\n').toLowerCase();
    expect(model.bodies().length - from).toBeGreaterThanOrEqual(3);
    for (const s of SECRETS) expect([s, sent.includes(s.toLowerCase())]).toEqual([s, false]);
  }, 60_000);

  it('shows the fallback in JSON and in the SSE result event', async () => {
    model.moves.push(() => ({ error: 500, message: 'down' }));
    const json = await postJson(`${server.url}/v1/chat`, token, { question: 'how many patients?' });
    expect(json.body).toMatchObject({ status: 'ok', fallback: true });
    expect(String((json.body as { fallbackReason?: string }).fallbackReason)).toMatch(/^MODEL_CALL_FAILED/);

    model.moves.push(() => ({ error: 500, message: 'down' }));
    const res = await fetch(`${server.url}/v1/chat`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
      },
      body: JSON.stringify({ question: 'how many patients?' }),
    });
    const text = await res.text();
    const block = text.split('\n\n').find((b) => b.includes('event: result'));
    const data = JSON.parse(
      (block ?? '')
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n'),
    ) as Record<string, unknown>;
    expect(data).toMatchObject({ status: 'ok', fallback: true });
  }, 60_000);
});
