import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import {
  type AgentAuditEntry,
  Analyst,
  ConversationStore,
  createChatModel,
  semanticAgentDeps,
  VerifiedQueryStore,
} from '../agent/index.ts';
import { AuditLog, type AuditRecordInput, auditLogConfig } from '../audit/index.ts';
import { type AsOf, Gate } from '../gate/index.ts';
import { createIncidentPath, type IncidentPath } from '../incidents/index.ts';
import { type Lakehouse, lakeAtSnapshot } from '../lakehouse/index.ts';
import { ResultCache, resultCacheTtlMs, type SecurityContext, SemanticLayer } from '../semantic/index.ts';
import {
  checkEndpoint,
  ENDPOINT_DEFAULTS,
  resolveSecret,
  type Workspace,
  WorkspaceError,
} from '../workspace/index.ts';
import { borrowedRuntime, hostedFor } from './hosted.ts';

/** Who and where a request came from, carried to the audit record of whatever it triggers. */
export interface RequestScope {
  requestId?: string | undefined;
  clientAddress?: string | undefined;
  route: string;
}

/**
 * Everything that answers questions, wired once for a workspace: the lake (locked down, since
 * callers' SQL runs on it), the semantic layer, the governed SQL gate, the agent and the audit
 * trail every answer is recorded in before it is released. `sql`, `ask` and `serve` build on
 * this; close it when done.
 */
export interface Runtime {
  workspace: Workspace;
  lake: Lakehouse;
  readonly semantic: SemanticLayer;
  readonly gate: Gate<SecurityContext>;
  readonly analyst: Analyst;
  conversations: ConversationStore;
  audit: AuditLog;
  /** The pager, the model endpoint's breaker and break-glass, over this audit trail. */
  incidents: IncidentPath;
  /** The semantic layer's result cache (analyst.yaml `semantic.result_cache`), when enabled. */
  resultCache: ResultCache | undefined;
  /** The model's `verified_queries/` folder: reused by the agent, written by `POST /v1/verified-queries`. */
  verified: VerifiedQueryStore;
  /** Run `fn` with `scope` attached to every audit record it causes. */
  inScope<T>(scope: RequestScope, fn: () => T): T;
  /** Append an audit record, filling in the current request scope. */
  record(input: AuditRecordInput, ctx?: SecurityContext): Promise<string>;
  /**
   * Load the semantic model against the lake again (after a sync: new tables, changed column
   * types) and rewire the gate and the agent to it; requests in flight finish on the old wiring.
   * Then refresh the rollups (pre-aggregations) of the tables that changed.
   */
  reload(): Promise<void>;
  /**
   * The semantic layer, gate and agent over the lake as of a snapshot id or time (today's
   * policies; the agent's audit records name the snapshot). Refused when no such snapshot exists.
   */
  atSnapshot(
    asOf: AsOf,
  ): Promise<{ snapshot: number; semantic: SemanticLayer; gate: Gate<SecurityContext>; analyst: Analyst }>;
  close(): Promise<void>;
}

