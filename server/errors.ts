import { HTTPException } from 'hono/http-exception';
import { AnalystError, isAnalystError } from '../core/index.ts';

export type ServerErrorCode =
  | 'AUTH_MISSING'
  | 'AUTH_INVALID'
  | 'AUTH_EXPIRED'
  | 'AUTH_NOT_YET_VALID'
  | 'AUTH_ISSUER'
  | 'AUTH_AUDIENCE'
  | 'AUTH_ALGORITHM'
  | 'AUTH_SIGNATURE'
  | 'AUTH_REVOKED'
  | 'AUTH_MFA_REQUIRED'
  | 'SESSION_IDLE'
  | 'SESSION_TOO_OLD'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'QUERY_BUDGET_SPENT'
  | 'BUSY'
  | 'BODY_TIMEOUT'
  | 'BODY_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'INSECURE_LISTEN'
  | 'SYNC_RUNNING';

/** An HTTP-facing error; its status comes from `statusFor`, in one place. */
export class ServerError extends AnalystError {
  declare readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: code === 'FORBIDDEN' ? 3 : code === 'BAD_REQUEST' ? 2 : 1 });
    this.name = 'ServerError';
  }
}

/**
 * Codes whose messages are written for callers (no SQL values, no PHI) and their HTTP status.
 * Anything not listed becomes a 500 with a generic message: an unknown error's text is never sent.
 */
const STATUS: Record<string, number> = {
  AUTH_MISSING: 401,
  AUTH_INVALID: 401,
  AUTH_EXPIRED: 401,
  AUTH_NOT_YET_VALID: 401,
  AUTH_ISSUER: 401,
  AUTH_AUDIENCE: 401,
  AUTH_ALGORITHM: 401,
  AUTH_SIGNATURE: 401,
  AUTH_REVOKED: 401,
  AUTH_MFA_REQUIRED: 401,
  SESSION_IDLE: 401,
  SESSION_TOO_OLD: 401,
  FORBIDDEN: 403,
  SQL_REFUSED: 403,
  CONVERSATION_FORBIDDEN: 403,
  POLICY_REFUSED: 403,
  ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  DASHBOARD_NOT_FOUND: 404,
  TILE_NOT_FOUND: 404,
  DASHBOARD_EXISTS: 409,
  DASHBOARD_INVALID: 400,
  VERIFIED_QUERY_INVALID: 400,
  VERIFIED_QUERY_EXISTS: 409,
  FILTER_INVALID: 400,
  DRILL_INVALID: 400,
  UNKNOWN_USER: 400,
  CONVERSATION_NOT_FOUND: 404,
  BAD_REQUEST: 400,
  INVALID_QUESTION: 400,
  INVALID_QUERY: 400,
  // A cube whose table the lake lacks: the query cannot be served as asked.
  CUBE_UNAVAILABLE: 400,
  UNKNOWN_MEMBER: 400,
  QUERY_INVALID: 400,
  JOIN_PATH_NOT_FOUND: 400,
  JOIN_PATH_AMBIGUOUS: 400,
  HIDDEN_MEMBER: 400,
  NO_JOIN_PATH: 400,
  AMBIGUOUS_JOIN_PATH: 400,
  SQL_FAILED: 400,
  SNAPSHOT_INVALID: 400,
  BODY_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  QUERY_BUDGET_SPENT: 429,
  BODY_TIMEOUT: 408,
  SQL_TIMEOUT: 504,
  QUERY_TIMEOUT: 504,
  TIMEOUT: 504,
  BUSY: 503,
  SYNC_RUNNING: 409,
  AUDIT_UNAVAILABLE: 503,
};

/** Status, code and message for a client; never a stack, SQL value or PHI. */
export function toClientError(err: unknown): { status: number; code: string; message: string } {
  if (isAnalystError(err)) {
    const status = STATUS[err.code] ?? (err.exitCode === 3 ? 403 : undefined);
    if (status !== undefined) {
      const message =
        status === 503 && err.code === 'AUDIT_UNAVAILABLE'
          ? 'The audit trail is unavailable; nothing was returned.'
          : err.message;
      return { status, code: err.code, message };
    }
  }
  // Hono's own validators (e.g. a body that is not JSON) throw 400s; their text is Hono's, not ours.
  if (err instanceof HTTPException && err.status === 400)
    return { status: 400, code: 'BAD_REQUEST', message: 'The request is malformed: is the body valid JSON?' };
  // A route's schema names its media types; anything else (a form post, text/plain) is refused.
  if (err instanceof HTTPException && err.status === 415)
    return {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Send the body as JSON (Content-Type: application/json).',
    };
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'Internal error. The request id identifies it in the server log.',
  };
}
