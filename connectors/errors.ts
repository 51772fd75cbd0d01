import { AnalystError } from '../core/index.ts';

/** Every code the connectors and the sync engine raise. */
export const CONNECTOR_ERROR_CODES = [
  'CONNECTOR_UNKNOWN',
  'CONNECTOR_CONFIG_INVALID',
  'CONNECTOR_AUTH_FAILED',
  'CONNECTOR_UNREACHABLE',
  'CONNECTOR_READ_FAILED',
  'SECRET_IN_PLAIN_CONFIG',
  'STREAM_NOT_FOUND',
  'SCHEMA_INCOMPATIBLE',
  'REJECTS_PRESENT',
  'SYNC_FAILED',
  'DEMO_FAILED',
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

/** Whether `code` is one of the connectors' own (branch on codes, not classes). */
export function isConnectorErrorCode(code: unknown): code is ConnectorErrorCode {
  return (CONNECTOR_ERROR_CODES as readonly unknown[]).includes(code);
}

/**
 * An error from a connector or the sync engine; branch on `code`. Messages name the connector
 * and stream and say what to do; they never carry secrets or row values.
 *
 * @example throw new ConnectorError('STREAM_NOT_FOUND', 'synthea has no stream "visits"');
 */
export class ConnectorError extends AnalystError {
  declare readonly code: ConnectorErrorCode;
  constructor(
    code: ConnectorErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: 1 | 2 | 3 } = {},
  ) {
    super(code, message, options);
    this.name = 'ConnectorError';
  }
}

/** The source refused the credentials (bad password, token, key). */
export class ConnectorAuthError extends ConnectorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CONNECTOR_AUTH_FAILED', message, options);
    this.name = 'ConnectorAuthError';
  }
}

/** A source schema changed in a way the lake table cannot absorb (e.g. VARCHAR → INTEGER). */
export class SchemaIncompatibleError extends ConnectorError {
  constructor(message: string) {
    super('SCHEMA_INCOMPATIBLE', message);
    this.name = 'SchemaIncompatibleError';
  }
}
