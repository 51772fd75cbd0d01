import type { MiddlewareHandler } from 'hono';

/**
 * Security headers on every response. Scripts, styles and data only from this server (the app is
 * served air-gapped); framing only by the configured origins; HSTS when served over TLS.
 */
export function securityHeaders(options: { frameAncestors: string[]; tls: boolean }): MiddlewareHandler {
  const ancestors = options.frameAncestors.length ? options.frameAncestors.join(' ') : "'none'";
  return async function securityHeadersHandler(c, next) {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'no-store');
    // A route that sets its own policy (the embed page, framed by its token's origins) owns framing.
    const ownPolicy = c.res.headers.has('Content-Security-Policy');
    if (!ownPolicy) {
      c.header(
        'Content-Security-Policy',
        `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors ${ancestors}`,
      );
    }
    if (!options.frameAncestors.length && !ownPolicy) c.header('X-Frame-Options', 'DENY');
    if (options.tls) c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
