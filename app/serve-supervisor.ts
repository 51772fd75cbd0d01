import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';

/** Set in the environment of the process a supervisor starts: it serves, it does not listen. */
export const SERVE_CHILD_ENV = 'ANALYST_SERVE_CHILD';

/** What a supervised child sends its supervisor once it can take connections. */
const READY = 'analyst-serve-ready';
const SOCKET = 'analyst-serve-socket';
const ACK = 'analyst-serve-socket-ack';

export interface Supervisor {
  url: string;
  /** Stop taking connections, stop the serving process, resolve when it has exited. */
  stop(): Promise<void>;
}

/**
 * `analyst serve` with `server.supervise: true`: this process only holds the listening socket and
 * hands each connection to a serving child process (the runtime, DuckDB and the HTTP app, under
 * the OS memory limit). If that child dies (the kernel's OOM killer, a crash), the supervisor
 * starts another one and keeps the port open meanwhile: connections that arrive wait for it.
 * Requests the dead child was answering are lost with it.
 *
 * @example const sup = await superviseServe({ host: '127.0.0.1', port: 0, tls: false, entry: process.argv[1], args: process.argv.slice(2), logger });
 */
export async function superviseServe(options: {
  host: string;
  port: number;
  tls: boolean;
  /** The script and arguments that start `analyst serve` again, as the child. */
  entry: string;
  args: string[];
  logger: Logger;
}): Promise<Supervisor> {
  const { logger } = options;
  const waiting: Socket[] = [];
  let child: ChildProcess | undefined;
  let ready = false;
  let stopping = false;
  let started = false;
  const readyOnce = new WeakSet<ChildProcess>();

  // Sockets sent to the child and not yet acknowledged. The supervisor keeps its own copy until the
  // child says it has the connection: if the child dies first, the connection (its request still
  // unread in the kernel) goes to the next child instead of being left open with nobody on it.
  const unacknowledged = new Map<number, Socket>();
  let nextId = 0;
  const handOver = (socket: Socket) => {
    if (!child || !ready || !child.connected) {
      waiting.push(socket);
      return;
    }
    const id = nextId++;
    unacknowledged.set(id, socket);
    child.send({ type: SOCKET, id }, socket, { keepOpen: true }, (err) => {
      if (err && unacknowledged.delete(id)) waiting.push(socket);
    });
  };
  const acknowledged = (id: number) => {
    const socket = unacknowledged.get(id);
    unacknowledged.delete(id);
    // Only this process's descriptor closes; the connection lives on in the child.
    socket?.destroy();
  };

  const listener: Server = createServer({ pauseOnConnect: true }, handOver);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host, () => resolve());
  });
  const firstStart = new Promise<void>((resolveFirst, rejectFirst) => {
    const spawnChild = () => {
      ready = false;
      const c = fork(options.entry, options.args, {
        env: { ...process.env, [SERVE_CHILD_ENV]: '1' },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      child = c;
      logger.info({ child: c.pid }, 'serving process started');
      c.on('message', (m) => {
        const ack = m as { type?: string; id?: number };
        if (ack?.type === ACK && typeof ack.id === 'number') acknowledged(ack.id);
        if (m !== READY) return;
        readyOnce.add(c);
        ready = true;
        started = true;
        resolveFirst();
        for (const s of waiting.splice(0)) handOver(s);
      });
      c.once('exit', (code, signal) => {
        if (child === c) child = undefined;
        ready = false;
        const orphans = [...unacknowledged.values()];
        unacknowledged.clear();
        if (stopping) {
          for (const s of orphans) s.destroy();
          return;
        }
        waiting.push(...orphans);
        if (!started) {
          rejectFirst(new Error(`the serving process exited (${signal ?? code}) before it was ready`));
          return;
        }
        logger.error({ child: c.pid, code, signal }, 'serving process ended; starting another');
        // One that died before it was ready is retried after a pause, not in a tight loop.
        const wasReady = readyOnce.has(c);
        setTimeout(() => stopping || spawnChild(), wasReady ? 0 : 5000).unref();
      });
    };
    spawnChild();
  });

  try {
    await firstStart;
  } catch (err) {
    listener.close();
    throw err;
  }
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    stop: async () => {
      stopping = true;
      listener.close();
      for (const s of waiting.splice(0)) s.destroy();
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * In the supervised child: take the connections the supervisor hands over into `server` (an HTTP
 * or HTTPS server that is not listening), tell it we are ready, and stop if it goes away.
 * `close()` lets go of the supervisor, so the process can exit.
 */
export function serveHandedConnections(server: { emit(event: 'connection', socket: Socket): boolean }): {
  close(): void;
} {
  const onMessage = (m: unknown, socket: unknown) => {
    const message = m as { type?: string; id?: number };
    if (message?.type !== SOCKET || !socket) return;
    const s = socket as Socket;
    server.emit('connection', s);
    s.resume();
    process.send?.({ type: ACK, id: message.id });
  };
  // The supervisor is gone: nobody can reach this process any more.
  const onDisconnect = () => process.kill(process.pid, 'SIGTERM');
  process.on('message', onMessage);
  process.once('disconnect', onDisconnect);
  process.send?.(READY);
  return {
    close: () => {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      if (process.connected) process.disconnect();
    },
  };
}