export async function openRuntime(
  ws: Workspace,
  options: {
    route?: string;
    readDirectories?: string[];
    /** DuckDB's memory_limit when analyst.yaml sets none (the server derives it from its OS limit). */
    lakeMemoryLimit?: string;
    /** `false`: no result cache even when analyst.yaml enables it (benchmarks measuring the lake). */
    resultCache?: boolean;
  } = {},
): Promise<Runtime> {
  // Inside a command the server runs for a CLI: the server's runtime, never a second lake.
  const host = hostedFor(ws);
  if (host) return borrowedRuntime(host, options.route);
  const lake = await ws.openLake({
    sandbox: { readDirectories: options.readDirectories ?? [] },
    ...(options.lakeMemoryLimit && !ws.config.lake.memory_limit
      ? { memoryLimit: options.lakeMemoryLimit }
      : {}),
  });
  const closers: Array<() => Promise<void> | void> = [() => lake.close()];
  try {
    const audit = await AuditLog.open(auditLogConfig(ws));
    closers.unshift(() => audit.close());
    const conv = ws.config.conversations;
    const workspaceKey = await ws.keyProvider().getKey();
    const conversations =
      conv.store === 'workspace'
        ? ConversationStore.open({ path: join(ws.dir, 'state', 'conversations.db'), workspaceKey })
        : await ConversationStore.openPostgres({
            url: resolveSecret(conv.store, ws.dir),
            schema: conv.schema,
            workspaceKey,
          });
    closers.unshift(() => conversations.close());
    const cacheConfig = ws.config.semantic.result_cache;
    // One cache for every wiring (reloads, earlier snapshots): keys hold the SQL and the snapshot.
    // Entries expire with the shortest retention that applies to results kept elsewhere.
    const resultCache =
      cacheConfig.enabled && options.resultCache !== false
        ? new ResultCache({
            maxBytes: cacheConfig.max_bytes,
            ttlMs: resultCacheTtlMs(cacheConfig.ttl_seconds, [
              conv.retention_days,
              ws.config.audit.retention.bodies_days,
            ]),
          })
        : undefined;
    if (resultCache) closers.unshift(() => resultCache.close());
    const scopes = new AsyncLocalStorage<RequestScope>();
    const record = async (input: AuditRecordInput, ctx?: SecurityContext): Promise<string> => {
      const scope = scopes.getStore() ?? { route: options.route ?? 'analyst' };
      const receipt = await audit.append({
        requestId: scope.requestId,
        clientAddress: scope.clientAddress,
        route: scope.route,
        ...(ctx ? { userId: ctx.userId, roles: ctx.roles } : {}),
        ...input,
      });
      return receipt.id;
    };
    const llm = ws.config.llm;
    const auditAnswerAt = (snapshot?: number) => (entry: AgentAuditEntry, ctx: SecurityContext) =>
      record(
        {
          type: entry.status === 'refused' ? 'policy_refusal' : 'request',
          outcome:
            entry.status === 'ok' || entry.status === 'clarify'
              ? 'ok'
              : entry.status === 'refused'
                ? 'refused'
                : 'error',
          question: entry.question,
          semanticQuery: entry.semanticQuery ?? undefined,
          sql: entry.sql ?? undefined,
          relations: entry.relations,
          rowsReturned: entry.rowsReturned,
          endpoint: entry.endpoint,
          prompt: entry.prompt,
          response: entry.response,
          latencyMs: entry.latencyMs,
          error: entry.error
            ? {
                code: /^[A-Z_]+(?=:)/.exec(entry.error)?.[0] ?? 'ANSWER_FAILED',
                message: entry.error.slice(0, 500),
              }
            : undefined,
          details: {
            conversationId: entry.conversationId,
            // Read as of an earlier snapshot (asOf): which one, under today's policies.
            ...(snapshot === undefined ? {} : { snapshot }),
            // The endpoint failed this turn: its code, and whether the offline planner answered.
            ...(entry.modelFailure
              ? { modelFailure: { endpoint: llm.default, code: entry.modelFailure, fallback: fallback } }
              : {}),
          },
        } as AuditRecordInput,
        ctx,
      );
    let model: ReturnType<typeof createChatModel> | undefined;
    let fallback: 'offline' | 'none' = ENDPOINT_DEFAULTS.fallback;
    if (llm.default !== 'offline') {
      const checked = checkEndpoint(llm.default, llm.endpoints[llm.default]);
      if (!checked.ok) {
        throw new WorkspaceError(
          'CONFIG_INVALID',
          `llm.default names endpoint "${llm.default}", which cannot be called: ${checked.findings
            .map((f) => `${f.path}: ${f.reason}`)
            .join('; ')}.`,
        );
      }
      const chat = createChatModel(llm.default, checked.endpoint, {
        resolveSecret: (ref) => resolveSecret(ref, ws.dir),
      });
      model = chat;
      fallback = checked.endpoint.fallback ?? ENDPOINT_DEFAULTS.fallback;
      closers.unshift(() => chat.close());
    }
    // Break-glass grants are read on every authenticated request: reuse a read for a few seconds.
    const incidents = createIncidentPath(ws, audit, { cacheMs: 5_000 });
    const guard = model ? (incidents.monitor ?? undefined) : undefined;
    // The semantic layer checks the model against the lake when it loads (tables present, column
    // types), so after a sync it is loaded again; the gate and the agent are wired to it.
    const verified = new VerifiedQueryStore(ws.path(ws.config.semantic.model_dir));
    const wire = async (view: Lakehouse = lake, snapshot?: number) => {
      const semantic = await SemanticLayer.load({
        modelDir: ws.path(ws.config.semantic.model_dir),
        lake: view,
        resultCache,
        // Rollups hold the lake as it is now, not as of an earlier snapshot.
        preAggregations: snapshot === undefined,
      });
      const gate = await Gate.create<SecurityContext>({
        lake: view,
        relations: (ctx) =>
          [...semantic.governedRelations(ctx)].map(([name, r]) => ({
            name,
            sql: r.sql,
            rowsFiltered: r.rowsFiltered,
          })),
      });
      const analyst = Analyst.create({
        deps: semanticAgentDeps({
          semantic,
          gate,
          audit: auditAnswerAt(snapshot),
          lake: view,
          verifiedQueries: async () => (await verified.list()).queries,
        }),
        store: conversations,
        model,
        guard,
        fallbackToOffline: fallback === 'offline',
      });
      return { semantic, gate, analyst };
    };
    let wired = await wire();
    // Wirings over the lake as of earlier snapshots (asOf on chat and ask), a few kept.
    const past = new Map<number, ReturnType<typeof wire>>();
    return {
      workspace: ws,
      lake,
      get semantic() {
        return wired.semantic;
      },
      get gate() {
        return wired.gate;
      },
      get analyst() {
        return wired.analyst;
      },
      conversations,
      audit,
      incidents,
      resultCache,
      verified,
      inScope: (scope, fn) => scopes.run(scope, fn),
      record,
      reload: async () => {
        wired = await wire();
        // After a sync: the rollups of the tables it changed, by partition (errors are reported
        // by `analyst preagg status`; a rollup that failed is stale and simply not read).
        await wired.semantic.refreshPreAggregations({ afterSync: true }).catch(() => []);
      },
      atSnapshot: async (asOf) => {
        const snapshot = await wired.gate.resolveSnapshot(asOf);
        let w = past.get(snapshot);
        if (!w) {
          if (past.size >= 4) past.delete(past.keys().next().value as number);
          w = wire(lakeAtSnapshot(lake, snapshot), snapshot);
          w.catch(() => past.delete(snapshot));
          past.set(snapshot, w);
        }
        return { snapshot, ...(await w) };
      },
      close: async () => {
        for (const c of closers) await c();
      },
    };
  } catch (err) {
    for (const c of closers) await c();
    throw err;
  }
}

/** The security context of a users.yaml identity (`--as USER`). */
export function contextOf(ws: Workspace, userId: string): SecurityContext {
  const u = ws.user(userId);
  return { userId: u.id, roles: u.roles, attributes: u.attributes };
}
