import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a hosted command's output goes, and whether its caller's streams are terminals. */
export interface OutputSink {
  write(stream: 'stdout' | 'stderr', text: string): void;
  tty: { stdout: boolean; stderr: boolean };
}

const sinks = new AsyncLocalStorage<OutputSink>();
let installed = false;

/**
 * Send what a command writes to `process.stdout` / `process.stderr` (and what it reads from their
 * `isTTY`) to `sink` while `fn` runs, and only for the calls `fn` makes: the server runs a CLI's
 * command in its own process, beside HTTP requests, with the command's code unchanged, so its
 * output and exit code are the ones it would give if run by itself.
 *
 * @example const code = await captureOutput({ write, tty }, () => main(argv));
 */
export function captureOutput<T>(sink: OutputSink, fn: () => Promise<T>): Promise<T> {
  install();
  return sinks.run(sink, fn);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const sink = sinks.getStore();
      if (!sink) return original(chunk, ...rest);
      sink.write(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
    const ownTty = stream.isTTY;
    Object.defineProperty(stream, 'isTTY', {
      configurable: true,
      get: () => {
        const sink = sinks.getStore();
        return sink ? sink.tty[name] : ownTty;
      },
    });
  }
}
