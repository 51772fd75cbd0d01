// Real `analyst` processes for the server's integration tests: workspaces made by `analyst init`,
// servers started by `analyst serve --port 0` and found through the line it prints.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/analyst.mjs');
/** The Synthea CSV sample shared by the project's tests (about 41k rows over 17 tables). */
export const SYNTHEA_FIXTURE = resolve(ROOT, '../shared/fixtures/synthea');

const run = promisify(execFile);

/** Run `analyst ARGS…` to completion; rejects (with stdout/stderr) on a non-zero exit. */
export async function analyst(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ANALYST_WORKSPACE: '', ...env },
    maxBuffer: 1 << 26,
  });
}

/** Run `analyst ARGS…` and report the exit code instead of rejecting. */
export async function analystExit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await analyst(args, env)) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A workspace loaded with the Synthea sample (users admin, analyst, clinician, auditor). */
export async function syntheaWorkspace(
  dir: string,
  extra: string[] = [],
  source = SYNTHEA_FIXTURE,
): Promise<string> {
  await analyst(['init', dir, '--preset', 'synthea', '--source', source, '--json', ...extra]);
  return dir;
}

/** A dev token for a users.yaml user. */
export async function devToken(ws: string, user: string): Promise<string> {
  return (await analyst(['token', '--workspace', ws, '--user', user])).stdout.trim();
}

export interface LiveServer {
  url: string;
  /** `postgresql://…` when started with `--sql-port`. */
  sqlUrl?: string | undefined;
  pid: number;
  /** Everything the server wrote to stderr so far (its pino log). */
  stderr(): string;
  /** SIGTERM, then wait for the exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Start `analyst serve --workspace WS --port 0 ARGS…` and wait until it listens. */
export async function startServer(
  ws: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<LiveServer> {
  const child = spawn(process.execPath, [BIN, 'serve', '--workspace', ws, '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ANALYST_WORKSPACE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let sqlUrl: string | undefined;
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (!line) return;
      const listening = JSON.parse(line) as { url: string; sql?: string };
      sqlUrl = listening.sql;
      resolveUrl(listening.url);
    });
    void exited.then((code) => reject(new Error(`analyst serve exited ${code} before listening:\n${err}`)));
  });
  return {
    url,
    sqlUrl,
    pid: child.pid as number,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Run `analyst serve …` expecting it to refuse to start; resolves with its exit code and stderr. */
export async function serveRefusal(
  ws: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'serve', '--workspace', ws, '--port', '0', ...args],
    { cwd: ROOT, env: { ...process.env, ANALYST_WORKSPACE: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    // It started after all: stop it so the test fails on the assertion, not a hang.
    if (stdout.includes('"listening"')) child.kill('SIGTERM');
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, stdout, stderr };
}

/** POST JSON with a bearer token; the parsed body and the response. */
export async function postJson(
  url: string,
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers };
}
