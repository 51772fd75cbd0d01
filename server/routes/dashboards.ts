import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { CHART_TYPES, idSchema } from '../../dashboards/index.ts';
import { cubeQuerySchema } from '../../semantic/index.ts';
import { ServerError } from '../errors.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';
import { readBody, registerDashboardData } from './dashboard-data.ts';

/** Roles that may change dashboards (add a chat answer as a tile, create a dashboard). */
const EDITORS = ['admin', 'analyst'];

const createBody = z
  .object({
    id: idSchema.optional(),
    title: z.string().min(1).max(120),
    description: z.string().max(1000).optional(),
  })
  .strict();
const tileBody = z
  .object({
    title: z.string().min(1).max(120),
    description: z.string().max(500).optional(),
    query: cubeQuerySchema,
    chart: z.enum(CHART_TYPES).default('table'),
  })
  .strict();

/**
 * Dashboards for signed-in users: list, read, tile data, drill-down, CSV (see dashboard-data.ts),
 * and for admins and analysts: create a dashboard, add a chat answer to one. Writes go to the
 * workspace's `dashboards/` folder and are audited as config changes.
 */
export function registerDashboards(app: OpenAPIHono, services: ServerServices): void {
  const store = () => {
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    return services.dashboards;
  };
  const requireEditor = (c: Context) => {
    const identity = c.get('identity');
    if (!identity.roles.some((r) => EDITORS.includes(r)))
      throw new ServerError('FORBIDDEN', 'Changing dashboards needs the admin or analyst role.');
    return identity;
  };
  const auditChange = (c: Context, action: string) =>
    services.audit({
      type: 'config',
      requestId: c.get('requestId'),
      route: `${c.req.method} ${c.req.routePath}`,
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
      outcome: 'ok',
      detail: { action },
    });

  app.get('/v1/dashboards', async (c) => c.json({ dashboards: await store().list() }));

  app.post('/v1/dashboards', async (c) => {
    requireEditor(c);
    const body = await readBody(c, createBody);
    const id = body.id ?? slug(body.title);
    const dashboard = await store().create(id, body.title, body.description);
    await auditChange(c, `create dashboard ${id}`);
    return c.json(dashboard, 201);
  });

  app.post('/v1/dashboards/:id/tiles', async (c) => {
    requireEditor(c);
    const body = await readBody(c, tileBody);
    const id = c.req.param('id');
    const tile = await store().addTile(id, body);
    await auditChange(c, `add tile ${tile.id} to dashboard ${id}`);
    return c.json(tile, 201);
  });

  registerDashboardData(app, services, '/v1/dashboards');
}

function slug(title: string): string {
  const s = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return /^[a-z0-9]/.test(s) ? s : `dashboard-${Date.now().toString(36)}`;
}
