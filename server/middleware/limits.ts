import type { MiddlewareHandler } from 'hono';
import type { SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';

/**
 * Per-identity rate limit (after authentication): a token bucket per user,
 * refilled continuously at `perMinute` requests per minute.
 */
export function rateLimit(options: {
  perMinute: number;
  now?: () => number;
}): MiddlewareHandler<SignedInEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const now = options.now ?? Date.now;
  return async function rateLimitHandler(c, next) {
    const key = c.get('identity').userId;
    const t = now();
    const b = buckets.get(key) ?? { tokens: options.perMinute, at: t };
    b.tokens = Math.min(options.perMinute, b.tokens + ((t - b.at) / 60_000) * options.perMinute);
    b.at = t;
    if (b.tokens < 1) {
      c.header('Retry-After', String(Math.ceil(((1 - b.tokens) * 60) / options.perMinute)));
      throw new ServerError('RATE_LIMITED', 'Too many requests; slow down and retry shortly.');
    }
    b.tokens -= 1;
    buckets.set(key, b);
    await next();
  };
}
