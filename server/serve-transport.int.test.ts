// How `analyst serve` listens, as a real process: HTTPS with TLS 1.2+ and HSTS when a certificate
// is configured; plain HTTP refused off loopback without --insecure-http; --strict refuses to
// start while the compliance doctor lists gaps.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { analyst, serveRefusal, startServer } from './testing/live-server.ts';

let root = '';
let ws = '';
let cert = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'serve-transport-'));
  ws = join(root, 'ws');
  await analyst(['init', ws, '--json']);
  await mkdir(join(ws, 'model'), { recursive: true });
  // A self-signed certificate for 127.0.0.1, made the way an operator would.
  await mkdir(join(ws, 'tls'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(ws, 'tls', 'key.pem'),
      '-out',
      join(ws, 'tls', 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  cert = await readFile(join(ws, 'tls', 'cert.pem'), 'utf8');
}, 60_000);

afterAll(() => rm(root, { recursive: true, force: true }));

/** One TLS handshake with the version pinned; resolves to the negotiated protocol or the error code. */
function handshake(port: number, version: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: cert,
      minVersion: version,
      maxVersion: version,
      // Let this client offer TLS 1.1 at all, so a refusal comes from the server.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    socket.once('secureConnect', () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function httpsGet(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: cert }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('analyst serve transport', () => {
  it('serves HTTPS with HSTS when server.tls is configured, and refuses TLS 1.1', async () => {
    const yaml = await readFile(join(ws, 'analyst.yaml'), 'utf8');
    await writeFile(
      join(ws, 'analyst.yaml'),
      `${yaml}server:\n  tls:\n    cert: tls/cert.pem\n    key: tls/key.pem\n`,
    );
    const server = await startServer(ws);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await httpsGet(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      const port = Number(new URL(server.url).port);
      expect(await handshake(port, 'TLSv1.2')).toBe('TLSv1.2');
      expect(await handshake(port, 'TLSv1.3')).toBe('TLSv1.3');
      // The server answers a TLS 1.1 hello with a protocol_version alert.
      expect(await handshake(port, 'TLSv1.1')).toMatch(/ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);
      // And plain HTTP to the TLS port gets no answer from the API.
      const plain = await fetch(server.url.replace('https:', 'http:')).then(
        (r) => r.status,
        () => 'refused',
      );
      expect(plain).not.toBe(200);
    } finally {
      await server.stop();
      await writeFile(join(ws, 'analyst.yaml'), yaml);
    }
  }, 60_000);

  it('refuses plain HTTP on a non-loopback address unless --insecure-http is given', async () => {
    const refused = await serveRefusal(ws, ['--host', '0.0.0.0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('INSECURE_LISTEN');
    expect(refused.stdout).not.toContain('listening');

    const server = await startServer(ws, ['--host', '0.0.0.0', '--insecure-http']);
    try {
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const res = await fetch(`http://127.0.0.1:${new URL(server.url).port}/healthz`);
      expect(res.status).toBe(200);
      // No HSTS over plain HTTP (it would be ignored, and it would be a lie).
      expect(res.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await server.stop();
    }
    expect(server.stderr()).toContain('serving plain HTTP on a non-loopback address');
  }, 60_000);

  it('refuses to start when the audit store cannot be reached (fail-closed from the first request)', async () => {
    const yaml = await readFile(join(ws, 'analyst.yaml'), 'utf8');
    // analyst init already wrote an audit section (the pinned key, the anchors): set the store in it.
    const doc = parseDocument(yaml);
    doc.setIn(['audit', 'store'], 'postgres://postgres@127.0.0.1:1/test');
    await writeFile(join(ws, 'analyst.yaml'), doc.toString());
    try {
      const refused = await serveRefusal(ws, []);
      expect(refused.code).toBe(1);
      expect(refused.stdout).not.toContain('listening');
      expect(refused.stderr).toContain('AUDIT_UNAVAILABLE');
    } finally {
      await writeFile(join(ws, 'analyst.yaml'), yaml);
    }
  }, 60_000);

  it('--strict refuses to start while the doctor lists gaps, naming each gap', async () => {
    const doctor = JSON.parse(
      (await analyst(['doctor', '--workspace', ws, '--json']).catch((e) => e)).stdout,
    ) as {
      ok: boolean;
      checks: Array<{ id: number; gaps: string[] }>;
    };
    expect(doctor.ok).toBe(false);
    const gaps = doctor.checks.flatMap((c) => c.gaps);
    expect(gaps.length).toBeGreaterThan(0);
    const refused = await serveRefusal(ws, ['--strict']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain('listening');
    expect(refused.stderr).toContain('--strict');
    for (const gap of gaps) expect(refused.stderr).toContain(gap);
  }, 60_000);
});
