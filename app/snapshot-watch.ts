import type { Runtime } from './runtime.ts';
import { syncRunning } from './sync-lock.ts';

/**
 * Follow the lake's catalog: when its latest snapshot id moves (another replica synced, or a CLI
 * wrote on a PostgreSQL catalog), load the semantic model against the lake again, so new tables and
 * changed columns are answered without a restart. Polls `everyMs`; a failed poll is retried at the
 * next tick.
 *
 * @example const watch = watchSnapshots(rt, { everyMs: 5000 }); … watch.stop();
 */
export function watchSnapshots(
  rt: Runtime,
  options: { everyMs: number; onReload?: (snapshot: number) => void; onError?: (err: unknown) => void },
): { stop(): void } {
  let seen: number | undefined;
  let busy = false;
  const latest = async () => {
    const r = await rt.lake.query('SELECT max(snapshot_id) FROM lake.snapshots()');
    return Number(r.rows[0]?.[0]);
  };
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = await latest();
      if (seen === undefined) seen = now;
      // A sync in this process reloads when it ends; its snapshots are picked up then.
      else if (now !== seen && !syncRunning(rt)) {
        seen = now;
        await rt.reload();
        options.onReload?.(now);
      }
    } catch (err) {
      options.onError?.(err);
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
