/**
 * The base of every error the product raises on purpose.
 *
 * Callers branch on `code`, never on `instanceof` (classes can be duplicated across module
 * instances; codes cannot). The message is for a person and must say what to do; it never
 * carries SQL values, secrets or PHI. `exitCode` is what the CLI exits with.
 *
 * @example
 * throw new AnalystError('CONFIG_INVALID', 'analyst.yaml: lake.catalog must be "duckdb" or a postgres:// URL');
 */
export class AnalystError extends Error {
  readonly code: string;
  /** 1 error, 2 usage, 3 refused by policy. */
  readonly exitCode: 1 | 2 | 3;

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: 1 | 2 | 3 } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AnalystError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** True when `err` is one of ours (checked structurally, so it holds across module copies). */
export function isAnalystError(err: unknown): err is AnalystError {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === 'string' &&
    typeof (err as { exitCode?: unknown }).exitCode === 'number'
  );
}

/** Whether `err` is an AnalystError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return isAnalystError(err) && err.code === code;
}
