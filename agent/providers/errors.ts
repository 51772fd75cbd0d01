import { AnalystError } from '../../core/index.ts';

export type ProviderErrorCode =
  /** A request was about to leave for a host other than the configured endpoint's. */
  | 'HOST_REFUSED'
  /** A tool outside our four, or a provider's built-in tool, was requested or returned. */
  | 'TOOL_NOT_COVERED'
  /** An option or feature outside the covered surface (streaming, response formats, …). */
  | 'FEATURE_NOT_COVERED'
  /** Message content other than text (images, files, audio, documents). */
  | 'INPUT_NOT_COVERED'
  /** The model called one of our tools with arguments that do not fit its schema. */
  | 'TOOL_ARGS_INVALID'
  /** The endpoint's settings cannot be used as configured. */
  | 'ENDPOINT_INVALID'
  /** The provider's credentials cannot be found in their usual sources. */
  | 'CREDENTIALS_MISSING'
  /** LangSmith/LangChain tracing is switched on: prompts would leave for a tracing service. */
  | 'TRACING_ENABLED'
  /** An endpoint below `phi: allowed` was called without a PHI boundary, or content failed its check. */
  | 'PHI_BOUNDARY_REQUIRED'
  /** The endpoint answered with an error or could not be reached. */
  | 'MODEL_CALL_FAILED'
  /** A reply larger than a reply may be (bytes on the wire, or more tool calls than one turn takes). */
  | 'REPLY_TOO_LARGE';

const EXIT_CODES: Record<ProviderErrorCode, 1 | 2 | 3> = {
  HOST_REFUSED: 3,
  TOOL_NOT_COVERED: 3,
  FEATURE_NOT_COVERED: 3,
  INPUT_NOT_COVERED: 3,
  TOOL_ARGS_INVALID: 1,
  ENDPOINT_INVALID: 2,
  CREDENTIALS_MISSING: 2,
  TRACING_ENABLED: 3,
  PHI_BOUNDARY_REQUIRED: 3,
  MODEL_CALL_FAILED: 1,
  REPLY_TOO_LARGE: 1,
};

/**
 * A model endpoint problem. Messages name the endpoint and what to change, never prompt text,
 * data values or keys.
 *
 * @example if (hasCode(err, 'TOOL_NOT_COVERED')) audit.refused(err.message);
 */
export class ProviderError extends AnalystError {
  declare readonly code: ProviderErrorCode;
  constructor(code: ProviderErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: EXIT_CODES[code] });
    this.name = 'ProviderError';
  }
}

/**
 * A request to a host the endpoint does not cover was refused before any byte was sent.
 *
 * @example throw new HostRefusedError('api.example.com');
 */
export class HostRefusedError extends ProviderError {
  constructor(readonly host: string) {
    super('HOST_REFUSED', `Refused a request to ${host}: only the configured model endpoint may be called.`);
    this.name = 'HostRefusedError';
  }
}

/**
 * Something outside the pinned surface was asked for; nothing was sent.
 *
 * @example throw new NotCoveredError('TOOL_NOT_COVERED', 'The tool "web_search"');
 */
export class NotCoveredError extends ProviderError {
  constructor(code: 'TOOL_NOT_COVERED' | 'FEATURE_NOT_COVERED' | 'INPUT_NOT_COVERED', what: string) {
    super(code, `${what} is outside the covered surface of the model endpoint; nothing was sent.`);
    this.name = 'NotCoveredError';
  }
}
