import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { securityContextOf } from '../auth/identity.ts';
import { ServerError } from '../errors.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

/**
 * Cube's REST API (`/cubejs-api/v1/load|sql|meta`) with Cube's request and response shapes, so
 * `@cubejs-client/core` works unchanged. Queries come as JSON bodies (POST) or `?query=` (GET).
 */
export function registerCube(app: OpenAPIHono, services: ServerServices): void {
  const cube = services.cube;
  if (!cube) return;
  const readQuery = async (c: Context): Promise<unknown> => {
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
      const body = (await c.req.json().catch(() => {
        throw new ServerError('BAD_REQUEST', 'The body is not valid JSON.');
      })) as { query?: unknown };
      raw = body?.query;
    }
    if (raw === null || typeof raw !== 'object')
      throw new ServerError('BAD_REQUEST', 'A Cube query object is required.');
    return raw;
  };

  for (const method of ['get', 'post'] as const) {
    app[method]('/cubejs-api/v1/load', async (c) => {
      const identity = c.get('identity');
      const started = performance.now();
      const query = await readQuery(c);
      const multi = c.req.query('queryType') === 'multi' || Array.isArray(query);
      const result = await cube.load(query, securityContextOf(identity), { multi });
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
      return c.json(result as Record<string, unknown>);
    });
    app[method]('/cubejs-api/v1/sql', async (c) => {
      const query = await readQuery(c);
      return c.json((await cube.sql(query, securityContextOf(c.get('identity')))) as Record<string, unknown>);
    });
  }
  app.get('/cubejs-api/v1/meta', async (c) =>
    c.json((await cube.meta(securityContextOf(c.get('identity')))) as Record<string, unknown>),
  );
}

function rowCount(result: unknown): number {
  const r = result as { data?: unknown[]; results?: Array<{ data?: unknown[] }> };
  if (Array.isArray(r?.data)) return r.data.length;
  return (r?.results ?? []).reduce((n, x) => n + (x.data?.length ?? 0), 0);
}
