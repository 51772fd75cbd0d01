import type { Context, MiddlewareHandler } from 'hono';
import { type EmbedClaims, type EmbedTokens, embedIdentity } from '../auth/embed-tokens.ts';
import type { EmbedEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { AuditEvent } from '../services.ts';
import { auditAuthFailure } from './authenticate.ts';

/**
 * Every embed request checks its token first, before any lookup: signature and expiry (401),
 * then scope — the dashboard in the path must be the token's (403), and a browser-sent Origin
 * must be this server or one of the token's allowed origins (403). The viewer becomes the
 * request's identity, so row policies apply to them. The token comes as a bearer header, or as
 * `?token=` on the embed page itself (an iframe's first load cannot send headers).
 */
export function embedAuth(options: {
  tokens: EmbedTokens;
  audit: (e: AuditEvent) => Promise<unknown>;
  from: 'header' | 'query';
}): MiddlewareHandler<EmbedEnv> {
  return async function embedAuthHandler(c, next) {
    let claims: EmbedClaims;
    try {
      const raw = options.from === 'query' ? c.req.query('token') : bearer(c.req.header('Authorization'));
      claims = await options.tokens.verify(raw);
      checkScope(c, claims);
    } catch (err) {
      await auditAuthFailure(c, options.audit, err, { action: 'embed' });
      throw err;
    }
    c.set('embed', claims);
    c.set('identity', embedIdentity(claims));
    await next();
  };
}

function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) throw new ServerError('AUTH_INVALID', 'The Authorization header is not a bearer token.');
  return m[1];
}

function checkScope(c: Context<EmbedEnv>, claims: EmbedClaims): void {
  const id = c.req.param('id');
  if (id !== claims.dashboardId)
    throw new ServerError('FORBIDDEN', 'This embed token is for another dashboard.');
  const self = new URL(c.req.url).origin;
  // Browsers send Origin on cross-origin requests (and on same-origin POSTs); the embed's own
  // requests come from this server's origin. Anything else is a page the token was not issued for.
  const origin = c.req.header('Origin');
  if (origin && origin !== self && !claims.origins.includes(origin))
    throw new ServerError('FORBIDDEN', 'This embed token is not valid for the requesting origin.');
  // The iframe's first load carries the host page's origin as Referer (unless the host hides it).
  const referer = c.req.header('Referer');
  if (referer) {
    let from: string | null = null;
    try {
      from = new URL(referer).origin;
    } catch {}
    if (from !== self && (from === null || !claims.origins.includes(from)))
      throw new ServerError('FORBIDDEN', 'This embed token is not valid for the page embedding it.');
  }
}
