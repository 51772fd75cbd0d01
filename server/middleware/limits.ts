import type { MiddlewareHandler } from 'hono';
import type { SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';

/**
 * Token buckets per identity, refilled continuously at `perMinute` requests per minute. One
 * instance is shared by the HTTP API and the SQL wire protocol, so both count against one limit.
 *
 * @example const rate = new RateBuckets({ perMinute: 120 }); const wait = rate.take('alice'); // 0: allowed
 */
export class RateBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;
  constructor(private readonly options: { perMinute: number; now?: () => number }) {
    this.#now = options.now ?? Date.now;
  }

  /** Take one request for `key`: 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const { perMinute } = this.options;
    const t = this.#now();
    const b = this.#buckets.get(key) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + ((t - b.at) / 60_000) * perMinute);
    b.at = t;
    this.#buckets.set(key, b);
    if (b.tokens < 1) return Math.max(1, Math.ceil(((1 - b.tokens) * 60) / perMinute));
    b.tokens -= 1;
    return 0;
  }
}

/**
 * Per-identity rate limit (after authentication): a token bucket per user,
 * refilled continuously at `perMinute` requests per minute.
 */
export function rateLimit(options: {
  perMinute: number;
  now?: () => number;
  buckets?: RateBuckets;
}): MiddlewareHandler<SignedInEnv> {
  const buckets = options.buckets ?? new RateBuckets(options);
  return async function rateLimitHandler(c, next) {
    const wait = buckets.take(c.get('identity').userId);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new ServerError('RATE_LIMITED', 'Too many requests; slow down and retry shortly.');
    }
    await next();
  };
}
