import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import type { Identity } from '../auth/identity.ts';
import { ServerError } from '../errors.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';
import { readBody } from './dashboard-data.ts';

const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

const exchangeBody = z
  .object({
    code: z.string().min(1).max(4096),
    codeVerifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code verifier'),
    redirectUri: z.string().url().max(2048),
  })
  .strict();

/**
 * How the web app signs in. `GET /v1/auth/config` tells it which way: OIDC (authorization code
 * with PKCE; the code is exchanged here, against the configured token endpoint, so the page's CSP
 * can stay `connect-src 'self'`) or dev mode, where `/v1/dev/*` hands out users.yaml tokens —
 * only in dev mode, only to a loopback peer that addressed the server by a loopback name (a DNS
 * rebinding page cannot), and only to same-origin callers.
 */
export function registerSignIn(app: OpenAPIHono, services: ServerServices): void {
  const auth = services.config.auth;

  app.get('/v1/auth/config', (c) =>
    c.json(
      auth.mode === 'oidc'
        ? {
            mode: 'oidc' as const,
            oidc: {
              clientId: auth.oidc?.client_id ?? null,
              authorizationEndpoint: auth.oidc?.authorization_endpoint ?? null,
              scope: 'openid profile email',
            },
          }
        : { mode: 'dev' as const },
    ),
  );

  app.post('/v1/auth/oidc/token', async (c) => {
    const oidc = auth.mode === 'oidc' ? auth.oidc : undefined;
    if (!oidc?.token_endpoint || !oidc.client_id)
      throw new ServerError(
        'NOT_FOUND',
        'Browser sign-in is not configured (server.auth.oidc.client_id, token_endpoint).',
      );
    const body = await readBody(c, exchangeBody);
    const self = new URL(c.req.url).origin;
    if (new URL(body.redirectUri).origin !== self)
      throw new ServerError('BAD_REQUEST', 'The redirect URI must be on this server.');
    const res = await fetch(oidc.token_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: body.code,
        redirect_uri: body.redirectUri,
        client_id: oidc.client_id,
        code_verifier: body.codeVerifier,
      }),
      redirect: 'error',
      signal: AbortSignal.timeout(15_000),
    }).catch((cause: unknown) => {
      throw new ServerError('AUTH_INVALID', 'The identity provider could not be reached.', { cause });
    });
    const tokens = (await res.json().catch(() => ({}))) as {
      access_token?: unknown;
      id_token?: unknown;
      expires_in?: unknown;
    };
    if (!res.ok) throw new ServerError('AUTH_INVALID', 'The identity provider refused the sign-in code.');
    // Hand back whichever token this server accepts (access token first), checked here so the
    // app learns at once when the IdP's tokens do not fit the configured audience.
    let lastError: unknown = new ServerError('AUTH_INVALID', 'The identity provider returned no token.');
    for (const token of [tokens.access_token, tokens.id_token]) {
      if (typeof token !== 'string') continue;
      try {
        const identity = await services.authenticator.authenticate(`Bearer ${token}`);
        return c.json({ token, user: publicUser(identity), expiresIn: Number(tokens.expires_in) || null });
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  });

  const devOnly = (c: Context) => {
    if (auth.mode !== 'dev' || !services.devSignIn) throw new ServerError('NOT_FOUND', 'No such route.');
    const peer = clientAddress(c.req.raw, c.env);
    const host = c.req.header('Host') ?? '';
    if (!peer || !LOOPBACK_PEERS.has(peer) || !LOOPBACK_HOSTS.test(host))
      throw new ServerError('FORBIDDEN', 'Dev sign-in is only offered on loopback.');
    const origin = c.req.header('Origin');
    if (origin && origin !== new URL(c.req.url).origin)
      throw new ServerError('FORBIDDEN', 'Dev sign-in is only offered to this server’s own pages.');
    return services.devSignIn;
  };

  app.get('/v1/dev/users', async (c) => c.json({ users: await devOnly(c).users() }));

  app.post('/v1/dev/token', async (c) => {
    const dev = devOnly(c);
    if (!(c.req.header('Content-Type') ?? '').startsWith('application/json'))
      throw new ServerError('BAD_REQUEST', 'Send JSON: {"user": "<id>"}.');
    const { user } = await readBody(c, z.object({ user: z.string().min(1).max(200) }).strict());
    const issued = await dev.issue(user);
    await services.audit({
      type: 'admin',
      requestId: c.get('requestId'),
      route: 'POST /v1/dev/token',
      clientAddress: clientAddress(c.req.raw, c.env),
      outcome: 'ok',
      detail: { action: `dev sign-in as ${user}` },
    });
    return c.json(issued);
  });
}

function publicUser(identity: Identity) {
  return { id: identity.userId, roles: identity.roles };
}
