import type { Context, MiddlewareHandler } from 'hono';
import { isAnalystError } from '../../core/index.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import type { AuditEvent } from '../services.ts';

/**
 * Authenticate every request under it; failures are audited and answered 401 with a code.
 * `roles` / `scope` restrict a route further (admin, auditor): an API key always needs `scope`, and
 * `roles` too unless `scopeSuffices`; `bare` accepts Cube's header form.
 */
export function authenticate(options: {
  authenticator: Authenticator;
  audit: (e: AuditEvent) => Promise<unknown>;
  roles?: string[];
  scope?: string;
  bare?: boolean;
  /** An API key holding `scope` passes without `roles` (admin keys for automation). */
  scopeSuffices?: boolean;
}): MiddlewareHandler<SignedInEnv> {
  return async function authenticateHandler(c, next) {
    let identity: Awaited<ReturnType<Authenticator['authenticate']>>;
    try {
      identity = await options.authenticator.authenticate(c.req.header('Authorization'), {
        bare: options.bare,
      });
    } catch (err) {
      await auditAuthFailure(c, options.audit, err);
      throw err;
    }
    c.set('identity', identity);
    if (options.scope && identity.method === 'apikey' && !identity.scopes?.includes(options.scope)) {
      throw new ServerError('FORBIDDEN', `This API key lacks the "${options.scope}" scope.`);
    }
    const byKeyScope = options.scopeSuffices && identity.method === 'apikey';
    if (options.roles && !byKeyScope && !identity.roles.some((r) => options.roles?.includes(r))) {
      throw new ServerError('FORBIDDEN', `This route needs the ${options.roles.join(' or ')} role.`);
    }
    await next();
  };
}

/**
 * Record a refused credential (before the 401 is sent): the code only, never the token.
 *
 * @example catch (err) { await auditAuthFailure(c, audit, err, { action: 'embed' }); throw err; }
 */
export function auditAuthFailure(
  c: Pick<Context<ServerEnv>, 'req' | 'env'> & { var: { requestId: string } },
  audit: (e: AuditEvent) => Promise<unknown>,
  err: unknown,
  detail: Record<string, unknown> = {},
): Promise<unknown> {
  return audit({
    type: 'auth_failure',
    requestId: c.var.requestId,
    route: `${c.req.method} ${c.req.path}`,
    clientAddress: clientAddress(c.req.raw, c.env),
    outcome: 'refused',
    detail: { code: isAnalystError(err) ? err.code : 'AUTH_INVALID', ...detail },
  });
}

/** The peer address from @hono/node-server's incoming request (no proxy headers are trusted). */
export function clientAddress(_req: Request, env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
