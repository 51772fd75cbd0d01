import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { createArea, guarded } from '../area.ts';
import { securityContextOf } from '../auth/identity.ts';
import type { ServerEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const askResult = z
  .object({
    status: z.enum(['ok', 'clarify', 'refused', 'error']),
    answer: z.string(),
    /** What was computed, in words ("Median of Total Claim Cost over all encounters, 2021"). */
    interpretation: z.string().nullable(),
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
    rows: z.array(z.array(z.unknown())),
    sql: z.string().nullable(),
    semanticQuery: z.record(z.string(), z.unknown()).nullable(),
    chart: z.record(z.string(), z.unknown()).nullable(),
    conversationId: z.string(),
    auditId: z.string().nullable(),
    options: z.array(z.object({ label: z.string(), question: z.string() })).optional(),
    /** Small-cell suppression: in these rows the null values are withheld (fewer than minGroupSize people). */
    suppressed: z.object({ minGroupSize: z.number().int(), rows: z.array(z.number().int()) }).optional(),
    /** The governed SQL as planned, before the gate applied the caller's policies. */
    plannedSql: z.string().optional(),
    /** The answer reused this verified query. */
    verified: z
      .object({ file: z.string(), question: z.string(), author: z.string(), date: z.string() })
      .optional(),
    /** The model endpoint failed and the offline planner answered. */
    fallback: z.literal(true).optional(),
    fallbackReason: z.string().optional(),
    /** The lake snapshot answered from, when the request asked for one (`asOf`). */
    snapshot: z.number().int().optional(),
  })
  .openapi('AskResult');

export const chatBody = z
  .object({
    question: z.string().min(1).max(4000),
    conversationId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional(),
    asOf: z
      .union([
        z.object({ snapshot: z.number().int().min(0) }).strict(),
        z.object({ at: z.iso.datetime({ offset: true }) }).strict(),
      ])
      .optional()
      .openapi({
        description:
          'Answer from the lake as of a snapshot id, or the last snapshot at or before a time; today’s policies apply, the result and the audit record name the snapshot',
      }),
  })
  .strict()
  .openapi('ChatRequest');

const chatRoute = createRoute({
  method: 'post',
  path: '/v1/chat',
  summary: 'Ask a question; JSON, or Server-Sent Events of the agent’s steps with Accept: text/event-stream',
  request: { body: { content: { 'application/json': { schema: chatBody } }, required: true } },
  responses: {
    200: {
      description: 'The answer (the same object as `analyst ask --json`), or an SSE stream ending in it',
      content: { 'application/json': { schema: askResult }, 'text/event-stream': { schema: z.string() } },
    },
  },
});

const conversationRoute = createRoute({
  method: 'get',
  path: '/v1/conversations/{id}',
  summary: 'A conversation’s turns (its owner only)',
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: {
      description: 'The conversation',
      content: {
        'application/json': {
          schema: z.object({
            id: z.string(),
            turns: z.array(
              z.object({
                question: z.string(),
                status: z.string(),
                semanticQuery: z.record(z.string(), z.unknown()).nullable(),
                sql: z.string().nullable(),
                answer: z.string(),
              }),
            ),
          }),
        },
      },
    },
  },
});

/** POST /v1/chat and GET /v1/conversations/:id, for signed-in callers (API keys: `chat` scope). */
export function chatArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const ask = guards.signedIn({ scope: 'chat', limits: ['rate', 'concurrency'] });
  const read = guards.signedIn({ scope: 'chat', limits: ['rate'] });
  app.openapi(guarded(ask, chatRoute), async (c) => {
    const body = c.req.valid('json');
    const ctx = securityContextOf(c.get('identity'));
    const events = services.ask(body.question, ctx, {
      conversationId: body.conversationId,
      ...(body.asOf ? { asOf: body.asOf } : {}),
      request: { requestId: c.get('requestId'), clientAddress: clientAddress(c.req.raw, c.env) },
    });
    if ((c.req.header('Accept') ?? '').includes('text/event-stream')) {
      // Pull the first event before committing to a stream, so refusals (another user's
      // conversation, a bad question) still get their proper status code.
      const first = await events.next();
      return streamSSE(c, async (stream) => {
        if (!first.done)
          await stream.writeSSE({ event: first.value.type, data: JSON.stringify(first.value) });
        try {
          for await (const e of events) {
            await stream.writeSSE({
              event: e.type,
              data: JSON.stringify(e.type === 'result' ? e.result : e),
            });
          }
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'INTERNAL';
          await stream.writeSSE({
            event: 'error',
            data: JSON.stringify({ error: { code, requestId: c.get('requestId') } }),
          });
        }
      }) as never;
    }
    // Planning (every agent node but execute) and SQL (execute), timed by the agent itself;
    // the rest of `total` is ours: auth, limits, audit, conversation state, serialisation.
    let plan = 0;
    let sql = 0;
    for await (const e of events) {
      if (e.type === 'step' && e.ms !== undefined) {
        if (e.node === 'execute') sql += e.ms;
        else plan += e.ms;
      }
      if (e.type === 'result') {
        const body = JSON.stringify(e.result);
        const total = performance.now() - c.get('requestStarted');
        c.header(
          'Server-Timing',
          `plan;dur=${plan.toFixed(2)}, sql;dur=${sql.toFixed(2)}, total;dur=${total.toFixed(2)}`,
        );
        return c.body(body, 200, { 'Content-Type': 'application/json' }) as never;
      }
    }
    throw new Error('the agent produced no result');
  });

  app.openapi(guarded(read, conversationRoute), async (c) => {
    const ctx = securityContextOf(c.get('identity'));
    return c.json(await services.conversation(c.req.valid('param').id, ctx), 200);
  });
  return app;
}
