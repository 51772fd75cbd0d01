import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { available, createArea, guarded } from '../area.ts';
import type { ServerEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';
import { adminGuard } from './connectors.ts';

const grantBody = z
  .object({
    user: z.string().min(1).max(200),
    reason: z.string().min(1).max(2000),
    minutes: z.number().int().min(1),
    roles: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
  })
  .strict()
  .openapi('BreakGlassRequest');

const grant = z
  .object({
    grantId: z.string(),
    userId: z.string(),
    roles: z.array(z.string()),
    grantedAt: z.string(),
    expiresAt: z.string(),
    auditId: z.string(),
  })
  .openapi('BreakGlassGrant');

const grantRoute = createRoute({
  method: 'post',
  path: '/v1/admin/break-glass',
  tags: ['incidents'],
  summary:
    'Break-glass: grant a user emergency roles for a few minutes, for a stated reason (admin; audited before it takes effect, pages on-call)',
  request: { body: { content: { 'application/json': { schema: grantBody } }, required: true } },
  responses: {
    201: { description: 'The grant', content: { 'application/json': { schema: grant } } },
  },
});

const activeRoute = createRoute({
  method: 'get',
  path: '/v1/admin/break-glass',
  tags: ['incidents'],
  summary: 'Break-glass grants in force now (admin)',
  responses: {
    200: {
      description: 'Active grants (reasons stay in the audit trail)',
      content: { 'application/json': { schema: z.object({ grants: z.array(grant) }) } },
    },
  },
});

/**
 * Break-glass (HIPAA's emergency access procedure) for admins: `POST /v1/admin/break-glass` grants,
 * `GET` lists what is in force. The grant is written to the audit trail before it exists (no
 * record, no grant), with the reason encrypted and the admin who granted it.
 */
export function breakGlassArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const breakGlass = () => available(services.breakGlass, 'Break-glass');
  const guard = adminGuard(guards);
  app.openapi(guarded(guard, grantRoute), async (c) => {
    const body = c.req.valid('json');
    const issued = await breakGlass().grant({
      userId: body.user,
      reason: body.reason,
      minutes: body.minutes,
      roles: body.roles,
      grantedBy: c.get('identity').userId,
      requestId: c.get('requestId'),
      clientAddress: clientAddress(c.req.raw, c.env),
    });
    return c.json(issued, 201);
  });
  app.openapi(guarded(guard, activeRoute), async (c) => c.json({ grants: await breakGlass().active() }, 200));
  return app;
}
