import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { available, createArea, guarded } from '../area.ts';
import { securityContextOf } from '../auth/identity.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

/** A Cube query as a client sends it; the semantic layer validates members and shape. */
const cubeQuery = z
  .record(z.string(), z.unknown())
  .openapi('CubeApiQuery', { description: 'A Cube query: measures, dimensions, filters, timeDimensions, …' });
const anyQuery = z.union([cubeQuery, z.array(cubeQuery)]);
const queryParam = z.object({
  query: z.string().openapi({ description: 'The Cube query as JSON' }),
  queryType: z.enum(['multi']).optional(),
});
const queryBody = z.object({ query: anyQuery }).passthrough().openapi('CubeApiRequest');
const cubeAnswer = (description: string) => ({
  200: {
    description,
    content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
  },
});

const endpoints = {
  load: {
    summary: 'Cube REST load: rows and annotation (queryType=multi supported)',
    description: 'Rows the caller may see, in Cube’s `load` shape',
  },
  sql: { summary: 'The SQL a Cube query runs as', description: 'Cube’s `sql` shape' },
  'dry-run': {
    summary: 'A Cube query validated and normalized, not run',
    description: 'Cube’s `dry-run` shape',
  },
} as const;

function routesOf(name: keyof typeof endpoints) {
  const { summary, description } = endpoints[name];
  return {
    get: createRoute({
      method: 'get',
      path: `/cubejs-api/v1/${name}`,
      tags: ['cube'],
      summary: `${summary} (?query=…)`,
      request: { query: queryParam },
      responses: cubeAnswer(description),
    }),
    post: createRoute({
      method: 'post',
      path: `/cubejs-api/v1/${name}`,
      tags: ['cube'],
      summary: `${summary} ({"query": …})`,
      request: {
        query: queryParam.pick({ queryType: true }),
        body: { content: { 'application/json': { schema: queryBody } }, required: true },
      },
      responses: cubeAnswer(description),
    }),
  };
}

const metaRoute = createRoute({
  method: 'get',
  path: '/cubejs-api/v1/meta',
  tags: ['cube'],
  summary: 'Cubes, measures and dimensions the caller may see',
  responses: cubeAnswer('Cube’s `meta` shape'),
});

/**
 * Cube's REST API (`/cubejs-api/v1/load|sql|meta`) with Cube's request and response shapes, so
 * `@cubejs-client/core` works unchanged (it sends its token bare, without `Bearer`). Queries come
 * as JSON bodies (POST) or `?query=` (GET).
 */
export function cubeArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const guard = guards.signedIn({
    bare: true,
    scope: 'query',
    limits: ['rate', 'concurrency', 'timeout'],
  });
  const readQuery = async (c: Context<SignedInEnv>): Promise<unknown> => {
    let raw: unknown;
    if (c.req.method === 'GET') {
      const q = c.req.query('query');
      if (!q) throw new ServerError('BAD_REQUEST', 'Pass the query as ?query=<JSON>.');
      try {
        raw = JSON.parse(q);
      } catch {
        throw new ServerError('BAD_REQUEST', 'The query parameter is not valid JSON.');
      }
    } else {
      raw = ((await c.req.json()) as { query?: unknown })?.query;
    }
    if (raw === null || typeof raw !== 'object')
      throw new ServerError('BAD_REQUEST', 'A Cube query object is required.');
    return raw;
  };

  const load = async (c: Context<SignedInEnv>) => {
    const identity = c.get('identity');
    const started = performance.now();
    const query = await readQuery(c);
    const multi = c.req.query('queryType') === 'multi' || Array.isArray(query);
    const result = await available(services.cube, 'The Cube API').load(query, securityContextOf(identity), {
      multi,
    });
    await services.audit({
      type: 'data',
      requestId: c.get('requestId'),
      route: `${c.req.method} /cubejs-api/v1/load`,
      clientAddress: clientAddress(c.req.raw, c.env),
      identity,
      outcome: 'ok',
      latencyMs: Math.round(performance.now() - started),
      detail: { semanticQuery: query, rowsReturned: rowCount(result) },
    });
    return c.json(result as Record<string, unknown>, 200);
  };
  const sql = async (c: Context<SignedInEnv>) =>
    c.json(
      (await available(services.cube, 'The Cube API').sql(
        await readQuery(c),
        securityContextOf(c.get('identity')),
      )) as Record<string, unknown>,
      200,
    );

  const dryRun = async (c: Context<SignedInEnv>) => {
    const cube = available(services.cube, 'The Cube API');
    if (!cube.dryRun) throw new ServerError('NOT_FOUND', 'No such route.');
    return c.json(
      (await cube.dryRun(await readQuery(c), securityContextOf(c.get('identity')))) as Record<
        string,
        unknown
      >,
      200,
    );
  };
  const dryRunRoutes = routesOf('dry-run');
  app.openapi(guarded(guard, dryRunRoutes.get), dryRun);
  app.openapi(guarded(guard, dryRunRoutes.post), dryRun);

  const loadRoutes = routesOf('load');
  const sqlRoutes = routesOf('sql');
  app.openapi(guarded(guard, loadRoutes.get), load);
  app.openapi(guarded(guard, loadRoutes.post), load);
  app.openapi(guarded(guard, sqlRoutes.get), sql);
  app.openapi(guarded(guard, sqlRoutes.post), sql);
  app.openapi(guarded(guard, metaRoute), async (c) =>
    c.json(
      (await available(services.cube, 'The Cube API').meta(securityContextOf(c.get('identity')))) as Record<
        string,
        unknown
      >,
      200,
    ),
  );
  return app;
}

type Rows = unknown[] | { dataset?: unknown[] } | undefined;
/** Rows in one result, as objects or in Cube's compact `{ members, dataset }`. */
const rowsIn = (data: Rows): number => (Array.isArray(data) ? data.length : (data?.dataset?.length ?? 0));

function rowCount(result: unknown): number {
  const r = result as { data?: Rows; results?: Array<{ data?: Rows }> };
  if (r?.data !== undefined) return rowsIn(r.data);
  return (r?.results ?? []).reduce((n, x) => n + rowsIn(x.data), 0);
}
