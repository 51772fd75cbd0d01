import type { Logger } from 'pino';
import type { ResultColumn } from '../../lakehouse/index.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { SharedLimits } from '../guards.ts';
import type { AuditEvent } from '../services.ts';
import type { SqlTable } from './catalog.ts';
import type { RelationMeasures } from './measures.ts';

/** The policies' view of a caller (what `securityContextOf` returns). */
export interface SqlSecurityContext {
  userId: string;
  roles: string[];
  attributes: Record<string, unknown>;
}

/**
 * What the SQL wire protocol calls into: the HTTP API's authenticator and audit trail, the
 * governed SQL gate, and the semantic model's relations and measures as the caller may see them.
 */
export interface SqlWireServices {
  authenticator: Authenticator;
  /** Must resolve before rows are sent; a failure sends an error instead. */
  audit(event: AuditEvent): Promise<string | null>;
  /** The gate, as POST /v1/sql calls it, with a row cap and a cancel signal. */
  governedSql(
    sql: string,
    ctx: SqlSecurityContext,
    options: { signal?: AbortSignal; maxRows: number },
  ): Promise<{
    columns: ResultColumn[];
    rows: unknown[][];
    truncated: boolean;
    sqlExecuted: string;
    relations?: string[];
  }>;
  /** The cubes and views the caller may query, with the columns they may see. */
  tables(ctx: SqlSecurityContext): Promise<SqlTable[]>;
  /** Per relation (lower-case name): its columns and each measure as an aggregate over them. */
  measures(ctx: SqlSecurityContext): Promise<Map<string, RelationMeasures>>;
}

/** Settings of the SQL listener (from `server.sql` in analyst.yaml). */
export interface SqlWireOptions {
  host: string;
  port: number;
  /** PEM certificate and key: SSLRequest is answered 'S' and TLS negotiated. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** Refuse unencrypted sessions (always when listening off loopback). */
  requireTls: boolean;
  maxConnections: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
  maxRows: number;
  perIdentity: number;
  queueWaitMs: number;
  serverVersion: string;
  database: string;
}

/** Everything one connection needs. */
export interface SqlWireContext {
  services: SqlWireServices;
  /** Where unexpected failures are logged (codes and code locations only). */
  logger?: Pick<Logger, 'error' | 'info' | 'warn'> | undefined;
  limits: SharedLimits;
  options: SqlWireOptions;
}
