import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ServerEnv } from '../context.ts';

/** Every request gets an id (echoed as X-Request-Id) that ties logs, audit records and errors together. */
export function requestId(): MiddlewareHandler<ServerEnv> {
  return async function requestIdHandler(c, next) {
    c.set('requestStarted', performance.now());
    const id = randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
