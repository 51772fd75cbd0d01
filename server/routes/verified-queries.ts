import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { toVerifiedQuery } from '../../agent/index.ts';
import { isAnalystError } from '../../core/index.ts';
import { available, createArea, guarded } from '../area.ts';
import { securityContextOf } from '../auth/identity.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const body = z
  .object({
    question: z.string().min(3).max(1000),
    query: z.record(z.string(), z.unknown()).optional().describe('A semantic query (Cube REST format)'),
    sql: z.string().min(1).max(20_000).optional().describe('One governed SELECT (when no query is given)'),
    description: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('VerifiedQueryRequest');

const saved = z
  .object({
    file: z.string(),
    question: z.string(),
    query: z.record(z.string(), z.unknown()).optional(),
    sql: z.string().optional(),
    author: z.string(),
    date: z.string(),
  })
  .openapi('VerifiedQuery');

const saveRoute = createRoute({
  method: 'post',
  path: '/v1/verified-queries',
  tags: ['verified queries'],
  summary:
    'Save a question with its semantic query or SQL as a verified query (admin, analyst): checked under the caller’s policies, written atomically to model/verified_queries/, audited',
  request: { body: { content: { 'application/json': { schema: body } }, required: true } },
  responses: {
    201: {
      description: 'The verified query and its file',
      content: { 'application/json': { schema: saved } },
    },
  },
});

/**
 * `POST /v1/verified-queries`: an admin or analyst marks a question's query as verified. The author
 * is the caller and the date today; the file is written whole or not at all, and the audit trail
 * records who saved what (the question and query encrypted) before the response.
 */
export function verifiedQueriesArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const guard = guards.signedIn({ roles: ['admin', 'analyst'], scope: 'admin', limits: ['rate'] });
  const audit = (
    c: Context<SignedInEnv>,
    outcome: 'ok' | 'error' | 'refused',
    detail: Record<string, unknown>,
  ) =>
    services.audit({
      type: 'config',
      requestId: c.get('requestId'),
      route: 'POST /v1/verified-queries',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
      outcome,
      detail: { action: 'verified_query_saved', ...detail },
    });
  app.openapi(guarded(guard, saveRoute), async (c) => {
    const input = c.req.valid('json');
    const store = available(services.verifiedQueries, 'Verified queries');
    const identity = c.get('identity');
    const facts = { question: input.question, sql: input.sql, semanticQuery: input.query };
    const request = {
      question: input.question,
      ...(input.query ? { query: input.query as never } : {}),
      ...(input.sql ? { sql: input.sql } : {}),
      ...(input.description ? { description: input.description } : {}),
      author: identity.userId,
      date: new Date().toISOString().slice(0, 10),
    };
    // The file's own schema, before anything else: a 400 that names the field.
    toVerifiedQuery(request, 'request');
    let result: Awaited<ReturnType<typeof store.save>>;
    try {
      result = await store.save(request, securityContextOf(identity));
    } catch (err) {
      const code = isAnalystError(err) ? err.code : 'INTERNAL';
      await audit(c, code === 'SQL_REFUSED' || code === 'ACCESS_DENIED' ? 'refused' : 'error', {
        ...facts,
        code,
      });
      throw err;
    }
    await audit(c, 'ok', { ...facts, file: result.file });
    return c.json(result as z.infer<typeof saved>, 201);
  });
  return app;
}
