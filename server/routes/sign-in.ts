import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { createArea, guarded } from '../area.ts';
import type { Identity } from '../auth/identity.ts';
import type { ServerEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';

const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
/**
 * Headers a forwarding proxy adds. Behind a reverse proxy on the same host every caller's peer is
 * loopback, so dev sign-in would hand an admin token to anyone who reaches the proxy: any of these
 * on a request means it was forwarded, and dev sign-in is refused.
 */
const PROXY_HEADERS = [
  'Forwarded',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'X-Real-IP',
  'Via',
];

const exchangeBody = z
  .object({
    code: z.string().min(1).max(4096),
    codeVerifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code verifier'),
    redirectUri: z.string().url().max(2048),
  })
  .strict()
  .openapi('OidcCodeExchange');
const publicUserSchema = z.object({ id: z.string(), roles: z.array(z.string()) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
});

const configRoute = createRoute({
  method: 'get',
  path: '/v1/auth/config',
  tags: ['sign-in'],
  summary: 'How the web app signs in (dev or OIDC)',
  responses: json(
    z.union([
      z.object({
        mode: z.literal('oidc'),
        oidc: z.object({
          clientId: z.string().nullable(),
          authorizationEndpoint: z.string().nullable(),
          scope: z.string(),
        }),
      }),
      z.object({ mode: z.literal('dev') }),
    ]),
    'The sign-in mode and, for OIDC, what the app needs to start a sign-in',
  ),
});

const exchangeRoute = createRoute({
  method: 'post',
  path: '/v1/auth/oidc/token',
  tags: ['sign-in'],
  summary: 'OIDC authorization-code exchange with PKCE',
  request: { body: { content: { 'application/json': { schema: exchangeBody } }, required: true } },
  responses: json(
    z.object({ token: z.string(), user: publicUserSchema, expiresIn: z.number().nullable() }),
    'A token this server accepts, and who it is for',
  ),
});

const devUsersRoute = createRoute({
  method: 'get',
  path: '/v1/dev/users',
  tags: ['sign-in'],
  summary: 'Dev mode, loopback only: the users.yaml identities the app may sign in as',
  responses: json(
    z.object({
      users: z.array(z.object({ id: z.string(), name: z.string().optional(), roles: z.array(z.string()) })),
    }),
    'Users',
  ),
});

const devTokenRoute = createRoute({
  method: 'post',
  path: '/v1/dev/token',
  tags: ['sign-in'],
  summary: 'Dev mode, loopback only: a dev token for a users.yaml identity',
  request: {
    body: {
      content: {
        'application/json': { schema: z.object({ user: z.string().min(1).max(200) }).strict() },
      },
      required: true,
    },
  },
  responses: json(z.object({ token: z.string(), expiresInHours: z.number() }), 'A dev token'),
});

const meRoute = createRoute({
  method: 'get',
  path: '/v1/me',
  tags: ['sign-in'],
  summary: 'Who the caller is',
  responses: json(
    z.object({
      id: z.string(),
      roles: z.array(z.string()),
      attributes: z.record(z.string(), z.unknown()),
      method: z.string(),
    }),
    'The caller',
  ),
});

/**
 * How the web app signs in. `GET /v1/auth/config` tells it which way: OIDC (authorization code
 * with PKCE; the code is exchanged here, against the configured token endpoint, so the page's CSP
 * can stay `connect-src 'self'`) or dev mode, where `/v1/dev/*` hands out users.yaml tokens —
 * only in dev mode, only to a loopback peer that addressed the server by a loopback name (a DNS
 * rebinding page cannot), and only to same-origin callers. `GET /v1/me` says who signed in.
 */
export function authArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const auth = services.config.auth;

  app.openapi(configRoute, (c) =>
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
      200,
    ),
  );

  // Not configured is a 404 before the body is looked at.
  const oidcConfigured: MiddlewareHandler<ServerEnv> = async (_c, next) => {
    const oidc = auth.mode === 'oidc' ? auth.oidc : undefined;
    if (!oidc?.token_endpoint || !oidc.client_id)
      throw new ServerError(
        'NOT_FOUND',
        'Browser sign-in is not configured (server.auth.oidc.client_id, token_endpoint).',
      );
    await next();
  };
  app.openapi(guarded(oidcConfigured, exchangeRoute), async (c) => {
    const oidc = auth.oidc as { token_endpoint: string; client_id: string };
    const body = c.req.valid('json');
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
        return c.json(
          { token, user: publicUser(identity), expiresIn: Number(tokens.expires_in) || null },
          200,
        );
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  });

  // Dev sign-in answers only in dev mode, to a loopback peer by a loopback name, same-origin,
  // never through a proxy; checked before the body is read.
  const devOnly: MiddlewareHandler<ServerEnv> = async (c, next) => {
    if (auth.mode !== 'dev' || !services.devSignIn) throw new ServerError('NOT_FOUND', 'No such route.');
    const forwarded = PROXY_HEADERS.find((h) => c.req.header(h) !== undefined);
    if (forwarded)
      throw new ServerError(
        'FORBIDDEN',
        `Dev sign-in is refused behind a proxy (the request carries ${forwarded}): behind a reverse proxy every caller looks like loopback. Sign in with OIDC (server.auth.mode: oidc) or use 'analyst token' on the server host.`,
      );
    const peer = clientAddress(c.req.raw, c.env);
    const host = c.req.header('Host') ?? '';
    if (!peer || !LOOPBACK_PEERS.has(peer) || !LOOPBACK_HOSTS.test(host))
      throw new ServerError('FORBIDDEN', 'Dev sign-in is only offered on loopback.');
    const origin = c.req.header('Origin');
    if (origin && origin !== new URL(c.req.url).origin)
      throw new ServerError('FORBIDDEN', 'Dev sign-in is only offered to this server’s own pages.');
    if (c.req.method === 'POST' && !(c.req.header('Content-Type') ?? '').startsWith('application/json'))
      throw new ServerError('BAD_REQUEST', 'Send JSON: {"user": "<id>"}.');
    await next();
  };
  const dev = () => services.devSignIn as NonNullable<ServerServices['devSignIn']>;

  app.openapi(guarded(devOnly, devUsersRoute), async (c) => c.json({ users: await dev().users() }, 200));

  app.openapi(guarded(devOnly, devTokenRoute), async (c) => {
    const { user } = c.req.valid('json');
    const issued = await dev().issue(user);
    await services.audit({
      type: 'admin',
      requestId: c.get('requestId'),
      route: 'POST /v1/dev/token',
      clientAddress: clientAddress(c.req.raw, c.env),
      outcome: 'ok',
      detail: { action: `dev sign-in as ${user}` },
    });
    return c.json(issued, 200);
  });

  app.openapi(guarded(guards.signedIn(), meRoute), (c) => {
    const { userId, roles, attributes, method } = c.get('identity');
    return c.json({ id: userId, roles, attributes, method }, 200);
  });
  return app;
}

function publicUser(identity: Identity) {
  return { id: identity.userId, roles: identity.roles };
}
