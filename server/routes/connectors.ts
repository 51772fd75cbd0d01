import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isAnalystError } from '../../core/index.ts';
import { available, createArea, guarded } from '../area.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const NAME = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const selection = z
  .object({ connectors: z.array(NAME).max(100).optional() })
  .strict()
  .openapi('ConnectorSelection');

const streamSummary = z
  .object({
    connector: z.string(),
    stream: z.string(),
    table: z.string(),
    mode: z.string(),
    rows: z.number(),
    rejects: z.number(),
    durationMs: z.number(),
    status: z.string(),
    errorCode: z.string().nullable(),
    runId: z.string(),
    startedAt: z.string().optional(),
  })
  .openapi('StreamSyncSummary');

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
});
const body = { body: { content: { 'application/json': { schema: selection } }, required: false } };

const listRoute = createRoute({
  method: 'get',
  path: '/v1/admin/connectors',
  summary: 'Configured connectors (without their options) and the connector types this build has',
  responses: json(
    z.object({
      connectors: z.array(
        z.object({
          name: z.string(),
          type: z.string(),
          mode: z.string(),
          streams: z.union([z.array(z.string()), z.literal('all')]),
        }),
      ),
      types: z.array(z.object({ type: z.string(), description: z.string() })),
    }),
    'Connectors',
  ),
});

const checkRoute = createRoute({
  method: 'post',
  path: '/v1/admin/connectors/check',
  summary: 'Check that each selected connector (default: all) can reach its source',
  request: body,
  responses: json(
    z.object({
      ok: z.boolean(),
      results: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string().optional() })),
    }),
    'One verdict per connector',
  ),
});

const syncRoute = createRoute({
  method: 'post',
  path: '/v1/admin/connectors/sync',
  summary: 'Sync the selected connectors (default: all) into the lake; one sync at a time',
  request: body,
  responses: json(
    z.object({ ok: z.boolean(), streams: z.array(streamSummary) }),
    'What each stream load did',
  ),
});

const statusRoute = createRoute({
  method: 'get',
  path: '/v1/admin/connectors/status',
  summary: 'Sync history, newest first',
  request: {
    query: z.object({
      connector: NAME.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: json(z.object({ history: z.array(streamSummary) }), 'Sync history'),
});

const scheduleRoute = createRoute({
  method: 'get',
  path: '/v1/connectors/status',
  summary: "Each connector's schedule, next run, last run and last error (codes only)",
  responses: json(
    z.object({
      connectors: z.array(
        z.object({
          name: z.string(),
          type: z.string(),
          schedule: z.string().nullable(),
          timezone: z.string().nullable(),
          nextRun: z.string().nullable(),
          lastRun: z
            .object({
              runId: z.string().nullable(),
              startedAt: z.string(),
              status: z.enum(['ok', 'failed', 'skipped', 'running']),
              rows: z.number().nullable(),
            })
            .nullable(),
          lastError: z.object({ at: z.string(), code: z.string() }).nullable(),
        }),
      ),
    }),
    'Connector status',
  ),
});

/**
 * Connector administration under /v1/admin/connectors: list, check, sync and sync status. Every
 * call is recorded in the audit trail as an admin action; a sync is recorded before it starts
 * (so an unavailable audit store stops it) and again with its outcome.
 */
export function connectorsArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const connectors = () => available(services.connectors, 'Connector administration');
  const guard = adminGuard(guards);
  const audit = (
    c: Context<SignedInEnv>,
    action: string,
    outcome: 'ok' | 'error',
    detail: Record<string, unknown> = {},
  ) =>
    services.audit({
      type: 'admin',
      requestId: c.get('requestId'),
      route: `${c.req.method} ${c.req.routePath}`,
      clientAddress: clientAddress(c.req.raw, c.env),
      identity: c.get('identity'),
      outcome,
      detail: { action, ...detail },
    });
  // Audit the failure too, then let the one error handler answer.
  const audited = async <T>(
    c: Context<SignedInEnv>,
    action: string,
    names: string[],
    fn: () => Promise<T>,
  ) => {
    try {
      return await fn();
    } catch (err) {
      await audit(c, action, 'error', {
        connectors: names,
        code: isAnalystError(err) ? err.code : 'INTERNAL',
      });
      throw err;
    }
  };

  app.openapi(guarded(guard, listRoute), async (c) => {
    const list = await connectors().list();
    await audit(c, 'connectors.list', 'ok');
    return c.json(list, 200);
  });

  app.openapi(guarded(guard, checkRoute), async (c) => {
    const names = (await selectionOf(c)).connectors ?? [];
    const results = await audited(c, 'connectors.check', names, () => connectors().check(names));
    await audit(c, 'connectors.check', 'ok', { connectors: results.map((r) => r.name) });
    return c.json({ ok: results.every((r) => r.ok), results }, 200);
  });

  app.openapi(guarded(guard, syncRoute), async (c) => {
    const names = (await selectionOf(c)).connectors ?? [];
    await audit(c, 'connectors.sync.start', 'ok', { connectors: names });
    const streams = await audited(c, 'connectors.sync', names, () => connectors().sync(names));
    const ok = streams.every((s) => s.status === 'ok');
    await audit(c, 'connectors.sync', ok ? 'ok' : 'error', {
      connectors: [...new Set(streams.map((s) => s.connector))],
    });
    return c.json({ ok, streams }, 200);
  });

  app.openapi(guarded(guard, statusRoute), async (c) => {
    const q = c.req.valid('query');
    const history = await connectors().history({ connector: q.connector, limit: q.limit });
    await audit(c, 'connectors.status', 'ok', q.connector ? { connectors: [q.connector] } : {});
    return c.json({ history }, 200);
  });

  app.openapi(guarded(guard, scheduleRoute), async (c) => {
    const status = connectors().status;
    if (!status) throw new ServerError('NOT_FOUND', 'Connector status is not available on this server.');
    const list = await status();
    await audit(c, 'connectors.schedule_status', 'ok');
    return c.json({ connectors: list }, 200);
  });
  return app;
}

/** Administration: the admin role, or an API key with the `admin` scope (automation). */
export function adminGuard(guards: Guards) {
  return guards.signedIn({ roles: ['admin'], scope: 'admin', scopeSuffices: true, limits: ['rate'] });
}

/** The optional JSON body of check and sync: no body means every configured connector. */
async function selectionOf(c: Context): Promise<z.infer<typeof selection>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = selection.safeParse(raw);
  if (!parsed.success)
    throw new ServerError('BAD_REQUEST', 'The body must be {"connectors": ["name", …]} or empty.');
  return parsed.data;
}
