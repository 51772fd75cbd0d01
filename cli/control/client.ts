import { lstat, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { isHosted } from '../../app/index.ts';
import { type ControlFrame, type ControlRequest, controlPaths, HOSTED_COMMANDS } from './protocol.ts';

/** Options whose value is a file or folder the command writes or reads, relative to where it is typed. */
const PATH_OPTIONS = new Set(['--out', '--into', '--key-file']);

/**
 * When a server is serving the workspace through its control socket (a DuckDB-file catalog), send
 * the command there and relay its output; answers the exit code, or `undefined` to run the command
 * here (no server, a command that is not hosted, or a stale socket: the lake's own lock then
 * decides, so nothing ever opens a second writer silently).
 *
 * @example const code = await forwardToServer(process.argv); if (code !== undefined) return code;
 */
export async function forwardToServer(argv: string[]): Promise<number | undefined> {
  if (isHosted()) return undefined;
  const args = argv.slice(2);
  if (args.some((a) => a === '--help' || a === '-h')) return undefined;
  let workspace: string | undefined;
  let command: string | undefined;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--workspace') {
      workspace = args[++i];
      continue;
    }
    if (a.startsWith('--workspace=')) {
      workspace = a.slice('--workspace='.length);
      continue;
    }
    if (!command && !a.startsWith('-')) command = a;
    out.push(a);
  }
  if (!command || !HOSTED_COMMANDS.has(command)) return undefined;
  const dir = resolve(workspace ?? process.env.ANALYST_WORKSPACE ?? process.cwd());
  const paths = controlPaths(dir);
  const st = await lstat(paths.socket).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isSocket() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
    process.stderr.write(
      `analyst: CONTROL_SOCKET_UNTRUSTED: ${paths.socket} is not a socket of this user with mode 0600; not sending the command there. Stop the server (or remove the file) and try again.\n`,
    );
    return 1;
  }
  const token = await readFile(paths.token, 'utf8').catch(() => undefined);
  if (token === undefined) return undefined;
  const request: ControlRequest = {
    v: 1,
    token: token.trim(),
    args: ['--workspace', dir, ...absolutePaths(out, command)],
    tty: { stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) },
    pid: process.pid,
    user: userInfo().username,
  };
  return relay(paths.socket, request);
}

/** Relative paths the command will use are the typer's, not the server's: make them absolute. */
function absolutePaths(args: string[], command: string): string[] {
  // `backup <create|restore|verify> DIR`: the word after the subcommand is a folder too.
  let words = 0;
  return args.map((a, i) => {
    const prev = args[i - 1];
    if (prev && PATH_OPTIONS.has(prev)) return abs(a);
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0 && PATH_OPTIONS.has(a.slice(0, eq)))
      return `${a.slice(0, eq + 1)}${abs(a.slice(eq + 1))}`;
    if (a.startsWith('-')) return a;
    words++;
    return command === 'backup' && words === 3 ? abs(a) : a;
  });
}

function abs(p: string): string {
  return isAbsolute(p) ? p : resolve(p);
}

function relay(socketPath: string, request: ControlRequest): Promise<number | undefined> {
  return new Promise((resolveCode) => {
    const socket = connect(socketPath);
    let buf = '';
    let connected = false;
    let exit: number | undefined;
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const frame = JSON.parse(line) as ControlFrame;
        if ('exit' in frame) exit = frame.exit;
        else process[frame.stream].write(frame.data);
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // Nobody listening: a stale socket file. Run here; the lake's lock decides.
      if (!connected) resolveCode(undefined);
      else {
        process.stderr.write(
          `analyst: CONTROL_SOCKET_FAILED: the server's control socket failed: ${err.code}\n`,
        );
        resolveCode(1);
      }
    });
    socket.once('close', () => {
      if (!connected) return;
      if (exit === undefined)
        process.stderr.write(
          'analyst: CONTROL_SOCKET_FAILED: the server closed the control socket before the command ended.\n',
        );
      resolveCode(exit ?? 1);
    });
  });
}
