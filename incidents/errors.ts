import { AnalystError } from '../core/index.ts';

/** Every code the incident path raises. */
export type IncidentErrorCode =
  /** A break-glass request without a reason, beyond the time box, or for a grant that is gone. */
  | 'BREAK_GLASS_REFUSED'
  /** The model endpoint's breaker is open: the agent answers with the offline planner instead. */
  | 'ENDPOINT_CIRCUIT_OPEN';

/** An error raised by the breaker, the pager or break-glass; branch on `code`. */
export class IncidentError extends AnalystError {
  declare readonly code: IncidentErrorCode;
  constructor(
    code: IncidentErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: 1 | 2 | 3 } = {},
  ) {
    super(code, message, options);
    this.name = 'IncidentError';
  }
}
