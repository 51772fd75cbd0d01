// `analyst serve` syncs connectors on their `schedule`: a good one runs and shows its last and next
// run; a broken one is retried, then raises an incident through the workspace's incident path
// (audit record + pager), and its last error shows in GET /v1/connectors/status and in
// `analyst connectors status` typed beside the server.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type Receiver, startReceiver } from '../incidents/testing/pager-receiver.ts';
import {
  BIN,
  devToken,
  type LiveServer,
  ROOT,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

interface Status {
  name: string;
  schedule: string | null;
  timezone: string | null;
  nextRun: string | null;
  lastRun: { runId: string | null; startedAt: string; status: string; rows: number | null } | null;
  lastError: { at: string; code: string } | null;
}

let root = '';
let ws = '';
let server: LiveServer;
let pager: Receiver;
let admin = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sched-sync-'));
  pager = await startReceiver();
  ws = await syntheaWorkspace(join(root, 'ws'));
  const config = parseDocument(await readFile(join(ws, 'analyst.yaml'), 'utf8'));
  // Every 20 seconds, in a zone other than UTC; the broken source every 10, retried once.
  config.setIn(['connectors', 'synthea', 'schedule'], '*/20 * * * * *');
  config.setIn(['connectors', 'synthea', 'timezone'], 'America/New_York');
  config.setIn(
    ['connectors', 'broken'],
    config.createNode({
      type: 'files',
      options: { path: join(root, 'no-such-export') },
      schedule: '*/10 * * * * *',
      retries: 1,
      retry_backoff_seconds: 0.2,
    }),
  );
  config.setIn(['incident', 'webhook'], pager.url);
  config.setIn(['incident', 'on_call'], 'data-oncall@example.org');
  await writeFile(join(ws, 'analyst.yaml'), String(config));
  server = await startServer(ws);
  admin = await devToken(ws, 'admin');
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await pager?.close();
  await rm(root, { recursive: true, force: true });
});

async function status(token = admin): Promise<{ status: number; body: { connectors: Status[] } }> {
  const res = await fetch(`${server.url}/v1/connectors/status`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as { connectors: Status[] } };
}

/** Poll the status route until `done` holds (each scheduled run takes its own time on a busy machine). */
async function until(done: (s: Status[]) => boolean): Promise<Status[]> {
  for (;;) {
    const s = (await status()).body.connectors;
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const byName = (s: Status[], name: string) => s.find((x) => x.name === name) as Status;

describe('scheduled syncs', () => {
  it('refuses the status route to a non-admin', async () => {
    expect((await status(await devToken(ws, 'analyst'))).status).toBe(403);
  });

  it('runs a scheduled connector and shows its last and next run', async () => {
    const before = byName((await status()).body.connectors, 'synthea');
    const s = await until((x) => {
      const run = byName(x, 'synthea').lastRun;
      return Boolean(run && run.runId !== before.lastRun?.runId && run.status === 'ok');
    });
    const synthea = byName(s, 'synthea');
    expect(synthea.schedule).toBe('*/20 * * * * *');
    expect(synthea.timezone).toBe('America/New_York');
    expect(synthea.lastRun?.rows).toBeGreaterThan(1000);
    expect(Date.parse(synthea.nextRun ?? '')).toBeGreaterThan(Date.now() - 1000);
    expect(new Date(synthea.nextRun ?? '').getUTCSeconds() % 20).toBe(0);
    const snaps = await fetch(`${server.url}/v1/lake/snapshots`, {
      headers: { Authorization: `Bearer ${admin}` },
    });
    const authors = ((await snaps.json()) as { snapshots: Array<{ author: string }> }).snapshots.map(
      (x) => x.author,
    );
    expect(authors).toContain('analyst-schedule');
  }, 240_000);

  it('retries a failing connector, then pages an incident and shows the last error', async () => {
    // Settled: an error is recorded and no retry of the next slot is running (under load one may be).
    const s = await until((x) => {
      const b = byName(x, 'broken');
      return b.lastError !== null && b.lastRun?.status !== 'running';
    });
    const broken = byName(s, 'broken');
    expect(broken.lastError?.code).toMatch(/^[A-Z_]+$/);
    expect(broken.lastRun?.status).toBe('failed');
    for (;;) {
      if (pager.posts.some((p) => JSON.stringify(p.body).includes('scheduled_sync_failed'))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const page = pager.posts.find((p) => JSON.stringify(p.body).includes('scheduled_sync_failed'));
    expect(JSON.stringify(page?.body)).toContain('"connector":"broken"');
    expect(JSON.stringify(page?.body)).toContain('"attempts":2');
    // The same numbers from the CLI typed beside the server (it runs there, through the control socket).
    const cli = await promisify(execFile)(
      process.execPath,
      [BIN, 'connectors', 'status', '--workspace', ws, '--json'],
      { cwd: ROOT, env: { ...process.env, ANALYST_WORKSPACE: '' } },
    );
    const fromCli = (JSON.parse(cli.stdout) as { connectors: Status[] }).connectors;
    expect(byName(fromCli, 'broken').lastError?.code).toBe(broken.lastError?.code);
    expect(byName(fromCli, 'synthea').schedule).toBe('*/20 * * * * *');
  }, 240_000);
});
