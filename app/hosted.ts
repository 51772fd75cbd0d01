import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { Workspace } from '../workspace/index.ts';
import type { RequestScope, Runtime } from './runtime.ts';

/**
 * A command that a running server executes for a CLI on the same machine (the control socket):
 * the server's runtime, and the audit scope its records carry (the CLI named as the client).
 */
export interface HostedCommand {
  runtime: Runtime;
  /** Mutable: `openRuntime` sets the command's route (`analyst ask`) when the command asks for it. */
  scope: RequestScope;
}

const hosted = new AsyncLocalStorage<HostedCommand>();

/**
 * Run `fn` (a CLI command) on the server's runtime: every `openRuntime`, `borrowLake` and
 * `syncWorkspace` inside it, for that workspace, uses the server's open lake instead of opening a
 * second one (DuckDB allows one writer per catalog file), and its audit records carry `scope`.
 *
 * @example await runHosted(rt, { route: 'analyst', clientAddress: 'cli pid 42' }, () => main(argv));
 */
export function runHosted<T>(runtime: Runtime, scope: RequestScope, fn: () => Promise<T>): Promise<T> {
  return hosted.run({ runtime, scope }, () => runtime.inScope(scope, fn));
}

/** The hosted command for this workspace, when the current call runs inside a server for it. */
export function hostedFor(ws: Workspace): HostedCommand | undefined {
  const h = hosted.getStore();
  return h && h.runtime.workspace.dir === ws.dir ? h : undefined;
}

/** True inside a command the server runs for a CLI (it must not forward itself again). */
export function isHosted(): boolean {
  return hosted.getStore() !== undefined;
}

/**
 * The workspace's lake for a command: the server's (not closed on release) inside a hosted
 * command, else a lake of its own.
 *
 * @example const { lake, release } = await borrowLake(ws); try { … } finally { await release(); }
 */
export async function borrowLake(ws: Workspace): Promise<{ lake: Lakehouse; release(): Promise<void> }> {
  const h = hostedFor(ws);
  if (h) return { lake: h.runtime.lake, release: async () => {} };
  const lake = await ws.openLake();
  return { lake, release: () => lake.close() };
}

/** A view of the server's runtime for a hosted command: the same wiring, a close that keeps it open. */
export function borrowedRuntime(h: HostedCommand, route: string | undefined): Runtime {
  if (route) h.scope.route = route;
  const view = Object.create(h.runtime) as Runtime;
  Object.defineProperty(view, 'close', { value: async () => {} });
  return view;
}
