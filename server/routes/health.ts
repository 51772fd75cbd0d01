import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { createArea } from '../area.ts';
import type { ServerEnv } from '../context.ts';
import type { ServerServices } from '../services.ts';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  responses: {
    200: {
      description: 'Alive',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: lake, audit store and the configured model endpoint',
  responses: {
    200: {
      description: 'Ready',
      content: {
        'application/json': {
          schema: z.object({
            status: z.string(),
            checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
          }),
        },
      },
    },
    503: {
      description: 'Not ready',
      content: {
        'application/json': {
          schema: z.object({
            status: z.string(),
            checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
          }),
        },
      },
    },
  },
});

/** GET /healthz and /readyz, unauthenticated and free of data. */
export function healthArea(services: ServerServices): OpenAPIHono<ServerEnv> {
  const app = createArea();
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (c) => {
    const checks = await services.readiness();
    const ok = Object.values(checks).every((x) => x.ok);
    return c.json({ status: ok ? 'ready' : 'not ready', checks }, ok ? 200 : 503);
  });
  return app;
}
