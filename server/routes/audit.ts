import type { OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ServerError } from '../errors.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

/**
 * GET /v1/audit (auditor): the trail, newest first, paged with `before`; GET /v1/audit/export
 * (auditor): JSONL or CSV for an investigation, itself audited before any record leaves;
 * GET /v1/compliance (auditor or admin): the doctor's report.
 */
export function registerAudit(app: OpenAPIHono, services: ServerServices): void {
  const search = services.auditSearch;
  if (search) {
    app.get('/v1/audit', async (c) => {
      const q = c.req.query();
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
      return c.json(page);
    });
  }
  const exporter = services.auditExport;
  if (exporter) {
    app.get('/v1/audit/export', async (c) => {
      const format = c.req.query('format') ?? 'jsonl';
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
      });
    });
  }
  const compliance = services.compliance;
  if (compliance)
    app.get('/v1/compliance', async (c) => c.json((await compliance()) as Record<string, unknown>));
}
