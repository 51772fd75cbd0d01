import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type AgentEvent, IdentifierMatcher, nameIndex, toVerifiedQuery } from '../agent/index.ts';
import { runDoctor, workspaceDoctorInputs } from '../compliance/index.ts';
import { DashboardStore } from '../dashboards/index.ts';
import { inResponseFormat, type SecurityContext } from '../semantic/index.ts';
import {
  ApiKeyStore,
  type AuditEvent,
  Authenticator,
  devSigningKey,
  EmbedTokens,
  issueDevToken,
  type ServerServices,
} from '../server/index.ts';
import { FeedbackStore } from './feedback-store.ts';
import type { RequestScope, Runtime } from './runtime.ts';
import { connectorAdmin } from './serve-connectors.ts';

const EVENT_TYPE: Record<
  AuditEvent['type'],
  'request' | 'auth_failure' | 'policy_refusal' | 'admin' | 'export' | 'config_change' | 'break_glass'
> = {
  data: 'request',
  auth_failure: 'auth_failure',
  refusal: 'policy_refusal',
  admin: 'admin',
  export: 'export',
  config: 'config_change',
  break_glass: 'break_glass',
};

/**
 * What `analyst serve` hands the HTTP layer: the runtime's agent, gate, semantic layer and audit
 * trail behind the server's service interface, with each request's id and address carried into
 * the audit records it causes.
 */
export async function serveServices(rt: Runtime): Promise<ServerServices> {
  const ws = rt.workspace;
  const config = ws.config.server;
  await mkdir(join(ws.dir, 'state'), { recursive: true, mode: 0o700 });
  const apiKeys = new ApiKeyStore(join(ws.dir, 'state', 'api-keys.json'));
  const breakGlass = rt.incidents.breakGlass;
  const feedback = FeedbackStore.open({
    path: join(ws.dir, 'state', 'feedback.db'),
    workspaceKey: await ws.keyProvider().getKey(),
  });
  const authenticator = new Authenticator({
    config: config.auth,
    apiKeys,
    grantedRoles: async (userId) => (await breakGlass.active(userId)).flatMap((g) => g.roles),
    devPublicKey:
      config.auth.mode === 'dev' ? (await devSigningKey(join(ws.dir, 'keys'))).publicKey : undefined,
  });
  return {
    config,
    authenticator,
    ask: (question, ctx, options) =>
      scopedGenerator(rt, { ...options.request, route: options.request.route ?? 'POST /v1/chat' }, () =>
        options.asOf
          ? askAsOf(rt, options.asOf, question, ctx, options.conversationId)
          : rt.analyst.ask(question, ctx, { conversationId: options.conversationId }),
      ),
    conversation: (id, ctx) => rt.analyst.conversation(id, ctx),
    governedSql: (sql, ctx, options) =>
      rt.gate.governedSql(sql, ctx as SecurityContext, { asOf: options?.asOf }),
    cube: {
      load: async (query, ctx, { multi }) =>
        inResponseFormat(
          multi ? await rt.semantic.loadMulti(query, ctx) : await rt.semantic.load(query, ctx),
        ),
      sql: async (query, ctx) => rt.semantic.sql(query, ctx),
      meta: async (ctx) => rt.semantic.meta(ctx),
      dryRun: async (query, ctx) => rt.semantic.dryRun(query, ctx),
    },
    audit: async (e) => {
      const receipt = await rt.audit.append({
        type: EVENT_TYPE[e.type],
        outcome: e.outcome,
        requestId: e.requestId,
        route: e.route,
        clientAddress: e.clientAddress,
        userId: e.identity?.userId,
        roles: e.identity?.roles,
        question: typeof e.detail?.question === 'string' ? e.detail.question : undefined,
        semanticQuery: e.detail?.semanticQuery,
        sql: typeof e.detail?.sql === 'string' ? e.detail.sql : undefined,
        relations: Array.isArray(e.detail?.relations) ? (e.detail.relations as string[]) : undefined,
        rowsReturned: typeof e.detail?.rowsReturned === 'number' ? e.detail.rowsReturned : undefined,
        latencyMs: e.latencyMs,
        error:
          typeof e.detail?.error === 'string'
            ? { code: e.detail.error }
            : typeof e.detail?.code === 'string'
              ? { code: e.detail.code }
              : undefined,
        // Free text (a feedback comment) may name a patient: it goes where reasons go, encrypted.
        reason: typeof e.detail?.reason === 'string' ? e.detail.reason : undefined,
        details: pick(e.detail, [
          'action',
          'filter',
          'format',
          'code',
          'connectors',
          'asOf',
          'snapshot',
          'file',
          'conversationId',
          'turnId',
          'rating',
          'mcp',
        ]),
      });
      return receipt.id;
    },
    readiness: async () => {
      const checks: Record<string, { ok: boolean; detail?: string }> = {};
      checks.lake = await rt.lake.query('SELECT 1').then(
        () => ({ ok: true }),
        () => ({ ok: false, detail: 'the lake does not answer' }),
      );
      checks.audit = await rt.audit.lastVerify().then(
        () => ({ ok: true }),
        () => ({ ok: false, detail: 'the audit store does not answer' }),
      );
      const llm = ws.config.llm.default;
      checks.model = { ok: true, detail: llm === 'offline' ? 'offline planner' : `endpoint ${llm}` };
      return checks;
    },
    auditSearch: (filter, paging) =>
      rt.audit.search(Object.fromEntries(Object.entries(filter).filter(([, v]) => v)), paging),
    auditExport: (format) => rt.audit.export(format),
    compliance: () => runDoctor(workspaceDoctorInputs(ws)),
    lakeSnapshots: () => rt.lake.snapshots(),
    dashboards: new DashboardStore(join(ws.dir, 'dashboards')),
    embedTokens: await EmbedTokens.open(join(ws.dir, 'keys')),
    ...(config.auth.mode === 'dev'
      ? {
          devSignIn: {
            users: async () => ws.users.map((u) => ({ id: u.id, name: u.name, roles: u.roles })),
            issue: async (userId: string) => {
              const u = ws.user(userId);
              const hours = config.auth.dev_token_hours;
              const token = await issueDevToken(
                join(ws.dir, 'keys'),
                { id: u.id, roles: u.roles, attributes: u.attributes },
                hours,
              );
              return { token, expiresInHours: hours };
            },
          },
        }
      : {}),
    connectors: connectorAdmin(rt),
    verifiedQueries: {
      save: async (input, ctx) => {
        // Checked under the caller before it is written: members they may see, SQL the gate
        // accepts for them. Nothing is run.
        const checked = toVerifiedQuery(input, 'request');
        if (checked.query) rt.semantic.sql(checked.query, ctx as SecurityContext);
        else await rt.gate.prepare(checked.sql as string, ctx as SecurityContext);
        return rt.verified.save(input);
      },
    },
    feedback: {
      add: async (input, ctx) => {
        // Only on a conversation the caller owns (404 or 403 otherwise).
        await rt.analyst.conversation(input.conversationId, ctx);
        return feedback.add({
          conversationId: input.conversationId,
          turnId: input.turnId ?? null,
          rating: input.rating,
          comment: input.comment?.trim() ? input.comment.trim() : null,
          userId: ctx.userId,
        });
      },
      list: async (filter) => feedback.list(filter),
    },
    mcp: { config: ws.config.mcp, identifiers: lakeIdentifiers(rt) },
    breakGlass: {
      grant: async (r) => {
        const { reason: _r, ...grant } = await breakGlass.elevate({
          userId: r.userId,
          roles: r.roles ?? rt.incidents.breakGlassRoles,
          reason: r.reason,
          minutes: r.minutes,
          grantedBy: r.grantedBy,
          requestId: r.requestId,
          ...(r.clientAddress ? { clientAddress: r.clientAddress } : {}),
        });
        return grant;
      },
      active: async () => (await breakGlass.active()).map(({ reason: _r, ...g }) => g),
    },
  };
}

