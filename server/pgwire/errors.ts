import { AnalystError, isAnalystError } from '../../core/index.ts';
import { toClientError } from '../errors.ts';
import type { ErrorFields } from './protocol.ts';

/** Codes the SQL wire protocol raises itself. */
export type WireErrorCode =
  | 'WIRE_UNSUPPORTED'
  | 'WIRE_PROTOCOL'
  | 'WIRE_UNKNOWN_SETTING'
  | 'WIRE_NOT_FOUND'
  | 'WIRE_CANCELLED';

/** A statement or message this server does not serve; `sqlState` is what the client sees. */
export class WireError extends AnalystError {
  declare readonly code: WireErrorCode;
  constructor(
    code: WireErrorCode,
    message: string,
    readonly sqlState: string,
  ) {
    super(code, message, { exitCode: code === 'WIRE_UNSUPPORTED' ? 2 : 1 });
    this.name = 'WireError';
  }
}

/** SQLSTATE for our codes (PostgreSQL's appendix A); anything else is an internal error. */
const SQLSTATE: Record<string, string> = {
  SQL_REFUSED: '42501',
  POLICY_REFUSED: '42501',
  ACCESS_DENIED: '42501',
  FORBIDDEN: '42501',
  HIDDEN_MEMBER: '42501',
  UNKNOWN_MEMBER: '42703',
  SQL_TIMEOUT: '57014',
  SQL_CANCELLED: '57014',
  QUERY_TIMEOUT: '57014',
  RATE_LIMITED: '53400',
  QUERY_BUDGET_SPENT: '53400',
  BUSY: '53300',
  AUDIT_UNAVAILABLE: '58000',
  SNAPSHOT_INVALID: '22023',
  QUERY_INVALID: '42601',
};

/** A failed statement as an ErrorResponse: the message a client may see, never a stack or value. */
export function errorFieldsOf(err: unknown): ErrorFields {
  if (err instanceof WireError) return { severity: 'ERROR', code: err.sqlState, message: err.message };
  if (isAnalystError(err) && err.code === 'SQL_CANCELLED')
    return { severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' };
  if (isAnalystError(err) && err.code === 'SQL_TIMEOUT')
    return {
      severity: 'ERROR',
      code: '57014',
      message: `canceling statement due to statement timeout: ${err.message}`,
    };
  const { code, message } = toClientError(err);
  let sqlState = SQLSTATE[code] ?? (isAnalystError(err) && err.exitCode === 3 ? '42501' : 'XX000');
  if (code === 'SQL_FAILED') {
    if (message.includes('Parser Error')) sqlState = '42601';
    else if (message.includes('Catalog Error')) sqlState = '42P01';
    else if (message.includes('Binder Error')) sqlState = '42703';
    else sqlState = '22000';
  }
  return { severity: 'ERROR', code: sqlState, message, ...(code === 'INTERNAL' ? {} : { detail: code }) };
}

/** A catalog query's engine error (the catalog holds no data values, so its first line may be shown). */
export function catalogErrorFields(err: unknown): ErrorFields {
  if (err instanceof WireError) return { severity: 'ERROR', code: err.sqlState, message: err.message };
  const first = ((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '').trim();
  const message = first.replace(/\s*Did you mean.*$/i, '');
  if (/interrupt/i.test(message))
    return { severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' };
  const code = message.startsWith('Parser Error')
    ? '42601'
    : message.startsWith('Catalog Error')
      ? '42P01'
      : message.startsWith('Binder Error')
        ? '42703'
        : '0A000';
  return { severity: 'ERROR', code, message: `The catalog query is not supported: ${message}` };
}
