// A CLI typed beside a running `analyst serve` on a DuckDB-file catalog: the server runs the
// command on its own lake through the workspace's control socket, with the output and exit code
// the command has when run by itself, and the audit record names the CLI as the client.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  devToken,
  type LiveServer,
  postJson,
  ROOT,
  startServer,
  syntheaWorkspace,
} from '../../server/testing/live-server.ts';
import { controlPaths } from './protocol.ts';

let root = '';
let ws = '';
let server: LiveServer | undefined;

/** `analyst ARGS…` as a child process, from `cwd`: exit code, stdout, stderr and its pid. */
function cli(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ANALYST_WORKSPACE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('close', (code) => resolve({ code, stdout, stderr, pid: child.pid as number }));
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ctl-sock-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  server = await startServer(ws);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('the CLI beside a running server (DuckDB-file catalog)', () => {
  it('opens state/control.sock and its secret for the owner only', async () => {
    const paths = controlPaths(ws);
    const sock = await stat(paths.socket);
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect((await stat(paths.token)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.state)).mode & 0o777).toBe(0o700);
  });

  it('answers `ask` through the server with the numbers the HTTP API gives, and audits the CLI as the client', async () => {
    const question = 'how many encounters by encounter class';
    // A relative --workspace, as the README types it: resolved where the CLI was typed.
    const r = await cli(['ask', '--workspace', 'ws', '--as', 'analyst', '--json', question], root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { status: string; rows: unknown[][]; auditId: string };
    expect(answer.status).toBe('ok');
    const token = await devToken(ws, 'analyst');
    const http = await postJson(`${server?.url}/v1/chat`, token, { question });
    expect(answer.rows).toEqual((http.body as { rows: unknown[][] }).rows);

    const search = await cli(['audit', 'search', '--workspace', ws, '--json', '--limit', '50']);
    expect(search.code).toBe(0);
    const records = JSON.parse(search.stdout) as Array<Record<string, unknown>>;
    const mine = records.find((x) => x.id === answer.auditId);
    expect(mine).toMatchObject({ route: 'analyst ask', userId: 'analyst', question });
    expect(mine?.clientAddress).toBe(
      `analyst CLI pid ${r.pid} user ${process.env.USER ?? (await import('node:os')).userInfo().username} (control socket)`,
    );
  });

  it('keeps exit codes and error lines: a refusal exits 3, a usage error 2', async () => {
    const refused = await cli(['sql', '--workspace', ws, '--as', 'analyst', 'SELECT * FROM nope']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^analyst: SQL_REFUSED: /);
    const unknownUser = await cli(['sql', '--workspace', ws, '--as', 'nobody', 'SELECT 1']);
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr).toContain('UNKNOWN_USER');
  });

  it('syncs through the server’s lake, then answers from the new snapshot', async () => {
    const before = JSON.parse(
      (await cli(['lake', 'snapshots', '--workspace', ws, '--json'])).stdout,
    ) as unknown[];
    const sync = await cli(['sync', '--workspace', ws, '--json']);
    expect(sync.code).toBe(0);
    const after = JSON.parse(
      (await cli(['lake', 'snapshots', '--workspace', ws, '--json'])).stdout,
    ) as unknown[];
    expect(after.length).toBeGreaterThan(before.length);
    const verify = await cli(['audit', 'verify', '--workspace', ws]);
    expect(verify.code).toBe(0);
  });

  it('refuses a client without the current secret', async () => {
    const frames = await new Promise<string>((resolve, reject) => {
      const s = connect(controlPaths(ws).socket);
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString();
      });
      s.once('close', () => resolve(buf));
      s.once('error', reject);
      s.write(
        `${JSON.stringify({ v: 1, token: 'f'.repeat(64), args: ['lake', 'status'], tty: {}, pid: 1, user: 'x' })}\n`,
      );
    });
    expect(frames).toContain('"exit":1');
    expect(frames).not.toContain('ducklake');
  });

  it('prints exactly what the command prints when run by itself once the server stops', async () => {
    const hosted = await cli(['lake', 'status', '--workspace', ws, '--json']);
    expect(hosted.code).toBe(0);
    await server?.stop();
    server = undefined;
    await expect(stat(controlPaths(ws).socket)).rejects.toThrow();
    const local = await cli(['lake', 'status', '--workspace', ws, '--json']);
    expect(local.code).toBe(0);
    expect(local.stdout).toBe(hosted.stdout);
  });
});
