import cliProgress from 'cli-progress';
import type { SyncEvent } from './load-stream.ts';

/** Renders sync events: a live bar per stream on a terminal, plain lines otherwise. */
export interface ProgressReporter {
  onEvent(e: SyncEvent): void;
  stop(): void;
}

/**
 * A progress reporter for `out` (stderr in the CLI, so stdout stays clean for --json). On a TTY
 * each stream gets a bar with rows, rows/s and an ETA when the row count is known; otherwise one
 * line when a stream starts and one when it ends.
 *
 * @example const p = createProgressReporter(process.stderr); await syncConnector(c, { ...env, onEvent: p.onEvent }); p.stop();
 */
export function createProgressReporter(out: NodeJS.WriteStream, tty = Boolean(out.isTTY)): ProgressReporter {
  const started = new Map<string, number>();
  if (!tty) {
    return {
      onEvent(e) {
        if (e.type === 'stream-start') {
          started.set(`${e.connector}.${e.stream}`, performance.now());
          out.write(`sync ${e.connector}.${e.stream}: started\n`);
        } else if (e.type === 'stream-end') {
          const r = e.result;
          const text =
            r.status === 'ok'
              ? `${r.rows} rows, ${r.rejects} rejects, ${(r.durationMs / 1000).toFixed(1)} s`
              : `FAILED ${r.error?.code}: ${r.error?.message}`;
          out.write(`sync ${e.connector}.${r.stream}: ${text}\n`);
        }
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: out,
      clearOnComplete: false,
      hideCursor: true,
      format: ' {stream} [{bar}] {value} rows | {rate} rows/s | ETA {eta_formatted} {status}',
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    onEvent(e) {
      const key = `${e.connector}.${e.type === 'stream-end' ? e.result.stream : e.stream}`;
      if (e.type === 'stream-start') {
        started.set(key, performance.now());
        bars.set(key, multi.create(e.estimatedRows ?? 0, 0, { stream: key, rate: 0, status: '' }));
        return;
      }
      const bar = bars.get(key);
      if (!bar) return;
      const secs = Math.max(0.001, (performance.now() - (started.get(key) ?? performance.now())) / 1000);
      if (e.type === 'progress') {
        if (e.rows > bar.getTotal()) bar.setTotal(e.rows);
        bar.update(e.rows, { rate: Math.round(e.rows / secs) });
      } else {
        const r = e.result;
        bar.setTotal(Math.max(1, r.rows));
        bar.update(r.rows, {
          rate: Math.round(r.rows / secs),
          status: r.status === 'ok' ? `done, ${r.rejects} rejects` : `FAILED ${r.error?.code}`,
        });
      }
    },
    stop: () => {
      multi.update();
      multi.stop();
    },
  };
}