const NAME_INDEX_TTL_MS = 5 * 60_000;

/**
 * A matcher for every name-like value in the lake (read straight from it, over all rows: a local
 * safety index no caller's policy applies to, never sent anywhere), rebuilt every few minutes.
 */
function lakeIdentifiers(
  rt: Runtime,
): () => Promise<{ matcher: IdentifierMatcher; lowerCase: ReadonlySet<string> }> {
  type Built = { matcher: IdentifierMatcher; lowerCase: ReadonlySet<string> };
  let cached: { at: number; built: Promise<Built> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > NAME_INDEX_TTL_MS) {
      const built = nameIndex(rt.lake).then((index) => ({
        matcher: new IdentifierMatcher(index),
        lowerCase: new Set(index.map((k) => (typeof k === 'string' ? k : k.value).toLowerCase())),
      }));
      cached = { at: Date.now(), built };
      // A failed build is not kept: the next call tries again.
      built.catch(() => {
        if (cached?.built === built) cached = undefined;
      });
    }
    return cached.built;
  };
}

/**
 * The agent over the lake as of an earlier snapshot (today's policies): its events, with the
 * result naming the snapshot it answered from.
 *
 * @example for await (const e of askAsOf(rt, { snapshot: 3 }, 'how many patients', ctx)) …
 */
export async function* askAsOf(
  rt: Runtime,
  asOf: { snapshot: number } | { at: string },
  question: string,
  ctx: SecurityContext,
  conversationId?: string,
): AsyncGenerator<AgentEvent> {
  const past = await rt.atSnapshot(asOf);
  for await (const e of past.analyst.ask(question, ctx, { conversationId }))
    yield e.type === 'result' ? { ...e, result: { ...e.result, snapshot: past.snapshot } } : e;
}

/** Run every step of an async generator inside the request's audit scope. */
function scopedGenerator<T>(
  rt: Runtime,
  scope: RequestScope,
  make: () => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const gen = rt.inScope(scope, make);
  const wrapped: AsyncGenerator<T> = {
    next: (...args) => rt.inScope(scope, () => gen.next(...args)),
    return: (value) => gen.return(value),
    throw: (err) => gen.throw(err),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}

function pick(obj: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> | undefined {
  if (!obj) return undefined;
  const out = Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
  return Object.keys(out).length ? out : undefined;
}
