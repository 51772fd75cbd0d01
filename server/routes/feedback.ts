import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { available, createArea, guarded } from '../area.ts';
import { securityContextOf } from '../auth/identity.ts';
import type { ServerEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an id of 8 to 64 letters, digits, "-" or "_"');

const body = z
  .object({
    conversationId: id,
    turnId: id.optional().describe('The answer: its auditId'),
    rating: z.enum(['up', 'down']),
    comment: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('FeedbackRequest');

const record = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    turnId: z.string().nullable(),
    rating: z.enum(['up', 'down']),
    comment: z.string().nullable(),
    userId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Feedback');

const addRoute = createRoute({
  method: 'post',
  path: '/v1/feedback',
  tags: ['feedback'],
  summary: 'Thumbs up or down, with a comment, on an answer in one of your conversations (audited)',
  request: { body: { content: { 'application/json': { schema: body } }, required: true } },
  responses: {
    201: { description: 'The stored feedback', content: { 'application/json': { schema: record } } },
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/feedback',
  tags: ['feedback'],
  summary: 'Feedback on answers, newest first (admin)',
  request: {
    query: z.object({
      rating: z.enum(['up', 'down']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: {
      description: 'Feedback records',
      content: { 'application/json': { schema: z.object({ feedback: z.array(record) }) } },
    },
  },
});

/**
 * `POST /v1/feedback` for any signed-in caller on their own conversations, audited (the comment
 * encrypted) before it is acknowledged; `GET /v1/feedback` lists it for admins.
 */
export function feedbackArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const feedback = () => available(services.feedback, 'Feedback');
  app.openapi(guarded(guards.signedIn({ scope: 'chat', limits: ['rate'] }), addRoute), async (c) => {
    const input = c.req.valid('json');
    const identity = c.get('identity');
    const saved = await feedback().add(input, securityContextOf(identity));
    await services.audit({
      type: 'data',
      requestId: c.get('requestId'),
      route: 'POST /v1/feedback',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity,
      outcome: 'ok',
      detail: {
        action: 'feedback',
        conversationId: saved.conversationId,
        turnId: saved.turnId,
        rating: saved.rating,
        reason: saved.comment ?? undefined,
      },
    });
    return c.json(saved, 201);
  });
  const admin = guards.signedIn({ roles: ['admin'], scope: 'admin', scopeSuffices: true, limits: ['rate'] });
  app.openapi(guarded(admin, listRoute), async (c) => {
    const q = c.req.valid('query');
    return c.json({ feedback: await feedback().list({ rating: q.rating, limit: q.limit }) }, 200);
  });
  return app;
}
