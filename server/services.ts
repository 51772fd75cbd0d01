import type {
  AgentEvent,
  AskResult,
  CallerContext,
  IdentifierMatcher,
  Turn,
  VerifiedQuery,
  VerifiedQueryInput,
} from '../agent/index.ts';
import type { DashboardStore } from '../dashboards/index.ts';
import type { ResultColumn, SnapshotInfo } from '../lakehouse/index.ts';
import type { McpConfig, ServerConfig } from '../workspace/index.ts';
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
      /** `route` names where the question came from in its audit record (default `POST /v1/chat`). */
      request: { requestId: string; clientAddress: string | undefined; route?: string };
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
    /** Cube's `/v1/dry-run`: the query validated and normalized, not run. */
    dryRun?(query: unknown, ctx: CallerContext): Promise<unknown>;
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
  /** The model's verified queries (`POST /v1/verified-queries`: admin, analyst). */
  verifiedQueries?: VerifiedQueriesService;
  /** Thumbs up/down on answers (`POST /v1/feedback`; listed for admins). */
  feedback?: FeedbackService;
  /** The MCP server's own needs (`POST /mcp`, `analyst mcp`); without it `/mcp` answers 404. */
  mcp?: McpServices;
}

/** What `POST /v1/verified-queries` calls. */
export interface VerifiedQueriesService {
  /**
   * Check the query under the caller's policies (members they may see, SQL the gate accepts; no
   * rows are read) and write `verified_queries/<name>.yaml` atomically. Throws a coded error.
   */
  save(input: VerifiedQueryInput, ctx: CallerContext): Promise<VerifiedQuery>;
}

/** One thumbs up or down on an answer, as stored and listed. */
export interface FeedbackRecord {
  id: string;
  conversationId: string;
  /** The answer within the conversation: its audit id (`auditId` of the answer), when given. */
  turnId: string | null;
  rating: 'up' | 'down';
  comment: string | null;
  userId: string;
  createdAt: string;
}

/** What the feedback routes call. */
export interface FeedbackService {
  /** Store feedback on an answer in a conversation the caller owns (else a coded refusal). */
  add(
    input: {
      conversationId: string;
      turnId?: string | undefined;
      rating: 'up' | 'down';
      comment?: string | undefined;
    },
    ctx: CallerContext,
  ): Promise<FeedbackRecord>;
  /** Newest first. */
  list(filter: { rating?: 'up' | 'down' | undefined; limit: number }): Promise<FeedbackRecord[]>;
}

/** What the MCP server needs beyond the API's services (see server/mcp/). */
export interface McpServices {
  /** analyst.yaml's `mcp` section: the client kinds allowed and their `phi` levels. */
  config: McpConfig;
  /**
   * Identifiers anywhere in the lake (names, addresses, whatever any caller may see) for the PHI
   * boundary results pass before they reach a client below `phi: allowed`: a matcher (known values
   * and strong patterns such as SSN, e-mail, phone, UUID) and the known values in lower case, to
   * catch them in any letter case. Built locally from the lake; never sent anywhere.
   */
  identifiers(): Promise<{ matcher: IdentifierMatcher; lowerCase: ReadonlySet<string> }>;
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
