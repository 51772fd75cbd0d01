import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { every } from 'hono/combine';
import { idSchema } from '../../dashboards/index.ts';
import { available, createArea, guarded } from '../area.ts';
import { EMBED_TTL_DEFAULT_S, EMBED_TTL_MAX_S } from '../auth/embed-tokens.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';
import { addDashboardData, type DashboardDataEnv } from './dashboard-data.ts';

const tokenBody = z
  .object({
    dashboardId: idSchema,
    viewer: z
      .object({
        id: z.string().min(1).max(200),
        roles: z.array(z.string().min(1).max(64)).max(20).default([]),
        attributes: z
          .record(
            z.string().max(64),
            z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.string().max(500)).max(100)]),
          )
          .default({}),
      })
      .strict(),
    allowedOrigins: z.array(z.string().max(300)).min(1).max(20),
    ttlSeconds: z.number().int().min(1).max(EMBED_TTL_MAX_S).default(EMBED_TTL_DEFAULT_S),
  })
  .strict()
  .openapi('EmbedTokenRequest');

const tokenRoute = createRoute({
  method: 'post',
  path: '/v1/embed-tokens',
  tags: ['embedding'],
  summary:
    'A short-lived token for one dashboard, viewer and origins (admin, or an API key with the embed scope)',
  request: { body: { content: { 'application/json': { schema: tokenBody } }, required: true } },
  responses: {
    201: {
      description: 'The token, when it expires, and the page to frame',
      content: {
        'application/json': {
          schema: z
            .object({ token: z.string(), expiresAt: z.string(), url: z.string() })
            .openapi('EmbedToken'),
        },
      },
    },
  },
});

const pageRoute = createRoute({
  method: 'get',
  path: '/embed/dashboards/{id}',
  tags: ['embedding'],
  summary:
    'The embeddable dashboard page; it checks its own token (?token=…), framed only by the token’s origins',
  request: {
    params: z.object({ id: z.string() }),
    query: z.object({ token: z.string().optional() }),
  },
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: z.string() } } },
  },
});

/** What the embed page loads; everything else comes from its script. */
function embedPage(title: string, origins: string[]): { html: string; csp: string } {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return {
    html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/app/app.css">
<script type="module" src="/app/embed.js"></script>
</head>
<body class="embedded">
<main id="embed-root" aria-live="polite"><p class="state loading">Loading dashboard…</p></main>
</body>
</html>
`,
    // Framing by the token's origins only; the rest as strict as the app's.
    csp: `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors ${origins.join(' ')}`,
  };
}

/**
 * Embedding: `POST /v1/embed-tokens` (an admin, or a service key with the `embed` scope) issues a
 * short-lived token for one dashboard, one viewer and the origins that may frame it;
 * `/embed/dashboards/:id?token=…` is the framed page, and `/v1/embed/dashboards/:id/…` the data it
 * loads — each request checks the token again before anything else.
 */
export function embedArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();

  // Who may issue: checked before the body is read (by the slot limit after it).
  const issuer = every(
    guards.signedIn({ limits: ['rate'] }),
    async (c: Context<SignedInEnv>, next: Next) => {
      const identity = c.get('identity');
      const allowed =
        identity.method === 'apikey'
          ? Boolean(identity.scopes?.includes('embed'))
          : identity.roles.includes('admin');
      if (!allowed)
        throw new ServerError(
          'FORBIDDEN',
          'Issuing embed tokens needs the admin role or an API key with the embed scope.',
        );
      await next();
    },
    guards.limits('concurrency', 'timeout'),
  ) as MiddlewareHandler<SignedInEnv>;

  app.openapi(guarded(issuer, tokenRoute), async (c) => {
    const identity = c.get('identity');
    const body = c.req.valid('json');
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    await services.dashboards.get(body.dashboardId);
    const issued = await available(services.embedTokens, 'Embedding').issue(
      { dashboardId: body.dashboardId, viewer: body.viewer, origins: body.allowedOrigins },
      identity.userId,
      body.ttlSeconds,
    );
    await services.audit({
      type: 'admin',
      requestId: c.get('requestId'),
      route: 'POST /v1/embed-tokens',
      clientAddress: clientAddress(c.req.raw, c.env),
      identity,
      outcome: 'ok',
      detail: {
        action: `embed token for dashboard ${body.dashboardId}, viewer ${body.viewer.id}, origins ${body.allowedOrigins.join(' ')}, ${body.ttlSeconds} s`,
      },
    });
    return c.json({ ...issued, url: `/embed/dashboards/${body.dashboardId}` }, 201);
  });

  // The page itself: token first (from the query; an iframe cannot send headers), then the id.
  app.openapi(guarded(guards.embed('query'), pageRoute), async (c) => {
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    const dashboard = await services.dashboards.get(c.req.valid('param').id);
    const page = embedPage(dashboard.title, c.get('embed').origins);
    c.header('Content-Security-Policy', page.csp);
    return c.html(page.html, 200);
  });

  addDashboardData(app, services, {
    prefix: '/v1/embed/dashboards',
    guard: guards.embed('header') as MiddlewareHandler<DashboardDataEnv>,
  });
  return app;
}
