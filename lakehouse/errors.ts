import { AnalystError } from '../core/index.ts';

/** Every code the lakehouse raises. */
export type LakehouseErrorCode =
  | 'EXTENSION_MISSING'
  | 'LAKE_KEY_MISSING'
  | 'LAKE_KEY_UNREADABLE'
  | 'LAKE_KEY_INVALID'
  | 'LAKE_OPEN_FAILED'
  | 'LAKE_CLOSED'
  | 'TABLE_NOT_FOUND'
  | 'TABLE_EXISTS'
  | 'INVALID_NAME'
  | 'WRITE_CONFLICT'
  | 'WRITE_FAILED'
  | 'SNAPSHOT_NOT_FOUND'
  | 'QUERY_TIMEOUT'
  | 'QUERY_CANCELLED'
  | 'QUERY_FAILED'
  | 'LAKE_STORAGE_DENIED'
  | 'BACKUP_UNSUPPORTED'
  | 'BACKUP_INVALID';

/** An error raised by the lakehouse; branch on `code`. */
export class LakehouseError extends AnalystError {
  declare readonly code: LakehouseErrorCode;
  constructor(code: LakehouseErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'LakehouseError';
  }
}

/** A DuckDB extension could not be found, installed or loaded from any source. */
export class ExtensionMissingError extends LakehouseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('EXTENSION_MISSING', message, options);
    this.name = 'ExtensionMissingError';
  }
}

/** A query ran past its time budget and was interrupted inside DuckDB. */
export class QueryTimeoutError extends LakehouseError {
  constructor(timeoutMs: number) {
    super('QUERY_TIMEOUT', `The query ran longer than ${timeoutMs} ms and was stopped.`);
    this.name = 'QueryTimeoutError';
  }
}
