import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { type Runtime, runHosted } from '../../app/index.ts';
import { main } from '../main.ts';
import { captureOutput } from './capture.ts';
import {
  type ControlFrame,
  type ControlRequest,
  controlPaths,
  HOSTED_COMMANDS,
  MAX_SOCKET_PATH,
} from './protocol.ts';

const MAX_REQUEST_BYTES = 1 << 20;

/**
 * Open the workspace's control socket (`state/control.sock`, mode 0600 in a 0700 folder) so CLI
 * commands typed beside a running `analyst serve` run here, on the server's lake, with the output
 * and exit code they would have had. Only for a DuckDB-file catalog: with a PostgreSQL catalog the
 * CLI opens the lake itself.
 *
 * Who may connect: Node has no API for a Unix socket's peer credentials (SO_PEERCRED), so the
 * same-user check is the file system's: the socket is 0600 inside `state/` (0700, owned by this
 * user; Linux needs write permission on the socket file to connect), and the client must present
 * the per-start secret in `state/control.token` (0600), compared in constant time.
 *
 * @example const control = await openControlSocket(rt, logger); … await control?.close();
 */
export async function openControlSocket(
  rt: Runtime,
  logger: Logger,
): Promise<{ path: string; close(): Promise<void> } | undefined> {
  const ws = rt.workspace;
  if (ws.config.lake.catalog !== 'duckdb') return undefined;
  const paths = controlPaths(ws.dir);
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
    logger.warn(
      { path: paths.socket },
      'no control socket: the workspace path is too long for a Unix socket; stop the server to run CLI commands',
    );
    return undefined;
  }
  await mkdir(paths.state, { recursive: true, mode: 0o700 });
  const st = await lstat(paths.state);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()))
    throw new Error(`${paths.state} is not a folder owned by this user; not opening the control socket.`);
  await chmod(paths.state, 0o700);
  const secret = randomBytes(32).toString('hex');
  await rm(paths.token, { force: true });
  await writeFile(paths.token, secret, { mode: 0o600, flag: 'wx' });
  // We hold the lake, so a socket file left here is a crashed server's.
  await rm(paths.socket, { force: true });

  const inFlight = new Set<Promise<unknown>>();
  const server = createServer((socket) => {
    const p = serveOne(socket, rt, secret, logger).catch((err: unknown) => {
      logger.warn({ err: (err as Error).name }, 'control socket command failed');
      socket.destroy();
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(paths.socket, () => resolve());
  });
  await chmod(paths.socket, 0o600);
  logger.info({ path: paths.socket }, 'control socket open');
  return {
    path: paths.socket,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      await rm(paths.socket, { force: true });
      await rm(paths.token, { force: true });
    },
  };
}

async function serveOne(socket: Socket, rt: Runtime, secret: string, logger: Logger): Promise<void> {
  const request = await readRequest(socket);
  const send = (frame: ControlFrame) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(frame)}\n`);
  };
  const given = Buffer.from(typeof request?.token === 'string' ? request.token : '');
  const expected = Buffer.from(secret);
  if (!request || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    logger.warn('control socket: a connection without the current secret was refused');
    send({ stream: 'stderr', data: 'analyst: FORBIDDEN: the control socket refused this client.\n' });
    send({ exit: 1 });
    socket.end();
    return;
  }
  const args = request.args;
  const command = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--workspace');
  if (!command || !HOSTED_COMMANDS.has(command)) {
    send({
      stream: 'stderr',
      data: `analyst: USAGE: ${command ?? '(none)'} is not run through the server.\n`,
    });
    send({ exit: 2 });
    socket.end();
    return;
  }
  const pid = Number.isInteger(request.pid) ? request.pid : 0;
  const user = typeof request.user === 'string' ? request.user.slice(0, 64) : '';
  const scope = {
    route: `analyst ${command}`,
    // The audit record names the CLI as the client (the HTTP routes put the caller's address here).
    clientAddress: `analyst CLI pid ${pid}${user ? ` user ${user}` : ''} (control socket)`,
    requestId: randomUUID(),
  };
  const tty = { stdout: request.tty?.stdout === true, stderr: request.tty?.stderr === true };
  const code = await runHosted(rt, scope, () =>
    captureOutput({ tty, write: (stream, data) => send({ stream, data }) }, () =>
      main(['node', 'analyst', ...args]),
    ),
  );
  send({ exit: code });
  socket.end();
}

function readRequest(socket: Socket): Promise<ControlRequest | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const done = (value: ControlRequest | undefined) => {
      socket.off('data', onData);
      resolve(value);
    };
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        try {
          const parsed = JSON.parse(buf.slice(0, nl)) as ControlRequest;
          done(
            Array.isArray(parsed.args) && parsed.args.every((a) => typeof a === 'string')
              ? parsed
              : undefined,
          );
        } catch {
          done(undefined);
        }
      } else if (buf.length > MAX_REQUEST_BYTES) done(undefined);
    };
    socket.on('data', onData);
    socket.once('end', () => done(undefined));
    socket.once('error', () => done(undefined));
  });
}
