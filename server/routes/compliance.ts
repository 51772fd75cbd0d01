import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { available, createArea, guarded } from '../area.ts';
import type { ServerEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import type { ServerServices } from '../services.ts';

const check = z.object({
  id: z.number(),
  ok: z.boolean(),
  title: z.string(),
  evidence: z.array(z.string()),
  gaps: z.array(z.string()),
});

const report = z
  .object({ ok: z.boolean(), checks: z.array(check), residency: z.array(z.string()) })
  .openapi('ComplianceReport');

const complianceRoute = createRoute({
  method: 'get',
  path: '/v1/compliance',
  tags: ['compliance'],
  summary: "The compliance doctor's report, as `analyst doctor --json` prints it (auditor or admin)",
  responses: {
    200: {
      description: 'Each obligation with evidence and gaps',
      content: {
        'application/json': {
          schema: report,
        },
      },
    },
  },
});

/** GET /v1/compliance (auditor or admin; API keys need the `audit` scope). */
export function complianceArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const guard = guards.signedIn({ roles: ['auditor', 'admin'], scope: 'audit', limits: ['rate'] });
  app.openapi(guarded(guard, complianceRoute), async (c) =>
    c.json((await available(services.compliance, 'The compliance report')()) as z.infer<typeof report>, 200),
  );
  return app;
}
