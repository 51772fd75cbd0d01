import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { every } from 'hono/combine';
import { CHART_TYPES, idSchema } from '../../dashboards/index.ts';
import { cubeFilterSchema, cubeQuerySchema } from '../../semantic/index.ts';
import { createArea, guarded, named } from '../area.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';
import { addDashboardData } from './dashboard-data.ts';

// Filters nest (and/or): named, the document refers to the recursive schema by `$ref`.
named(cubeFilterSchema, 'CubeFilter');

/** Roles that may change dashboards (add a chat answer as a tile, create a dashboard). */
const EDITORS = ['admin', 'analyst'];

const createBody = z
  .object({
    id: idSchema.optional(),
    title: z.string().min(1).max(120),
    description: z.string().max(1000).optional(),
  })
  .strict()
  .openapi('DashboardCreate');
const tileBody = z
  .object({
    title: z.string().min(1).max(120),
    description: z.string().max(500).optional(),
    query: named(cubeQuerySchema, 'CubeQuery'),
    chart: z.enum(CHART_TYPES).default('table'),
  })
  .strict()
  .openapi('TileCreate');
const anyObject = z.record(z.string(), z.unknown());
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/dashboards',
  tags: ['dashboards'],
  summary: 'Dashboards in the workspace',
  responses: {
    200: {
      description: 'Summaries',
      content: { 'application/json': { schema: z.object({ dashboards: z.array(anyObject) }) } },
    },
  },
});
const createDashboardRoute = createRoute({
  method: 'post',
  path: '/v1/dashboards',
  tags: ['dashboards'],
  summary: 'Create a dashboard (admin, analyst)',
  request: jsonBody(createBody),
  responses: {
    201: { description: 'The new dashboard', content: { 'application/json': { schema: anyObject } } },
  },
});
const addTileRoute = createRoute({
  method: 'post',
  path: '/v1/dashboards/{id}/tiles',
  tags: ['dashboards'],
  summary: 'Add a tile, e.g. from a chat answer (admin, analyst)',
  request: { params: z.object({ id: z.string() }), ...jsonBody(tileBody) },
  responses: {
    201: { description: 'The new tile', content: { 'application/json': { schema: anyObject } } },
  },
});

/**
 * Dashboards for signed-in users (API keys: `query` scope): list, read, tile data, drill-down, CSV
 * (see dashboard-data.ts), and for admins and analysts: create a dashboard, add a chat answer to
 * one. Writes go to the workspace's `dashboards/` folder and are audited as config changes.
 */
export function dashboardsArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const browse = guards.signedIn({ scope: 'query', limits: ['rate'] });
  const data = guards.signedIn({ scope: 'query', limits: ['rate', 'concurrency', 'timeout'] });
  const store = () => {
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    return services.dashboards;
  };
  // Editors are checked before the body is read: a viewer learns nothing about its shape.
  const editor = (guard: MiddlewareHandler<SignedInEnv>) =>
    every(guard, async (c: Context<SignedInEnv>, next: Next) => {
      if (!c.get('identity').roles.some((r) => EDITORS.includes(r)))
        throw new ServerError('FORBIDDEN', 'Changing dashboards needs the admin or analyst role.');
      await next();
    }) as MiddlewareHandler<SignedInEnv>;
  const auditChange = (c: Context<SignedInEnv>, action: string) =>
    services.audit({
      type: 'config',
      requestId: c.get('requestId'),
      route: `${c.req.method} ${c.req.routePath}`,
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
      outcome: 'ok',
      detail: { action },
    });

  app.openapi(guarded(browse, listRoute), async (c) =>
    c.json({ dashboards: (await store().list()) as unknown as Record<string, unknown>[] }, 200),
  );

  app.openapi(guarded(editor(browse), createDashboardRoute), async (c) => {
    const body = c.req.valid('json');
    const id = body.id ?? slug(body.title);
    const dashboard = await store().create(id, body.title, body.description);
    await auditChange(c, `create dashboard ${id}`);
    return c.json(dashboard as unknown as Record<string, unknown>, 201);
  });

  // The role first, then the body is read and a query slot taken (the slot limit reads the body).
  const tileEditor = every(
    editor(browse),
    guards.limits('concurrency', 'timeout'),
  ) as MiddlewareHandler<SignedInEnv>;
  app.openapi(guarded(tileEditor, addTileRoute), async (c) => {
    const body = c.req.valid('json');
    const id = c.req.valid('param').id;
    const tile = await store().addTile(id, body);
    await auditChange(c, `add tile ${tile.id} to dashboard ${id}`);
    return c.json(tile as unknown as Record<string, unknown>, 201);
  });

  addDashboardData(app, services, { prefix: '/v1/dashboards', guard: data });
  return app;
}

function slug(title: string): string {
  const s = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return /^[a-z0-9]/.test(s) ? s : `dashboard-${Date.now().toString(36)}`;
}
