import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { invalidRequest } from './area.ts';
import type { ServerEnv } from './context.ts';
import { ServerError, toClientError } from './errors.ts';
import { createGuards, type SharedLimits } from './guards.ts';
import { mcpArea } from './mcp/index.ts';
import { requestId } from './middleware/request-id.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { auditArea } from './routes/audit.ts';
import { breakGlassArea } from './routes/break-glass.ts';
import { chatArea } from './routes/chat.ts';
import { complianceArea } from './routes/compliance.ts';
import { connectorsArea } from './routes/connectors.ts';
import { cubeArea } from './routes/cube.ts';
import { dashboardsArea } from './routes/dashboards.ts';
import { embedArea } from './routes/embed.ts';
import { feedbackArea } from './routes/feedback.ts';
import { healthArea } from './routes/health.ts';
import { lakeArea } from './routes/lake.ts';
import { authArea } from './routes/sign-in.ts';
import { sqlArea } from './routes/sql.ts';
import { verifiedQueriesArea } from './routes/verified-queries.ts';
import { webArea } from './routes/web.ts';
import type { ServerServices } from './services.ts';

/**
 * The HTTP API: one sub-app per area, each building its routes with their guards (authentication,
 * roles and scopes, limits), mounted here. Public are only health, readiness, the OpenAPI
 * document, the web app's files and sign-in; the embed page checks its own token. Errors are
 * shaped in one place.
 *
 * @example const app = createApp(services, { logger }); const res = await app.request('/healthz');
 */
export function createApp(
  services: ServerServices,
  options: { logger?: Logger; tls?: boolean; limits?: SharedLimits } = {},
) {
  const { config } = services;
  const app = new OpenAPIHono<ServerEnv>({ defaultHook: invalidRequest as never });

  app.use('*', requestId());
  app.use('*', securityHeaders({ frameAncestors: config.frame_ancestors, tls: Boolean(options.tls) }));
  app.use(
    '*',
    bodyLimit({
      maxSize: config.limits.body_bytes,
      onError: () => {
        throw new ServerError(
          'BODY_TOO_LARGE',
          `The request body is larger than ${config.limits.body_bytes} bytes.`,
        );
      },
    }),
  );
  app.use('*', async (c, next) => {
    const t = performance.now();
    await next();
    options.logger?.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round(performance.now() - t),
      },
      'request',
    );
  });

  const guards = createGuards(services, options.limits);
  app.route('/', healthArea(services));
  app.route('/', webArea());
  app.route('/', authArea(services, guards));
  app.route('/', chatArea(services, guards));
  app.route('/', sqlArea(services, guards));
  app.route('/', cubeArea(services, guards));
  app.route('/', dashboardsArea(services, guards));
  app.route('/', embedArea(services, guards));
  app.route('/', auditArea(services, guards));
  app.route('/', complianceArea(services, guards));
  app.route('/', lakeArea(services, guards));
  app.route('/', connectorsArea(services, guards));
  app.route('/', breakGlassArea(services, guards));
  app.route('/', verifiedQueriesArea(services, guards));
  app.route('/', feedbackArea(services, guards));
  app.route('/', mcpArea(services, guards));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Private Analyst API',
      version: '0.1.0',
      description: 'Governed answers over your own healthcare data.',
    },
  });
  app.notFound(() => {
    throw new ServerError('NOT_FOUND', 'No such route.');
  });
  app.onError((err, c) => {
    const { status, code, message } = toClientError(err);
    if (status >= 500)
      options.logger?.error(
        {
          requestId: c.get('requestId'),
          code,
          err: err instanceof Error ? err.name : 'unknown',
          // Where it was thrown (code locations only: a message may hold data values, a frame not).
          at: err instanceof Error ? codeFrames(err.stack) : [],
        },
        'request failed',
      );
    // The framed embed page answers in HTML (a JSON body in an iframe helps nobody). The page may
    // be framed anywhere: it holds nothing but this message.
    if (c.req.path.startsWith('/embed/')) {
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; frame-ancestors *");
      return c.html(embedErrorPage(status, code, message), status as 500);
    }
    // Cube's REST API answers errors as {"error": "<message>"}; Cube's client reads that string.
    if (c.req.path.startsWith('/cubejs-api/'))
      return c.json({ error: message, code, requestId: c.get('requestId') }, status as 500);
    return c.json({ error: { code, message, requestId: c.get('requestId') } }, status as 500);
  });
  return app;
}

function embedErrorPage(status: number, code: string, message: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const title = status === 401 ? 'This dashboard link is no longer valid' : 'This dashboard cannot be shown';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><link rel="stylesheet" href="/app/app.css"></head>
<body class="embedded"><main class="embed-error" role="alert"><h1>${esc(title)}</h1><p>${esc(message)}</p><p class="muted">Code ${esc(code)}</p></main></body></html>
`;
}

/** The first code locations of a stack (`function (file:line:col)` lines), without the message. */
export function codeFrames(stack: string | undefined): string[] {
  return (stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 3)
    .map((line) => line.trim().slice(3, 200));
}
