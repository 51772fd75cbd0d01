import { AnalystError } from '../../core/index.ts';

export type PhiErrorCode =
  /** Text about to leave for a model endpoint still holds an identifier its PHI level forbids. */
  | 'PHI_OUTBOUND_BLOCKED'
  /** A boundary was used for an endpoint cleared for less than the boundary would send. */
  | 'PHI_LEVEL_MISMATCH';

/**
 * The PHI boundary refused to let something leave. Messages never quote the identifier found.
 *
 * @example throw new PhiError('PHI_OUTBOUND_BLOCKED', 'Refused: the request still contains SSN identifiers.');
 */
export class PhiError extends AnalystError {
  declare readonly code: PhiErrorCode;
  constructor(code: PhiErrorCode, message: string) {
    super(code, message, { exitCode: 3 });
    this.name = 'PhiError';
  }
}
