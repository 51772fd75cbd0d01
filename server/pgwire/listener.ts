import { createServer, type Server } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { SqlWireContext } from './services.ts';
import { createCancelRegistry, WireSession } from './session.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A running SQL listener. */
export interface SqlListener {
  /** The port it listens on (the chosen one when configured as 0). */
  port: number;
  /** `postgresql://host:port/database`, for logs and the line `analyst serve` prints. */
  url: string;
  /** Stop accepting, end every session, and wait for the socket to close. */
  close(): Promise<void>;
}

/** Whether `host` is a loopback address (plain connections allowed there). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/**
 * Listen for PostgreSQL clients: psql, BI tools and drivers connect to the governed layer as if it
 * were a PostgreSQL database. Off loopback, `options.tls` is required and unencrypted sessions are
 * refused; over the limit of connections a client gets 53300 and is disconnected.
 *
 * @example const sql = await startSqlListener({ services, limits, options }); console.log(sql.url);
 */
export async function startSqlListener(ctx: SqlWireContext): Promise<SqlListener> {
  const { options } = ctx;
  if (!isLoopback(options.host) && !options.tls)
    throw new Error(
      `Refusing the SQL API on ${options.host} without TLS: configure server.tls (cert, key) or listen on loopback.`,
    );
  const tls = options.tls
    ? createSecureContext({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' })
    : undefined;
  const cancels = createCancelRegistry();
  const sessions = new Set<WireSession>();
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Over the limit, a client still negotiates TLS and is then told why (53300), as PostgreSQL does.
    if (sessions.size >= options.maxConnections) {
      new WireSession(socket, ctx, cancels, tls, () => {}, {
        severity: 'FATAL',
        code: '53300',
        message: 'sorry, too many clients already',
      });
      return;
    }
    const session: WireSession = new WireSession(socket, ctx, cancels, tls, () => sessions.delete(session));
    sessions.add(session);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `postgresql://${host}:${port}/${options.database}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
