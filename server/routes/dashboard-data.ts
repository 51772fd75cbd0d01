import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { isAnalystError } from '../../core/index.ts';
import {
  type Dashboard,
  DashboardError,
  drillQuery,
  filterValuesSchema,
  type LoadLike,
  type ResolvedTileQuery,
  shapeResult,
  type Tile,
  tileQuery,
  tileSpec,
  toCsv,
} from '../../dashboards/index.ts';
import { guarded } from '../area.ts';
import type { EmbedClaims } from '../auth/embed-tokens.ts';
import { securityContextOf } from '../auth/identity.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

/** A signed-in caller, or an embed viewer (then `embed` says which token). */
export type DashboardDataEnv = { Variables: SignedInEnv['Variables'] & { embed?: EmbedClaims } };

const pointSchema = z.record(
  z.string().max(300),
  z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
);
const dataBody = z.object({ filters: filterValuesSchema }).strict().openapi('TileDataRequest');
const drillBody = z
  .object({ filters: filterValuesSchema, point: pointSchema.default({}) })
  .strict()
  .openapi('TileDrillRequest');
const csvBody = z
  .object({
    filters: filterValuesSchema,
    drill: z
      .object({ point: pointSchema.default({}) })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('TileCsvRequest');

const column = z.object({
  key: z.string(),
  title: z.string(),
  kind: z.enum(['dimension', 'measure', 'time']),
  type: z.string(),
  format: z.string().optional(),
});
const tileResult = z
  .object({
    columns: z.array(column),
    rows: z.array(z.array(z.unknown())),
    /** Tile data: the Vega-Lite spec and which dashboard filters applied to this tile. */
    spec: z.unknown().optional(),
    applied: z.array(z.string()).optional(),
    notApplied: z.array(z.string()).optional(),
    /** The query that ran (not for embeds). */
    query: z.record(z.string(), z.unknown()).optional(),
    /** Drill-down: at most this many rows. */
    limit: z.number().optional(),
  })
  .openapi('TileResult');
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});
const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
});
const dashboardParams = z.object({ id: z.string() });
const tileParams = z.object({ id: z.string(), tile: z.string() });

/** The read side of a dashboard under `prefix`, as createRoute definitions (documented once per prefix). */
function dataRoutes(prefix: '/v1/dashboards' | '/v1/embed/dashboards') {
  const tags = [prefix === '/v1/dashboards' ? 'dashboards' : 'embedding'];
  return {
    dashboard: createRoute({
      method: 'get',
      path: `${prefix}/{id}`,
      tags,
      summary: 'A dashboard definition (embeds get the layout, not the queries)',
      request: { params: dashboardParams },
      responses: ok(z.record(z.string(), z.unknown()), 'The dashboard and its tiles'),
    }),
    data: createRoute({
      method: 'post',
      path: `${prefix}/{id}/tiles/{tile}/data`,
      tags,
      summary: "A tile's rows and chart with filters applied",
      request: { params: tileParams, ...jsonBody(dataBody) },
      responses: ok(tileResult, 'Rows, chart spec, and which filters applied'),
    }),
    drill: createRoute({
      method: 'post',
      path: `${prefix}/{id}/tiles/{tile}/drill`,
      tags,
      summary: 'The rows behind a tile or a point (masked by policy)',
      request: { params: tileParams, ...jsonBody(drillBody) },
      responses: ok(tileResult, 'Rows, at most `limit`'),
    }),
    csv: createRoute({
      method: 'post',
      path: `${prefix}/{id}/tiles/{tile}/csv`,
      tags,
      summary: 'CSV of a tile or its rows (audited as an export)',
      request: { params: tileParams, ...jsonBody(csvBody) },
      responses: {
        200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
      },
    }),
    options: createRoute({
      method: 'get',
      path: `${prefix}/{id}/filters/{filter}/options`,
      tags,
      summary: "A select filter's choices",
      request: { params: z.object({ id: z.string(), filter: z.string() }) },
      responses: ok(z.object({ values: z.array(z.string()) }), 'Values'),
    }),
  };
}

/**
 * The read side of a dashboard, mounted twice: for signed-in users under `/v1/dashboards` and for
 * embeds under `/v1/embed/dashboards` (behind the embed token check). Tiles run their own
 * queries only — a viewer chooses filter values and clicked points, never members — under the
 * caller's policies; every run is audited, CSV downloads as exports.
 */
