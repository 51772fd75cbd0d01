import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { available, createArea, guarded } from '../area.ts';
import type { ServerEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const snapshot = z.object({
  id: z.number(),
  time: z.string().openapi({ description: 'Commit time, ISO 8601 UTC' }),
  author: z.string().nullable(),
  message: z.string().nullable(),
  changes: z.unknown(),
});

const snapshotsRoute = createRoute({
  method: 'get',
  path: '/v1/lake/snapshots',
  tags: ['lake'],
  summary:
    "The lake's snapshots, oldest first, as `analyst lake snapshots --json` prints them (admin or auditor)",
  responses: {
    200: {
      description: 'One entry per committed write',
      content: {
        'application/json': {
          schema: z.object({ snapshots: z.array(snapshot) }).openapi('LakeSnapshots'),
        },
      },
    },
  },
});

/** GET /v1/lake/snapshots (admin or auditor; API keys need the `audit` scope), audited. */
export function lakeArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const guard = guards.signedIn({ roles: ['admin', 'auditor'], scope: 'audit', limits: ['rate'] });
  app.openapi(guarded(guard, snapshotsRoute), async (c) => {
    const list = available(services.lakeSnapshots, 'The snapshot list');
    const event = {
      type: 'admin' as const,
      requestId: c.get('requestId'),
      route: 'GET /v1/lake/snapshots',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
    };
    let snapshots: Awaited<ReturnType<typeof list>>;
    try {
      snapshots = await list();
    } catch (err) {
      await services.audit({ ...event, outcome: 'error', detail: { action: 'lake.snapshots' } });
      throw err;
    }
    // Recorded before the list leaves; an unavailable audit store fails the request closed.
    await services.audit({ ...event, outcome: 'ok', detail: { action: 'lake.snapshots' } });
    return c.json({ snapshots }, 200);
  });
  return app;
}
