// An S3-compatible server for tests, on loopback: moto's server from PyPI, in a virtualenv under
// os.tmpdir() built once (pinned version) and reused by later runs.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const MOTO_VERSION = '5.1.18';
const run = promisify(execFile);

export interface S3Server {
  endpoint: string;
  createBucket(name: string): Promise<void>;
  /** Keys under a bucket prefix (ListObjectsV2). */
  list(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The cached virtualenv's python, building it (python3 -m venv; pip install moto[server]) when missing. */
async function motoPython(): Promise<string> {
  const dir = join(tmpdir(), `analyst-moto-${MOTO_VERSION}`);
  const python = join(dir, 'venv', 'bin', 'python3');
  const ready = join(dir, 'ready');
  if (
    await access(ready).then(
      () => true,
      () => false,
    )
  )
    return python;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await run('python3', ['-m', 'venv', join(dir, 'venv')]);
  await run(python, ['-m', 'pip', 'install', '-q', `moto[server]==${MOTO_VERSION}`], { maxBuffer: 1 << 24 });
  await writeFile(ready, MOTO_VERSION);
  return python;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Start moto's S3 server on a free loopback port and wait until it answers. */
export async function startS3Server(options: { env?: NodeJS.ProcessEnv } = {}): Promise<S3Server> {
  const python = await motoPython();
  const port = await freePort();
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`moto server exited: ${log.slice(-500)}`);
    const ok = await fetch(`${base}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error(`moto server did not answer: ${log.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint: `127.0.0.1:${port}`,
    createBucket: async (name) => {
      const r = await fetch(`${base}/${name}`, { method: 'PUT' });
      if (!r.ok) throw new Error(`create bucket ${name}: ${r.status}`);
    },
    list: async (bucket, prefix = '') => {
      const r = await fetch(`${base}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
      return [...(await r.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1] as string);
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
