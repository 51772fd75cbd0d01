import type { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { ServerError } from '../errors.ts';
import { loadOrCreateEd25519Key, tokenFailure } from './ed25519-key.ts';
import type { Identity } from './identity.ts';

const FILE = 'embed-signing.jwk';
const ISSUER = 'analyst-embed';
const AUDIENCE = 'analyst-embed';
/** Embed tokens live minutes, not hours: a leaked one is useless soon. */
export const EMBED_TTL_DEFAULT_S = 600;
export const EMBED_TTL_MAX_S = 3600;
/** Roles an embedded viewer may never carry: embedding shows governed data, it does not administer. */
const FORBIDDEN_ROLES = new Set(['admin', 'auditor']);

/** What an embed token grants: one dashboard, to one viewer, framed by these origins only. */
export interface EmbedGrant {
  dashboardId: string;
  viewer: { id: string; roles: string[]; attributes: Record<string, unknown> };
  origins: string[];
}

/** A verified embed token. */
export interface EmbedClaims extends EmbedGrant {
  tokenId: string;
  issuedBy: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * An origin as it may appear in a `frame-ancestors` directive: scheme, host and optional port,
 * nothing else (so it cannot inject into the header). HTTPS, or HTTP on loopback for development.
 */
export function isEmbedOrigin(origin: string): boolean {
  const m =
    /^(https?):\/\/(\[::1\]|[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*)(?::(\d{1,5}))?$/.exec(
      origin,
    );
  if (!m) return false;
  if (m[3] && Number(m[3]) > 65535) return false;
  return m[1] === 'https' || ['localhost', '127.0.0.1', '[::1]'].includes(m[2] as string);
}

/**
 * Signs and verifies embed tokens: EdDSA JWTs under a workspace key (`keys/embed-signing.jwk`,
 * created on first use, mode 0600), bound to a dashboard, a viewer and allowed origins.
 *
 * @example
 * const tokens = await EmbedTokens.open('/ws/keys');
 * const { token } = await tokens.issue({ dashboardId: 'synthea', viewer, origins: ['https://app.example.org'] }, 'admin');
 */
export class EmbedTokens {
  private constructor(
    private readonly privateKey: webcrypto.CryptoKey,
    private readonly publicKey: webcrypto.CryptoKey,
    private readonly kid: string,
    private readonly now: () => number,
  ) {}

  static async open(keysDir: string, options: { now?: () => number } = {}): Promise<EmbedTokens> {
    const key = await loadOrCreateEd25519Key(join(keysDir, FILE), 'embed');
    return new EmbedTokens(key.privateKey, key.publicKey, key.kid, options.now ?? Date.now);
  }

  /** A signed token for `grant`, valid `ttlSeconds` (default 10 minutes, at most an hour). */
  async issue(
    grant: EmbedGrant,
    issuedBy: string,
    ttlSeconds = EMBED_TTL_DEFAULT_S,
  ): Promise<{ token: string; expiresAt: string }> {
    if (!(ttlSeconds > 0 && ttlSeconds <= EMBED_TTL_MAX_S))
      throw new ServerError('BAD_REQUEST', `ttlSeconds must be between 1 and ${EMBED_TTL_MAX_S}.`);
    const bad = grant.origins.filter((o) => !isEmbedOrigin(o));
    if (!grant.origins.length || bad.length)
      throw new ServerError(
        'BAD_REQUEST',
        'allowedOrigins must list origins such as https://app.example.org (http only for localhost).',
      );
    const privileged = grant.viewer.roles.filter((r) => FORBIDDEN_ROLES.has(r));
    if (privileged.length)
      throw new ServerError(
        'BAD_REQUEST',
        `An embedded viewer cannot hold the ${privileged.join(', ')} role.`,
      );
    const now = Math.floor(this.now() / 1000);
    const exp = now + Math.floor(ttlSeconds);
    const token = await new SignJWT({
      dsh: grant.dashboardId,
      roles: grant.viewer.roles,
      attributes: grant.viewer.attributes,
      origins: grant.origins,
      by: issuedBy,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: 'embed+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(grant.viewer.id)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(exp)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The grant a token carries, or 401 (expired, tampered, not an embed token). */
  async verify(token: string | undefined): Promise<EmbedClaims> {
    if (!token) throw new ServerError('AUTH_MISSING', 'This embed needs a token.');
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['EdDSA'],
        typ: 'embed+jwt',
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'dsh'],
        currentDate: new Date(this.now()),
      });
      const strings = (v: unknown) =>
        Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      return {
        dashboardId: String(payload.dsh),
        viewer: {
          id: String(payload.sub),
          roles: strings(payload.roles).filter((r) => !FORBIDDEN_ROLES.has(r)),
          attributes: (payload.attributes as Record<string, unknown>) ?? {},
        },
        origins: strings(payload.origins).filter(isEmbedOrigin),
        tokenId: String(payload.jti),
        issuedBy: String(payload.by ?? ''),
        issuedAt: Number(payload.iat),
        expiresAt: Number(payload.exp),
      };
    } catch (err) {
      const { kind } = tokenFailure(err);
      if (kind === 'expired')
        throw new ServerError('AUTH_EXPIRED', 'This embed link has expired; reload the page that shows it.');
      if (kind === 'signature')
        throw new ServerError('AUTH_SIGNATURE', 'The embed token signature is not valid.');
      if (kind === 'not_yet_valid')
        throw new ServerError('AUTH_NOT_YET_VALID', 'The embed token is not valid yet.');
      throw new ServerError('AUTH_INVALID', 'The embed token is not valid.');
    }
  }
}

/** The identity an embed request runs as: the token's viewer, so row policies apply to them. */
export function embedIdentity(claims: EmbedClaims): Identity {
  return {
    userId: `embed:${claims.viewer.id}`,
    roles: claims.viewer.roles,
    attributes: claims.viewer.attributes,
    method: 'embed',
    sessionId: claims.tokenId,
    issuedAt: claims.issuedAt,
  };
}