export function addDashboardData(
  app: OpenAPIHono<ServerEnv>,
  services: ServerServices,
  options: { prefix: '/v1/dashboards' | '/v1/embed/dashboards'; guard: MiddlewareHandler<DashboardDataEnv> },
): void {
  const { prefix, guard } = options;
  const embed = prefix.startsWith('/v1/embed');
  const routes = dataRoutes(prefix);
  type C = Context<DashboardDataEnv>;
  const store = () => {
    if (!services.dashboards || !services.cube)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    return { dashboards: services.dashboards, cube: services.cube };
  };
  const find = async (c: C): Promise<{ dashboard: Dashboard; tile?: Tile }> => {
    const dashboard = await store().dashboards.get(c.req.param('id') ?? '');
    const tileId = c.req.param('tile');
    if (tileId === undefined) return { dashboard };
    const tile = dashboard.tiles.find((t) => t.id === tileId);
    if (!tile)
      throw new DashboardError('TILE_NOT_FOUND', `Dashboard "${dashboard.id}" has no tile "${tileId}".`);
    return { dashboard, tile };
  };
  const run = async (c: C, resolved: ResolvedTileQuery, type: 'data' | 'export', action: string) => {
    const identity = c.get('identity');
    const started = performance.now();
    const base = {
      requestId: c.get('requestId'),
      route: `${c.req.method} ${c.req.routePath}`,
      clientAddress: clientAddress(c.req.raw, c.env),
      identity,
    };
    // Embeds say so, and whose token it was, in the audit record's action.
    const token = c.get('embed');
    const detail = {
      action: token ? `embed ${action} (token ${token.tokenId} from ${token.issuedBy})` : action,
      semanticQuery: resolved.query,
    };
    try {
      const load = (await store().cube.load(resolved.query, securityContextOf(identity), {
        multi: false,
      })) as LoadLike;
      const result = shapeResult(resolved.query, load);
      await services.audit({
        ...base,
        type,
        outcome: 'ok',
        latencyMs: Math.round(performance.now() - started),
        detail: {
          ...detail,
          rowsReturned: result.rows.length,
          ...(type === 'export' ? { format: 'csv' } : {}),
        },
      });
      return result;
    } catch (err) {
      const refused = isAnalystError(err) && err.exitCode === 3;
      await services.audit({
        ...base,
        type: refused ? 'refusal' : type,
        outcome: refused ? 'refused' : 'error',
        latencyMs: Math.round(performance.now() - started),
        detail: { ...detail, error: isAnalystError(err) ? err.code : 'INTERNAL' },
      });
      throw err;
    }
  };

  app.openapi(guarded(guard, routes.dashboard), async (c) => {
    const { dashboard } = await find(c);
    // An embedded viewer gets the layout, not the queries behind it.
    const tiles = embed
      ? dashboard.tiles.map(({ query: _q, drill, filters: _f, vega_lite: _v, ...t }) => ({
          ...t,
          drillable: Boolean(drill),
        }))
      : dashboard.tiles.map((t) => ({ ...t, drillable: Boolean(t.drill) }));
    return c.json({ ...dashboard, tiles } as Record<string, unknown>, 200);
  });

  app.openapi(guarded(guard, routes.data), async (c) => {
    const { dashboard, tile } = await find(c);
    const body = c.req.valid('json');
    const resolved = tileQuery(dashboard, tile!, body.filters);
    const result = await run(c, resolved, 'data', 'tile');
    return c.json(
      {
        ...result,
        spec: tileSpec(tile!, result),
        applied: resolved.applied,
        notApplied: resolved.notApplied,
        ...(embed ? {} : { query: resolved.query }),
      },
      200,
    );
  });

  app.openapi(guarded(guard, routes.drill), async (c) => {
    const { dashboard, tile } = await find(c);
    const body = c.req.valid('json');
    const resolved = drillQuery(dashboard, tile!, body.filters, body.point);
    const result = await run(c, resolved, 'data', 'drill');
    return c.json({ ...result, limit: resolved.query.limit }, 200);
  });

  app.openapi(guarded(guard, routes.csv), async (c) => {
    const { dashboard, tile } = await find(c);
    const body = c.req.valid('json');
    const resolved = body.drill
      ? drillQuery(dashboard, tile!, body.filters, body.drill.point)
      : tileQuery(dashboard, tile!, body.filters);
    const result = await run(c, resolved, 'export', body.drill ? 'csv drill' : 'csv tile');
    return c.body(toCsv(result), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${dashboard.id}-${tile!.id}.csv"`,
    }) as never;
  });

  app.openapi(guarded(guard, routes.options), async (c) => {
    const { dashboard } = await find(c);
    const filter = dashboard.filters.find((f) => f.id === c.req.param('filter'));
    if (filter?.type !== 'select')
      throw new DashboardError(
        'FILTER_INVALID',
        `Dashboard "${dashboard.id}" has no select filter "${c.req.param('filter')}".`,
      );
    const query = { dimensions: [filter.member], order: { [filter.member]: 'asc' as const }, limit: 500 };
    const result = await run(c, { query, applied: [], notApplied: [] }, 'data', 'filter options');
    return c.json(
      {
        values: result.rows
          .map((r) => r[0])
          .filter((v) => v !== null && v !== '')
          .map(String),
      },
      200,
    );
  });
}
