import type { Context, MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';

// Kept out of `RequestVariables` on purpose: only the query-slot limit reads it.
type BodyEnv = { Variables: { declaredBody?: ZodType } };

/**
 * Tell the guard after it which JSON body the route declares, so the body can be checked before
 * a query slot is taken (see `querySlot`). `guarded()` puts it in front of a route's guard.
 *
 * @example const mw = declareBody(z.object({ sql: z.string() }));
 */
export function declareBody(schema: ZodType): MiddlewareHandler {
  return async function declareBodyHandler(c, next) {
    (c as unknown as Context<BodyEnv>).set('declaredBody', schema);
    await next();
  };
}

/** The route's declared JSON body schema, if `declareBody` ran. */
export function declaredBody(c: Context): ZodType | undefined {
  return (c as unknown as Context<BodyEnv>).get('declaredBody');
}
