import { AnalystError } from '../core/index.ts';

export type EvalSuiteErrorCode =
  | 'SUITE_INVALID'
  | 'SUITE_NOT_FOUND'
  | 'DATA_MISSING'
  | 'GOLD_FAILED'
  | 'ENDPOINT_NOT_CONFIGURED'
  | 'UNKNOWN_USER';

/** An eval that cannot run as written: a bad suite file, missing data, an unknown endpoint. */
export class EvalSuiteError extends AnalystError {
  declare readonly code: EvalSuiteErrorCode;
  constructor(
    code: EvalSuiteErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: 1 | 2 } = {},
  ) {
    super(code, message, {
      ...options,
      exitCode: options.exitCode ?? (code === 'GOLD_FAILED' || code === 'DATA_MISSING' ? 1 : 2),
    });
    this.name = 'EvalSuiteError';
  }
}
