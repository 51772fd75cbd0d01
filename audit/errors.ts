import { AnalystError } from '../core/index.ts';

/** Every code the audit folder raises. */
export type AuditErrorCode =
  /** The audit record could not be written durably: the caller must fail closed (HTTP 503). */
  | 'AUDIT_UNAVAILABLE'
  | 'AUDIT_CLOSED'
  | 'AUDIT_INVALID_RECORD'
  | 'AUDIT_KEY_MISSING'
  | 'AUDIT_KEY_INVALID'
  /** The signing key is not the one analyst.yaml pins (audit.signing_key_fingerprint). */
  | 'AUDIT_KEY_UNTRUSTED'
  /** An anchor file cannot be opened or written. */
  | 'AUDIT_ANCHOR_FAILED'
  | 'AUDIT_DECRYPT_FAILED'
  | 'AUDIT_CONFIG_INVALID'
  /** A bad argument to an audit command (a date that does not parse, an unknown format). */
  | 'AUDIT_USAGE';

/** Callers that release a response after `append` map this code to 503 and send nothing else. */
export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE' satisfies AuditErrorCode;

/** An error raised by the audit log; branch on `code`. */
export class AuditError extends AnalystError {
  declare readonly code: AuditErrorCode;
  constructor(
    code: AuditErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: 1 | 2 | 3 } = {},
  ) {
    super(code, message, options);
    this.name = 'AuditError';
  }
}
