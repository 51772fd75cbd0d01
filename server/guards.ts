import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { timeout } from 'hono/timeout';
import type { EmbedEnv, SignedInEnv } from './context.ts';
import { ServerError } from './errors.ts';
import { authenticate } from './middleware/authenticate.ts';
import { embedAuth } from './middleware/embed-auth.ts';
import { concurrencyCap, rateLimit } from './middleware/limits.ts';
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
 * tokens, and the per-identity rate limit, the process-wide concurrency cap and the request
 * timeout. One instance per app, so every area shares the same limits.
 */
export interface Guards {
  signedIn(options?: SignedInOptions): MiddlewareHandler<SignedInEnv>;
  /** An embed token (from the `Authorization` header, or `?token=` on the embed page), then every limit. */
  embed(from: 'header' | 'query'): MiddlewareHandler<EmbedEnv>;
}

/**
 * @example const guards = createGuards(services); const auditor = guards.signedIn({ roles: ['auditor'], scope: 'audit', limits: ['rate'] });
 */
export function createGuards(services: ServerServices): Guards {
  const { config } = services;
  const audit = (e: AuditEvent) => services.audit(e);
  const limits: Record<Limit, MiddlewareHandler> = {
    rate: rateLimit({ perMinute: config.limits.requests_per_minute }) as MiddlewareHandler,
    concurrency: concurrencyCap({ max: config.limits.concurrent_queries }),
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
  };
}
