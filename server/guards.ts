import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { timeout } from 'hono/timeout';
import type { EmbedEnv, SignedInEnv } from './context.ts';
import { ServerError } from './errors.ts';
import { authenticate } from './middleware/authenticate.ts';
import { embedAuth } from './middleware/embed-auth.ts';
import { FairSlots } from './middleware/fair-slots.ts';
import { RateBuckets, rateLimit } from './middleware/limits.ts';
import { QueryBudget } from './middleware/query-budget.ts';
import { querySlot } from './middleware/query-slot.ts';
import type { AuditEvent, ServerServices } from './services.ts';

/** The limits a guarded route may take, after authentication, in this order. */
export type Limit = 'rate' | 'concurrency' | 'timeout';

export interface SignedInOptions {
  /** The caller needs one of these roles (an API key also needs `scope`). */
  roles?: string[];
  /** An API key needs this scope. */
  scope?: string;
  /** Accept Cube's bare `Authorization: <token>` form. */
  bare?: boolean;
  /** An API key holding `scope` passes without `roles` (admin keys for automation). */
  scopeSuffices?: boolean;
  limits?: Limit[];
}

/**
 * The guards the areas build their routes with: authentication (audited on failure), embed
 * tokens, and the per-identity rate limit, the query slots (body read and checked first, then a
 * fair queue with per-identity and per-embed-token caps under the process-wide cap, and a
 * per-identity budget of query time) and the request timeout. One instance per app, so every
 * area shares the same limits.
 */
export interface Guards {
  signedIn(options?: SignedInOptions): MiddlewareHandler<SignedInEnv>;
  /** An embed token (from the `Authorization` header, or `?token=` on the embed page), then every limit. */
  embed(from: 'header' | 'query'): MiddlewareHandler<EmbedEnv>;
  /**
   * Limits alone, for after a route's own check that must come before the body is read (a role):
   * `every(guards.signedIn({ limits: ['rate'] }), roleCheck, guards.limits('concurrency', 'timeout'))`.
   */
  limits(...wanted: Limit[]): MiddlewareHandler<SignedInEnv>;
}

/**
 * The per-identity counters behind the limits: one set per process, shared by the HTTP API and
 * the SQL wire protocol (`server/pgwire/`), so a caller's requests on both count together.
 */
export interface SharedLimits {
  rate: RateBuckets;
  slots: FairSlots;
  budget: QueryBudget;
}

/** @example const limits = createSharedLimits(config); createApp(services, { limits }); */
export function createSharedLimits(config: ServerServices['config']): SharedLimits {
  return {
    rate: new RateBuckets({ perMinute: config.limits.requests_per_minute }),
    slots: new FairSlots({ max: config.limits.concurrent_queries, maxQueuedPerKey: 16 }),
    budget: new QueryBudget({ msPerMinute: config.limits.query_seconds_per_minute * 1000 }),
  };
}

/**
 * @example const guards = createGuards(services); const auditor = guards.signedIn({ roles: ['auditor'], scope: 'audit', limits: ['rate'] });
 */
export function createGuards(services: ServerServices, shared?: SharedLimits): Guards {
  const { config } = services;
  const audit = (e: AuditEvent) => services.audit(e);
  const counters = shared ?? createSharedLimits(config);
  const limits: Record<Limit, MiddlewareHandler> = {
    rate: rateLimit({
      perMinute: config.limits.requests_per_minute,
      buckets: counters.rate,
    }) as MiddlewareHandler,
    concurrency: querySlot({
      slots: counters.slots,
      budget: counters.budget,
      bodyTimeoutMs: config.limits.body_timeout_ms,
      waitMs: config.limits.queue_wait_ms,
      perIdentity: config.limits.concurrent_queries_per_identity,
      perEmbedToken: config.limits.concurrent_queries_per_embed_token,
    }) as MiddlewareHandler,
    timeout: timeout(
      config.limits.request_timeout_ms,
      () => new ServerError('TIMEOUT', 'The request took too long.') as never,
    ),
  };
  return {
    signedIn: ({ limits: wanted = [], ...who } = {}) =>
      every(
        authenticate({ authenticator: services.authenticator, audit, ...who }),
        ...wanted.map((l) => limits[l]),
      ) as MiddlewareHandler<SignedInEnv>,
    embed: (from) => {
      const tokens = services.embedTokens;
      const check: MiddlewareHandler<EmbedEnv> = tokens
        ? embedAuth({ tokens, audit, from })
        : async () => {
            throw new ServerError('NOT_FOUND', 'Embedding is not available on this server.');
          };
      return every(check, limits.rate, limits.concurrency, limits.timeout) as MiddlewareHandler<EmbedEnv>;
    },
    limits: (...wanted) => every(...wanted.map((l) => limits[l])) as MiddlewareHandler<SignedInEnv>,
  };
}
