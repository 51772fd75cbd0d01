import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { available, createArea, guarded } from '../area.ts';
import type { ServerEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const searchRoute = createRoute({
  method: 'get',
  path: '/v1/audit',
  tags: ['audit'],
  summary: 'Audit trail, newest first, paged with `before` (auditor; the search is itself audited)',
  request: {
    query: z.object({
      user: z.string().optional(),
      type: z.string().optional(),
      from: z.string().optional().openapi({ description: 'ISO time, inclusive' }),
      to: z.string().optional().openapi({ description: 'ISO time, exclusive' }),
      requestId: z.string().optional(),
      limit: z.string().optional().openapi({ description: '1 to 1000 (default 100)' }),
      before: z.string().optional().openapi({ description: 'A record sequence number from `next`' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of records, bodies decrypted',
      content: {
        'application/json': {
          schema: z
            .object({
              records: z.array(z.record(z.string(), z.unknown())),
              next: z.number().nullable(),
            })
            .openapi('AuditPage'),
        },
      },
    },
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/v1/audit/export',
  tags: ['audit'],
  summary: 'Audit export as JSONL or CSV (auditor; audited before any record leaves)',
  request: {
    query: z.object({ format: z.string().optional().openapi({ description: 'jsonl (default) or csv' }) }),
  },
  responses: {
    200: {
      description: 'Every record, oldest first',
      content: {
        'application/x-ndjson': { schema: z.string() },
        'text/csv': { schema: z.string() },
      },
    },
  },
});

/**
 * GET /v1/audit (auditor): the trail, newest first, paged with `before`; GET /v1/audit/export
 * (auditor): JSONL or CSV for an investigation, itself audited before any record leaves.
 */
export function auditArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const auditor = guards.signedIn({ roles: ['auditor'], scope: 'audit', limits: ['rate'] });
  app.openapi(guarded(auditor, searchRoute), async (c) => {
    const search = available(services.auditSearch, 'The audit trail');
    const q = c.req.valid('query');
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), 1000);
    const before = q.before === undefined ? undefined : Number(q.before);
    if (before !== undefined && !Number.isSafeInteger(before))
      throw new ServerError('BAD_REQUEST', 'before must be a record sequence number.');
    await services.audit({
      type: 'export',
      requestId: c.get('requestId'),
      route: 'GET /v1/audit',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
      outcome: 'ok',
      detail: { action: 'audit.search', filter: { user: q.user, type: q.type, from: q.from, to: q.to } },
    });
    const page = await search(
      { userId: q.user, type: q.type, from: q.from, to: q.to, requestId: q.requestId },
      { limit, before },
    );
    return c.json(page as { records: Record<string, unknown>[]; next: number | null }, 200);
  });
  app.openapi(guarded(auditor, exportRoute), async (c) => {
    const exporter = available(services.auditExport, 'The audit export');
    const format = c.req.valid('query').format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv')
      throw new ServerError('BAD_REQUEST', 'format must be jsonl or csv.');
    await services.audit({
      type: 'export',
      requestId: c.get('requestId'),
      route: 'GET /v1/audit/export',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
      outcome: 'ok',
      detail: { action: 'audit.export', format },
    });
    c.header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    c.header('Content-Disposition', `attachment; filename="audit.${format}"`);
    return stream(c, async (s) => {
      for await (const chunk of exporter(format)) await s.write(chunk);
    }) as never;
  });
  return app;
}
