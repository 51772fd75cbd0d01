import './context.ts';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { timeout } from 'hono/timeout';
import type { Logger } from 'pino';
import { ServerError, toClientError } from './errors.ts';
import { authenticate } from './middleware/authenticate.ts';
import { concurrencyCap, rateLimit } from './middleware/limits.ts';
import { requestId } from './middleware/request-id.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { registerAudit } from './routes/audit.ts';
import { registerChat } from './routes/chat.ts';
import { registerConnectorAdmin } from './routes/connectors.ts';
import { registerCube } from './routes/cube.ts';
import { registerDashboards } from './routes/dashboards.ts';
import { registerEmbed } from './routes/embed.ts';
import { registerHealth } from './routes/health.ts';
import { registerPlainRouteDocs } from './routes/openapi-extra.ts';
import { registerSignIn } from './routes/sign-in.ts';
import { registerSql } from './routes/sql.ts';
import { registerWeb } from './routes/web.ts';
import type { ServerServices } from './services.ts';

/**
 * The HTTP API. Every route but health and the OpenAPI document is authenticated; data routes
 * are rate-limited per identity and capped in concurrency; errors are shaped in one place.
 *
 * @example const app = createApp(services, { logger }); const res = await app.request('/healthz');
 */
export function createApp(services: ServerServices, options: { logger?: Logger; tls?: boolean } = {}) {
  const { config } = services;
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new ServerError(
          'BAD_REQUEST',
          `Invalid request: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
        );
      }
    },
  });
  const audit = (e: Parameters<ServerServices['audit']>[0]) => services.audit(e);

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

  const authed = (scope: string) => authenticate({ authenticator: services.authenticator, audit, scope });
  const limited = rateLimit({ perMinute: config.limits.requests_per_minute });
  const capped = concurrencyCap({ max: config.limits.concurrent_queries });
  const timed = timeout(
    config.limits.request_timeout_ms,
    () => new ServerError('TIMEOUT', 'The request took too long.') as never,
  );

  app.use('/v1/chat', authed('chat'), limited);
  app.use('/v1/conversations/*', authed('chat'), limited);
  app.use('/v1/sql', authed('sql'), limited);
  app.use('/v1/sql', capped, timed);
  app.use('/v1/chat', capped);
  app.use(
    '/cubejs-api/*',
    authenticate({ authenticator: services.authenticator, audit, bare: true, scope: 'query' }),
    limited,
    capped,
    timed,
  );

  app.use('/v1/dashboards', authed('query'), limited);
  app.use('/v1/dashboards/*', authed('query'), limited, capped, timed);
  app.use('/v1/me', authenticate({ authenticator: services.authenticator, audit }));

  registerHealth(app, services);
  registerWeb(app);
  registerSignIn(app, services);
  registerDashboards(app, services);
  registerEmbed(app, services, { audit, limits: [limited, capped, timed] });
  app.get('/v1/me', (c) => {
    const { userId, roles, attributes, method } = c.get('identity');
    return c.json({ id: userId, roles, attributes, method });
  });
  registerChat(app, services);
  registerSql(app, services);
  registerCube(app, services);
  app.use(
    '/v1/audit',
    authenticate({ authenticator: services.authenticator, audit, roles: ['auditor'], scope: 'audit' }),
    limited,
  );
  app.use(
    '/v1/audit/*',
    authenticate({ authenticator: services.authenticator, audit, roles: ['auditor'], scope: 'audit' }),
    limited,
  );
  app.use(
    '/v1/compliance',
    authenticate({
      authenticator: services.authenticator,
      audit,
      roles: ['auditor', 'admin'],
      scope: 'audit',
    }),
    limited,
  );
  registerAudit(app, services);
  app.use(
    '/v1/admin/*',
    authenticate({
      authenticator: services.authenticator,
      audit,
      roles: ['admin'],
      scope: 'admin',
      scopeSuffices: true,
    }),
    limited,
  );
  registerConnectorAdmin(app, services);

  registerPlainRouteDocs(app);
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
        { requestId: c.get('requestId'), code, err: err instanceof Error ? err.name : 'unknown' },
        'request failed',
      );
    // The framed embed page answers in HTML (a JSON body in an iframe helps nobody). The page may
    // be framed anywhere: it holds nothing but this message.
    if (c.req.path.startsWith('/embed/')) {
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; frame-ancestors *");
      return c.html(embedErrorPage(status, code, message), status as 500);
    }
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
