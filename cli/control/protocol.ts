import { join } from 'node:path';

/**
 * The control socket: how a CLI on the same machine hands its command to the server that holds a
 * workspace's lake (a DuckDB-file catalog has one writer: the server).
 *
 * One connection per command. The client sends one line of JSON (a {@link ControlRequest}); the
 * server answers with lines of JSON: `{"stream":"stdout"|"stderr","data"}` as the command writes,
 * then `{"exit":N}`.
 */
export interface ControlRequest {
  v: 1;
  /** The per-start secret from `state/control.token` (0600): proves the client can read the owner's files. */
  token: string;
  /** The command line after `analyst`, with the workspace and path arguments made absolute. */
  args: string[];
  tty: { stdout: boolean; stderr: boolean };
  pid: number;
  user: string;
}

export type ControlFrame = { stream: 'stdout' | 'stderr'; data: string } | { exit: number };

/** The commands the server runs for a CLI; the rest (init, start, serve, token, …) run where they are typed. */
export const HOSTED_COMMANDS = new Set([
  'ask',
  'sql',
  'lake',
  'sync',
  'audit',
  'doctor',
  'connectors',
  'model',
  'backup',
  'break-glass',
]);

/** Unix socket paths are limited to about 107 bytes; past this the server does not open one. */
export const MAX_SOCKET_PATH = 100;

/** Where a workspace's control socket and its secret live. */
export function controlPaths(workspaceDir: string): { socket: string; token: string; state: string } {
  const state = join(workspaceDir, 'state');
  return { state, socket: join(state, 'control.sock'), token: join(state, 'control.token') };
}
