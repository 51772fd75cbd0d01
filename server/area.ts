import { type Hook, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Env, MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import type { ServerEnv } from './context.ts';
import { ServerError } from './errors.ts';
import { declareBody } from './middleware/declared-body.ts';

/** A request that fails its route's zod schema: 400 naming the field, never echoing its value. */
export const invalidRequest: Hook<unknown, ServerEnv, string, unknown> = (result) => {
  if (!result.success) refuseInvalid(result.error.issues);
};

/** The 400 for a value that failed its schema: the first issue's path and message, never the value. */
export function refuseInvalid(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): never {
  const issue = issues[0];
  throw new ServerError(
    'BAD_REQUEST',
    `Invalid request: ${issue?.path.map(String).join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
  );
}

/**
 * One area of the API (chat, sql, cube, …) as its own sub-app, mounted with `app.route('/', …)`.
 * Its context knows only the request id: a route reads `identity` only when it was built with
 * `guarded(guard, route)`, whose guard (authentication, limits) then runs before validation and
 * the handler. There is deliberately no `use('*')` here: a sub-app's wildcard middleware would
 * apply to every path of the app it is mounted in.
 *
 * @example
 * const app = createArea();
 * app.openapi(guarded(guards.signedIn({ scope: 'sql' }), sqlRoute), (c) => c.json({ who: c.get('identity').userId }, 200));
 */
export function createArea(): OpenAPIHono<ServerEnv> {
  return new OpenAPIHono<ServerEnv>({ defaultHook: invalidRequest as never });
}

/**
 * An optional service, or 404 when this server was started without it. Routes are mounted either
 * way, so the OpenAPI document (and the guard in front of each route) is the same everywhere.
 *
 * @example const search = available(services.auditSearch, 'The audit trail');
 */
export function available<T>(service: T | undefined, what: string): T {
  if (service === undefined) throw new ServerError('NOT_FOUND', `${what} is not available on this server.`);
  return service;
}

/**
 * Name a schema in the OpenAPI document (it becomes a `$ref`), also one another folder built with
 * plain zod before zod-openapi extended it (such schemas lack `.openapi`). A recursive (lazy)
 * schema must be named, or the document generator expands it forever.
 *
 * @example const query = named(cubeQuerySchema, 'CubeQuery');
 */
export function named<T extends z.ZodType>(schema: T, name: string): T {
  const openapi = (z.ZodType.prototype as unknown as { openapi: (this: T, refId: string) => T }).openapi;
  return openapi.call(schema, name);
}

/**
 * A route whose guard runs first; the handler's context gains what the guard sets (its `E`).
 *
 * @example const route = guarded(guards.signedIn({ roles: ['auditor'], scope: 'audit' }), auditRoute);
 */
export function guarded<R extends RouteConfig, E extends Env>(
  guard: MiddlewareHandler<E>,
  route: R,
): R & { middleware: MiddlewareHandler<E> } {
  // The guard's query-slot limit reads and checks the body before it takes a slot; it learns the
  // route's JSON body schema here (zod-openapi validates again, from the cached body, after it).
  const json = route.request?.body?.content?.['application/json'];
  const schema = json && 'schema' in json ? json.schema : undefined;
  if (!(schema instanceof z.ZodType)) return { ...route, middleware: guard };
  return { ...route, middleware: every(declareBody(schema), guard) as MiddlewareHandler<E> };
}
