// Time travel on chat and ask: a sync drops five patients; asking as of the snapshot before it
// (`asOf` on POST /v1/chat, `analyst ask --snapshot` typed beside the server) answers the old
// number under today's policies, the result and the audit record name the snapshot, and a snapshot
// that does not exist is refused.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let server: LiveServer | undefined;
let before = 0;
let token = '';
const QUESTION = 'how many patients';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'time-travel-chat-'));
  const source = join(root, 'export');
  await cp(SYNTHEA_FIXTURE, source, { recursive: true });
  ws = await syntheaWorkspace(join(root, 'ws'), [], source);
  const snaps = JSON.parse(
    (await analyst(['lake', 'snapshots', '--workspace', ws, '--json'])).stdout,
  ) as Array<{
    id: number;
  }>;
  before = snaps.at(-1)?.id ?? 0;
  const csv = (await readFile(join(source, 'patients.csv'), 'utf8')).trimEnd().split('\n');
  await writeFile(join(source, 'patients.csv'), `${csv.slice(0, -5).join('\n')}\n`);
  await analyst(['sync', '--workspace', ws, '--json']);
  server = await startServer(ws);
  token = await devToken(ws, 'analyst');
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

type Answer = { status: string; rows: unknown[][]; snapshot?: number; auditId: string };

describe('asOf on chat and ask', () => {
  it('answers from the snapshot asked for, and says which', async () => {
    const nowAnswer = (await postJson(`${server?.url}/v1/chat`, token, { question: QUESTION }))
      .body as Answer;
    const past = await postJson(`${server?.url}/v1/chat`, token, {
      question: QUESTION,
      asOf: { snapshot: before },
    });
    expect(past.status).toBe(200);
    const then = past.body as Answer;
    expect(then.status).toBe('ok');
    expect(then.snapshot).toBe(before);
    expect(nowAnswer.snapshot).toBeUndefined();
    expect(Number(then.rows[0]?.[0]) - Number(nowAnswer.rows[0]?.[0])).toBe(5);

    // The CLI beside the server (through the control socket) gives the same, and its audit record
    // names the snapshot.
    const cli = await analystExit([
      'ask',
      '--workspace',
      ws,
      '--as',
      'analyst',
      '--json',
      '--snapshot',
      String(before),
      QUESTION,
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as Answer;
    expect(fromCli.rows).toEqual(then.rows);
    expect(fromCli.snapshot).toBe(before);
    const records = JSON.parse(
      (await analyst(['audit', 'search', '--workspace', ws, '--json', '--limit', '50'])).stdout,
    ) as Array<{ id: string; route: string; details?: { snapshot?: number } }>;
    expect(records.find((r) => r.id === fromCli.auditId)?.details?.snapshot).toBe(before);
    expect(records.find((r) => r.id === then.auditId)?.details?.snapshot).toBe(before);
    expect(records.find((r) => r.id === nowAnswer.auditId)?.details?.snapshot).toBeUndefined();
  }, 240_000);

  it('keeps today’s policies: a clinician still counts only their organization’s encounters', async () => {
    const ask = async (user: string) =>
      (
        await postJson(`${server?.url}/v1/chat`, await devToken(ws, user), {
          question: 'how many encounters',
          asOf: { snapshot: before },
        })
      ).body as Answer;
    const [admin, clinician] = [await ask('admin'), await ask('clinician')];
    expect(admin.snapshot).toBe(before);
    expect(clinician.snapshot).toBe(before);
    const all = Number(admin.rows[0]?.[0]);
    const own = Number(clinician.rows[0]?.[0]);
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThan(all);
  }, 120_000);

  it('refuses a snapshot that does not exist', async () => {
    const r = await postJson(`${server?.url}/v1/chat`, token, {
      question: QUESTION,
      asOf: { snapshot: 999_999 },
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    const cli = await analystExit([
      'ask',
      '--workspace',
      ws,
      '--as',
      'analyst',
      '--snapshot',
      '999999',
      QUESTION,
    ]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('999999');
  }, 120_000);
});
