import type { AgentEvent, AskResult, CallerContext, Turn } from '../agent/index.ts';
import type { DashboardStore } from '../dashboards/index.ts';
import type { ResultColumn, SnapshotInfo } from '../lakehouse/index.ts';
import type { ServerConfig } from '../workspace/index.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { EmbedTokens } from './auth/embed-tokens.ts';
import type { Identity } from './auth/identity.ts';

/** A data or security event the server must record before it responds (see audit/). */
export interface AuditEvent {
  type: 'data' | 'auth_failure' | 'refusal' | 'admin' | 'export' | 'config' | 'break_glass';
  requestId: string;
  route: string;
  clientAddress: string | undefined;
  identity?: Identity | undefined;
  outcome: 'ok' | 'refused' | 'error';
  detail?: Record<string, unknown>;
  latencyMs?: number;
}

/**
 * Everything the HTTP layer calls into, injected by `analyst serve` (and by tests). The server
 * holds no state of its own beyond limits and sessions.
 */
export interface ServerServices {
  config: ServerConfig;
  authenticator: Authenticator;
  ask(
    question: string,
    ctx: CallerContext,
    options: {
      conversationId?: string | undefined;
      /** Answer from the lake as of a snapshot id or time (today's policies; the result names the snapshot). */
      asOf?: { snapshot: number } | { at: string } | undefined;
      request: { requestId: string; clientAddress: string | undefined };
    },
  ): AsyncGenerator<AgentEvent>;
  conversation(id: string, ctx: CallerContext): Promise<{ id: string; turns: Turn[] }>;
  governedSql(
    sql: string,
    ctx: CallerContext,
    options?: { asOf?: { snapshot: number } | { at: string } | undefined },
  ): Promise<{
    columns: ResultColumn[];
    rows: unknown[][];
    truncated: boolean;
    sqlExecuted: string;
    relations?: string[];
    /** The snapshot read, when `asOf` asked for one. */
    snapshot?: number;
  }>;
  cube?: {
    /** `multi`: answer in the `queryType=multi` envelope `@cubejs-client/core` asks for. */
    load(query: unknown, ctx: CallerContext, options: { multi: boolean }): Promise<unknown>;
    sql(query: unknown, ctx: CallerContext): Promise<unknown>;
    meta(ctx: CallerContext): Promise<unknown>;
  };
  /** Must resolve before the response is released; a failure fails the request closed (503). */
  audit(event: AuditEvent): Promise<string | null>;
  readiness(): Promise<Record<string, { ok: boolean; detail?: string }>>;
  /** Audit trail for auditors: newest first, with paging; bodies decrypted. */
  auditSearch?(
    filter: Record<string, string | undefined>,
    paging: { limit: number; before?: number },
  ): Promise<{ records: unknown[]; next: number | null }>;
  auditExport?(format: 'jsonl' | 'csv'): AsyncIterable<string>;
  /** The compliance doctor's report (`analyst doctor --json`). */
  compliance?(): Promise<unknown>;
  /** The lake's snapshots, oldest first (GET /v1/lake/snapshots: admin, auditor). */
  lakeSnapshots?(): Promise<SnapshotInfo[]>;
  /** The workspace's `dashboards/` folder. */
  dashboards?: DashboardStore;
  /** Signs and verifies embed tokens (the workspace's embed key). */
  embedTokens?: EmbedTokens;
  /** Dev mode only: users.yaml identities the web app may sign in as on loopback. */
  devSignIn?: {
    users(): Promise<Array<{ id: string; name?: string | undefined; roles: string[] }>>;
    issue(userId: string): Promise<{ token: string; expiresInHours: number }>;
  };
  /** Connector administration (admin role or an API key with the `admin` scope). */
  connectors?: ConnectorAdmin;
  /** Break-glass grants (admin): audited before they take effect, time-limited. */
  breakGlass?: BreakGlassAdmin;
}

/** An emergency elevation as the admin API shows it (the reason stays in the audit trail). */
export interface BreakGlassSummary {
  grantId: string;
  userId: string;
  roles: string[];
  grantedAt: string;
  expiresAt: string;
  auditId: string;
}

/** What the break-glass admin routes call. */
export interface BreakGlassAdmin {
  /** `roles` defaults to the workspace's break-glass roles; refused (and audited) without a reason. */
  grant(request: {
    userId: string;
    reason: string;
    minutes: number;
    roles?: string[] | undefined;
    grantedBy: string;
    requestId: string;
    clientAddress: string | undefined;
  }): Promise<BreakGlassSummary>;
  active(): Promise<BreakGlassSummary[]>;
}

/** A configured connector as the admin API lists it (no options: they may name hosts and secrets). */
export interface ConnectorSummary {
  name: string;
  type: string;
  mode: string;
  streams: string[] | 'all';
}

/** One stream's load, as a sync answers and as sync history records it. */
export interface StreamSyncSummary {
  connector: string;
  stream: string;
  table: string;
  mode: string;
  rows: number;
  rejects: number;
  durationMs: number;
  status: string;
  /** A failure's code only: sync messages can quote source values. */
  errorCode: string | null;
  runId: string;
  startedAt?: string;
}

/** What the connector admin routes call; names are validated against analyst.yaml by the implementation. */
export interface ConnectorAdmin {
  list(): Promise<{ connectors: ConnectorSummary[]; types: Array<{ type: string; description: string }> }>;
  check(names: string[]): Promise<Array<{ name: string; ok: boolean; reason?: string }>>;
  /** Load the named connectors (all when empty) into the lake; one sync at a time per process. */
  sync(names: string[]): Promise<StreamSyncSummary[]>;
  /** Sync history, newest first. */
  history(filter: { connector?: string | undefined; limit: number }): Promise<StreamSyncSummary[]>;
  /** Each connector's schedule, next run, last run and last error (GET /v1/connectors/status). */
  status?(): Promise<ConnectorStatus[]>;
}

/** One connector's scheduling state, as `GET /v1/connectors/status` and `analyst connectors status` show it. */
export interface ConnectorStatus {
  name: string;
  type: string;
  /** The cron expression from analyst.yaml, or null when it syncs only when asked. */
  schedule: string | null;
  timezone: string | null;
  nextRun: string | null;
  lastRun: {
    runId: string | null;
    startedAt: string;
    status: 'ok' | 'failed' | 'skipped' | 'running';
    rows: number | null;
  } | null;
  /** The code of the last failure (never its message: it can quote source values). */
  lastError: { at: string; code: string } | null;
}

export type { AskResult };
