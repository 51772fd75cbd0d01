// The SQL API follows the server's TLS settings, as a real `analyst serve` process: with
// server.tls an SSLRequest is answered and the session is encrypted with the server's certificate;
// listening off loopback, a session without TLS is refused. Its connection limit holds too.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyst, devToken, type LiveServer, startServer } from '../testing/live-server.ts';

let root = '';
let ws = '';
let cert = '';
let server: LiveServer;
let port = 0;
let token = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pgwire-tls-'));
  ws = join(root, 'ws');
  await analyst(['init', ws, '--json']);
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
  const yaml = await readFile(join(ws, 'analyst.yaml'), 'utf8');
  // HTTPS on loopback; the SQL API on every address, where TLS is required.
  await writeFile(
    join(ws, 'analyst.yaml'),
    `${yaml}server:\n  tls:\n    cert: tls/cert.pem\n    key: tls/key.pem\n  sql:\n    port: 0\n    host: 0.0.0.0\n    max_connections: 2\n`,
  );
  token = await devToken(ws, 'analyst');
  server = await startServer(ws);
  port = Number(new URL(server.sqlUrl ?? 'postgresql://x:0').port);
  expect(port).toBeGreaterThan(0);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('TLS on the SQL API', () => {
  it('answers an SSLRequest and serves the session over TLS with the server certificate', async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'analyst',
      password: token,
      database: 'analyst',
      ssl: { ca: cert, servername: '127.0.0.1' },
    });
    await c.connect();
    try {
      const socket = (
        c as unknown as { connection: { stream: { encrypted?: boolean; getProtocol?(): string } } }
      ).connection.stream;
      expect(socket.encrypted).toBe(true);
      expect(socket.getProtocol?.()).toMatch(/^TLSv1\.[23]$/);
      expect((await c.query('SELECT current_database() AS db')).rows).toEqual([{ db: 'analyst' }]);
    } finally {
      await c.end();
    }
  });

  it('refuses a session without TLS when listening off loopback', async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'analyst',
      password: token,
      database: 'analyst',
    });
    const err = await c.connect().then(
      () => undefined,
      (e: { code?: string; message?: string }) => e,
    );
    await c.end().catch(() => {});
    expect(err?.code).toBe('28000');
    expect(err?.message).toContain('requires TLS');
  });

  it('psql with sslmode=require connects; sslmode=disable is refused', async () => {
    const psql = (mode: string) => {
      try {
        return execFileSync(
          'psql',
          [
            `host=127.0.0.1 port=${port} user=analyst dbname=analyst sslmode=${mode}`,
            '-X',
            '-A',
            '-t',
            '-c',
            'SELECT 1 AS one',
          ],
          { env: { ...process.env, PGPASSWORD: token, PGCONNECT_TIMEOUT: '10' }, stdio: 'pipe' },
        ).toString();
      } catch (e) {
        return String((e as { stderr?: Buffer }).stderr ?? e);
      }
    };
    expect(psql('disable')).toContain('requires TLS');
    expect(psql('require').trim()).toBe('1');
  });

  it('past server.sql.max_connections a client gets 53300 and the others keep working', async () => {
    const open = async () => {
      const c = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'analyst',
        password: token,
        database: 'analyst',
        ssl: { ca: cert, servername: '127.0.0.1' },
      });
      await c.connect();
      return c;
    };
    // Sessions of earlier tests end as their sockets close: wait until one can sign in.
    let first: pg.Client | undefined;
    for (let i = 0; i < 50 && !first; i++) first = await open().catch(() => undefined);
    expect(first).toBeDefined();
    const second = await open();
    const third = await open().then(
      async (c) => {
        await c.end();
        return 'connected';
      },
      (e: { code?: string }) => e.code,
    );
    expect(third).toBe('53300');
    expect((await second.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await first?.end();
    await second.end();
  });
});
