import { AnalystError } from '../core/index.ts';

export type GateErrorCode =
  | 'SQL_REFUSED'
  | 'SQL_FAILED'
  | 'SQL_TIMEOUT'
  | 'SQL_CANCELLED'
  | 'SNAPSHOT_INVALID';

/** A governed-SQL failure. Refusals exit 3; their reason is safe to show to the caller. */
export class GateError extends AnalystError {
  declare readonly code: GateErrorCode;
  constructor(code: GateErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, {
      ...options,
      exitCode: code === 'SQL_REFUSED' ? 3 : code === 'SNAPSHOT_INVALID' ? 2 : 1,
    });
    this.name = 'GateError';
  }
}

/** The statement was refused before it ran; `message` says why in words a person understands. */
export class PolicyRefusedError extends GateError {
  constructor(reason: string) {
    super('SQL_REFUSED', reason);
    this.name = 'PolicyRefusedError';
  }
}
