import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedTransport } from './guarded-fetch.ts';

interface Seen {
  host: string | undefined;
  url: string | undefined;
  method: string | undefined;
  body: string;
  headers: IncomingMessage['headers'];
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ host: req.headers.host, url: req.url, method: req.method, body, headers: req.headers });
      if (req.url === '/redirect') {
        res.writeHead(307, { location: 'https://elsewhere.example.com/steal' });
        res.end();
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/huge-declared') {
        res.writeHead(200, { 'content-length': String(3 * 1024 * 1024) });
        res.end('x'.repeat(3 * 1024 * 1024));
      } else if (req.url === '/huge-chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 3; i++) res.write('x'.repeat(1024 * 1024));
        res.end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 5_000).unref();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        res.end(JSON.stringify({ ok: true }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('guarded transport', () => {
  it('sends to an allowed origin with method, headers and body intact', async () => {
    const t = createGuardedTransport({ allowedOrigins: [`${base}/v1/`] });
    try {
      const res = await t.fetch(`${base}/v1/chat?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace': 'no' },
        body: '{"q":1}',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-multi')).toBe('a, b');
      expect(await res.json()).toEqual({ ok: true });
      expect(seen.at(-1)).toMatchObject({ url: '/v1/chat?x=1', method: 'POST', body: '{"q":1}' });
      expect(seen.at(-1)!.headers['x-trace']).toBe('no');
    } finally {
      t.close();
    }
  });

  it('refuses other origins (scheme, host or port) before connecting', async () => {
    const t = createGuardedTransport({ allowedOrigins: ['https://api.openai.com'] });
    const before = seen.length;
    for (const url of [
      base,
      'http://api.openai.com/v1',
      'https://api.openai.com:8443/v1',
      'https://api.openai.com.evil.example/v1',
      'https://evil.example/?https://api.openai.com',
    ]) {
      await expect(t.fetch(url)).rejects.toMatchObject({ code: 'HOST_REFUSED' });
    }
    expect(seen.length).toBe(before);
    t.close();
  });

  it('connectTo keeps the real host in the Host header and accepts only loopback', async () => {
    const t = createGuardedTransport({ allowedOrigins: ['https://api.anthropic.com'], connectTo: base });
    try {
      await t.fetch('https://api.anthropic.com/v1/messages', { method: 'POST', body: '{}' });
      expect(seen.at(-1)).toMatchObject({ host: 'api.anthropic.com', url: '/v1/messages' });
    } finally {
      t.close();
    }
    for (const bad of ['http://host.invalid:80', 'https://example.com', 'file:///etc/passwd']) {
      expect(() => createGuardedTransport({ allowedOrigins: [], connectTo: bad })).toThrow(
        expect.objectContaining({ code: 'ENDPOINT_INVALID' }),
      );
    }
  });

  it('returns redirects instead of following them to another host', async () => {
    const t = createGuardedTransport({ allowedOrigins: [base] });
    try {
      const res = await t.fetch(`${base}/redirect`);
      expect(res.status).toBe(307);
      expect(res.headers.get('location')).toBe('https://elsewhere.example.com/steal');
      const empty = await t.fetch(`${base}/empty`);
      expect(empty.status).toBe(204);
      expect(empty.body).toBeNull();
    } finally {
      t.close();
    }
  });

  it('honours abort signals', async () => {
    const t = createGuardedTransport({ allowedOrigins: [base] });
    try {
      const ac = new AbortController();
      const pending = t.fetch(`${base}/slow`, { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await expect(pending).rejects.toThrow();
    } finally {
      t.close();
    }
  });

  it('rejects origins that are not http(s) URLs', () => {
    expect(() => createGuardedTransport({ allowedOrigins: ['ftp://x.example'] })).toThrow(
      expect.objectContaining({ code: 'ENDPOINT_INVALID' }),
    );
  });
});

describe('reply size', () => {
  it('refuses a body past the cap, whether its length is declared or not', async () => {
    const t = createGuardedTransport({ allowedOrigins: [base] });
    try {
      await expect(t.fetch(`${base}/huge-declared`)).rejects.toMatchObject({ code: 'REPLY_TOO_LARGE' });
      const res = await t.fetch(`${base}/huge-chunked`);
      await expect(res.text()).rejects.toMatchObject({ code: 'REPLY_TOO_LARGE' });
      // Under the cap, the body is read whole.
      expect(await (await t.fetch(`${base}/ok`)).json()).toEqual({ ok: true });
    } finally {
      t.close();
    }
  });
});
