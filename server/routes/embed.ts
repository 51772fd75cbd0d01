import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { idSchema } from '../../dashboards/index.ts';
import { EMBED_TTL_DEFAULT_S, EMBED_TTL_MAX_S, type EmbedTokens } from '../auth/embed-tokens.ts';
import { ServerError } from '../errors.ts';
import { authenticate, clientAddress } from '../middleware/authenticate.ts';
import { embedAuth } from '../middleware/embed-auth.ts';
import type { AuditEvent, ServerServices } from '../services.ts';
import { readBody, registerDashboardData } from './dashboard-data.ts';

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
  .strict();

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
export function registerEmbed(
  app: OpenAPIHono,
  services: ServerServices,
  options: { audit: (e: AuditEvent) => Promise<unknown>; limits: MiddlewareHandler[] },
): void {
  const { audit, limits } = options;
  const tokens = services.embedTokens;
  if (!tokens) return;

  app.use('/v1/embed-tokens', authenticate({ authenticator: services.authenticator, audit }), ...limits);
  app.post('/v1/embed-tokens', async (c) => {
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
    const body = await readBody(c, tokenBody);
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    await services.dashboards.get(body.dashboardId);
    const issued = await (tokens as EmbedTokens).issue(
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
  app.use('/embed/dashboards/:id', embedAuth({ tokens, audit, from: 'query' }), ...limits);
  app.get('/embed/dashboards/:id', async (c) => {
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    const dashboard = await services.dashboards.get(c.req.param('id'));
    const page = embedPage(dashboard.title, c.get('embed').origins);
    c.header('Content-Security-Policy', page.csp);
    return c.html(page.html);
  });

  app.use('/v1/embed/dashboards/:id', embedAuth({ tokens, audit, from: 'header' }), ...limits);
  app.use('/v1/embed/dashboards/:id/*', embedAuth({ tokens, audit, from: 'header' }), ...limits);
  registerDashboardData(app, services, '/v1/embed/dashboards');
}
