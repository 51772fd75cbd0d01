// Dev sign-in hands a token to any loopback caller. Behind a reverse proxy on the same host every
// caller is loopback, so a forwarded request (any proxy header) is refused, over a real server.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyst, type LiveServer, startServer } from './testing/live-server.ts';

let root = '';
let server: LiveServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dev-sign-in-proxy-'));
  const ws = join(root, 'ws');
  await analyst(['init', ws, '--json']);
  server = await startServer(ws);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** POST /v1/dev/token as the web app's sign-in page does, plus `headers`. */
function devToken(headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL('/v1/dev/token', server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{"user":"admin"}');
  });
}

describe('dev sign-in behind a proxy', () => {
  it('hands a direct loopback caller a token', async () => {
    const res = await devToken();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('token');
  });

  it.each([
    ['Forwarded', 'for=203.0.113.7;proto=https'],
    ['X-Forwarded-For', '203.0.113.7'],
    ['X-Forwarded-Host', 'analyst.example.org'],
    ['X-Forwarded-Proto', 'https'],
    ['X-Real-IP', '203.0.113.7'],
    ['Via', '1.1 nginx'],
  ])('refuses a request forwarded with %s, saying why', async (name, value) => {
    const res = await devToken({ [name]: value });
    expect(res.status).toBe(403);
    const { error } = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(error.message).toContain(`refused behind a proxy (the request carries ${name})`);
    expect(res.body).not.toContain('token"');
  });

  it('refuses the user list behind a proxy too', async () => {
    const res = await fetch(new URL('/v1/dev/users', server.url), {
      headers: { 'X-Forwarded-For': '10.0.0.9' },
    });
    expect(res.status).toBe(403);
  });
});
