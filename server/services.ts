import type { AgentEvent, AskResult, CallerContext, Turn } from '../agent/index.ts';
import type { DashboardStore } from '../dashboards/index.ts';
import type { ResultColumn } from '../lakehouse/index.ts';
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
      request: { requestId: string; clientAddress: string | undefined };
    },
  ): AsyncGenerator<AgentEvent>;
  conversation(id: string, ctx: CallerContext): Promise<{ id: string; turns: Turn[] }>;
  governedSql(
    sql: string,
    ctx: CallerContext,
  ): Promise<{
    columns: ResultColumn[];
    rows: unknown[][];
    truncated: boolean;
    sqlExecuted: string;
    relations?: string[];
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
  /** The workspace's `dashboards/` folder. */
  dashboards?: DashboardStore;
  /** Signs and verifies embed tokens (the workspace's embed key). */
  embedTokens?: EmbedTokens;
  /** Dev mode only: users.yaml identities the web app may sign in as on loopback. */
  devSignIn?: {
    users(): Promise<Array<{ id: string; name?: string | undefined; roles: string[] }>>;
    issue(userId: string): Promise<{ token: string; expiresInHours: number }>;
  };
}

export type { AskResult };
