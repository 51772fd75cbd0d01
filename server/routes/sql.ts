import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { isAnalystError } from '../../core/index.ts';
import { createArea, guarded } from '../area.ts';
import { securityContextOf } from '../auth/identity.ts';
import type { ServerEnv } from '../context.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const sqlRoute = createRoute({
  method: 'post',
  path: '/v1/sql',
  summary: 'Run one governed SELECT under the caller’s row policies and masks',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              sql: z.string().min(1).max(100_000),
              asOf: z
                .union([
                  z.object({ snapshot: z.number().int().min(0) }).strict(),
                  z.object({ at: z.iso.datetime({ offset: true }) }).strict(),
                ])
                .optional()
                .openapi({
                  description:
                    'Read the lake as of a snapshot id, or the last snapshot at or before a time; today’s policies apply',
                }),
            })
            .strict()
            .openapi('SqlRequest'),
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'Rows the caller may see',
      content: {
        'application/json': {
          schema: z
            .object({
              status: z.literal('ok'),
              columns: z.array(z.object({ name: z.string(), type: z.string() })),
              rows: z.array(z.array(z.unknown())),
              truncated: z.boolean(),
              auditId: z.string().nullable(),
              snapshot: z.number().optional(),
            })
            .openapi('SqlResult'),
        },
      },
    },
  },
});

/** POST /v1/sql: governed SQL, audited (refusals too) before the response is released. */
export function sqlArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const guard = guards.signedIn({ scope: 'sql', limits: ['rate', 'concurrency', 'timeout'] });
  app.openapi(guarded(guard, sqlRoute), async (c) => {
    const identity = c.get('identity');
    const started = performance.now();
    const base = {
      requestId: c.get('requestId'),
      route: 'POST /v1/sql',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity,
    };
    const { sql, asOf } = c.req.valid('json');
    try {
      const r = await services.governedSql(sql, securityContextOf(identity), asOf ? { asOf } : {});
      const auditId = await services.audit({
        ...base,
        type: 'data',
        outcome: 'ok',
        latencyMs: Math.round(performance.now() - started),
        detail: {
          sql: r.sqlExecuted,
          question: sql,
          rowsReturned: r.rows.length,
          relations: r.relations ?? [],
          ...(asOf ? { asOf, snapshot: r.snapshot } : {}),
        },
      });
      return c.json(
        {
          status: 'ok' as const,
          columns: r.columns,
          rows: r.rows,
          truncated: r.truncated,
          auditId,
          ...(r.snapshot === undefined ? {} : { snapshot: r.snapshot }),
        },
        200,
      );
    } catch (err) {
      const refused = isAnalystError(err) && err.exitCode === 3;
      await services.audit({
        ...base,
        type: refused ? 'refusal' : 'data',
        outcome: refused ? 'refused' : 'error',
        latencyMs: Math.round(performance.now() - started),
        detail: {
          question: sql,
          error: isAnalystError(err) ? err.code : 'INTERNAL',
          ...(asOf ? { asOf } : {}),
        },
      });
      throw err;
    }
  });
  return app;
}
