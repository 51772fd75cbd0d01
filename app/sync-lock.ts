import type { Runtime } from './runtime.ts';

const running = new WeakMap<object, Promise<unknown>>();

/**
 * One sync at a time per lake in this process: the admin route, the scheduler and a CLI's
 * `analyst sync` sent to the server all load through the server's one lake.
 *
 * `wait: false` answers `undefined` at once when a sync is running (the admin route says so);
 * otherwise the call waits for the running sync to end.
 *
 * @example const out = await exclusiveSync(rt, () => syncConnector(…), { wait: true });
 */
export async function exclusiveSync<T>(
  rt: Pick<Runtime, 'lake'>,
  fn: () => Promise<T>,
  options: { wait: boolean },
): Promise<T | undefined> {
  const key = rt.lake;
  for (;;) {
    const current = running.get(key);
    if (!current) break;
    if (!options.wait) return undefined;
    await current.catch(() => {});
  }
  const p = fn();
  running.set(key, p);
  try {
    return await p;
  } finally {
    if (running.get(key) === p) running.delete(key);
  }
}

/** Whether a sync is running on this lake in this process. */
export function syncRunning(rt: Pick<Runtime, 'lake'>): boolean {
  return running.has(rt.lake);
}
