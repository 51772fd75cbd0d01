import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
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
import { securityContextOf } from '../auth/identity.ts';
import { ServerError } from '../errors.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const pointSchema = z.record(
  z.string().max(300),
  z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
);
const dataBody = z.object({ filters: filterValuesSchema }).strict();
const drillBody = z.object({ filters: filterValuesSchema, point: pointSchema.default({}) }).strict();
const csvBody = z
  .object({
    filters: filterValuesSchema,
    drill: z
      .object({ point: pointSchema.default({}) })
      .strict()
      .optional(),
  })
  .strict();

/** Parse a JSON body with a schema; a bad body is a 400 that names the field, never echoes values. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const raw = await c.req.json().catch(() => {
    throw new ServerError('BAD_REQUEST', 'The body is not valid JSON.');
  });
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServerError(
      'BAD_REQUEST',
      `Invalid request: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

/**
 * The read side of a dashboard, mounted twice: for signed-in users under `/v1/dashboards` and for
 * embeds under `/v1/embed/dashboards` (behind the embed token check). Tiles run their own
 * queries only — a viewer chooses filter values and clicked points, never members — under the
 * caller's policies; every run is audited, CSV downloads as exports.
 */
export function registerDashboardData(
  app: OpenAPIHono,
  services: ServerServices,
  prefix: '/v1/dashboards' | '/v1/embed/dashboards',
): void {
  const embed = prefix.startsWith('/v1/embed');
  const store = () => {
    if (!services.dashboards || !services.cube)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    return { dashboards: services.dashboards, cube: services.cube };
  };
  const find = async (c: Context): Promise<{ dashboard: Dashboard; tile?: Tile }> => {
    const dashboard = await store().dashboards.get(c.req.param('id') ?? '');
    const tileId = c.req.param('tile');
    if (tileId === undefined) return { dashboard };
    const tile = dashboard.tiles.find((t) => t.id === tileId);
    if (!tile)
      throw new DashboardError('TILE_NOT_FOUND', `Dashboard "${dashboard.id}" has no tile "${tileId}".`);
    return { dashboard, tile };
  };
  const run = async (c: Context, resolved: ResolvedTileQuery, type: 'data' | 'export', action: string) => {
    const identity = c.get('identity');
    const started = performance.now();
    const base = {
      requestId: c.get('requestId'),
      route: `${c.req.method} ${c.req.routePath}`,
      clientAddress: clientAddress(c.req.raw, c.env),
      identity,
    };
    // Embeds say so, and whose token it was, in the audit record's action.
    const detail = {
      action: embed
        ? `embed ${action} (token ${c.get('embed').tokenId} from ${c.get('embed').issuedBy})`
        : action,
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

  app.get(`${prefix}/:id`, async (c) => {
    const { dashboard } = await find(c);
    // An embedded viewer gets the layout, not the queries behind it.
    const tiles = embed
      ? dashboard.tiles.map(({ query: _q, drill, filters: _f, vega_lite: _v, ...t }) => ({
          ...t,
          drillable: Boolean(drill),
        }))
      : dashboard.tiles.map((t) => ({ ...t, drillable: Boolean(t.drill) }));
    return c.json({ ...dashboard, tiles });
  });

  app.post(`${prefix}/:id/tiles/:tile/data`, async (c) => {
    const { dashboard, tile } = await find(c);
    const body = await readBody(c, dataBody);
    const resolved = tileQuery(dashboard, tile!, body.filters);
    const result = await run(c, resolved, 'data', 'tile');
    return c.json({
      ...result,
      spec: tileSpec(tile!, result),
      applied: resolved.applied,
      notApplied: resolved.notApplied,
      ...(embed ? {} : { query: resolved.query }),
    });
  });

  app.post(`${prefix}/:id/tiles/:tile/drill`, async (c) => {
    const { dashboard, tile } = await find(c);
    const body = await readBody(c, drillBody);
    const resolved = drillQuery(dashboard, tile!, body.filters, body.point);
    const result = await run(c, resolved, 'data', 'drill');
    return c.json({ ...result, limit: resolved.query.limit });
  });

  app.post(`${prefix}/:id/tiles/:tile/csv`, async (c) => {
    const { dashboard, tile } = await find(c);
    const body = await readBody(c, csvBody);
    const resolved = body.drill
      ? drillQuery(dashboard, tile!, body.filters, body.drill.point)
      : tileQuery(dashboard, tile!, body.filters);
    const result = await run(c, resolved, 'export', body.drill ? 'csv drill' : 'csv tile');
    return c.body(toCsv(result), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${dashboard.id}-${tile!.id}.csv"`,
    });
  });

  app.get(`${prefix}/:id/filters/:filter/options`, async (c) => {
    const { dashboard } = await find(c);
    const filter = dashboard.filters.find((f) => f.id === c.req.param('filter'));
    if (filter?.type !== 'select')
      throw new DashboardError(
        'FILTER_INVALID',
        `Dashboard "${dashboard.id}" has no select filter "${c.req.param('filter')}".`,
      );
    const query = { dimensions: [filter.member], order: { [filter.member]: 'asc' as const }, limit: 500 };
    const result = await run(c, { query, applied: [], notApplied: [] }, 'data', 'filter options');
    return c.json({
      values: result.rows
        .map((r) => r[0])
        .filter((v) => v !== null && v !== '')
        .map(String),
    });
  });
}
