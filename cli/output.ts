import { isAnalystError } from '../core/index.ts';

/** Exit codes every command shares. */
export const EXIT = { ok: 0, error: 1, usage: 2, refused: 3 } as const;

/** Print data: JSON (one document) with --json, else a readable rendering. */
export function printData(data: unknown, json: boolean, render: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${render()}\n`);
}

/**
 * Report an error on stderr with its stable code and return the exit code. With --json the
 * error is a JSON object, so scripts never have to parse prose.
 */
export function reportError(err: unknown, json: boolean): number {
  if (isAnalystError(err)) {
    if (json)
      process.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
    else process.stderr.write(`analyst: ${err.code}: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) process.stderr.write(`${JSON.stringify({ error: { code: 'INTERNAL', message } })}\n`);
  else process.stderr.write(`analyst: INTERNAL: ${message}\n`);
  if (process.env.ANALYST_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.error;
}

/** A progress line on stderr (stdout stays clean for --json). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Render rows as an aligned text table. */
export function table(headers: string[], rows: unknown[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? '').padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
