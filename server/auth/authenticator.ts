import type { webcrypto } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { ServerConfig } from '../../workspace/index.ts';
import { ServerError } from '../errors.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { DEV_AUDIENCE, DEV_ISSUER } from './dev-keys.ts';
import { tokenFailure } from './ed25519-key.ts';
import type { Identity } from './identity.ts';
import { SessionTracker } from './sessions.ts';

type AuthConfig = ServerConfig['auth'];

/** What the authenticator needs: its config, the key store, and (dev mode) the local public key. */
export interface AuthenticatorOptions {
  config: AuthConfig;
  apiKeys: ApiKeyStore;
  devPublicKey?: webcrypto.CryptoKey;
  /** For tests and air-gapped IdPs: the JWKS itself instead of fetching it from the issuer. */
  jwks?: { keys: unknown[] };
  /** Roles a person holds for now on top of their token's (break-glass grants); not for API keys. */
  grantedRoles?: (userId: string) => Promise<string[]>;
  now?: () => number;
}

/**
 * Turns an Authorization header into an Identity, or a 401 with a precise code: bearer JWTs
 * (OIDC, verified against the issuer's JWKS with issuer, audience, expiry, not-before and an
 * algorithm allowlist; never `none`), dev tokens in dev mode, and service API keys. Enforces MFA
 * through `amr` when required, the idle timeout and the maximum session age.
 */
export class Authenticator {
  readonly #sessions: SessionTracker;
  readonly #getKey: JWTVerifyGetKey | webcrypto.CryptoKey | undefined;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #algorithms: string[];

  constructor(private readonly options: AuthenticatorOptions) {
    const { config } = options;
    this.#sessions = new SessionTracker(config.idle_timeout_minutes * 60_000, options.now);
    if (config.mode === 'oidc') {
      const oidc = config.oidc;
      if (!oidc)
        throw new ServerError(
          'BAD_REQUEST',
          'server.auth.mode is oidc but server.auth.oidc is not configured.',
        );
      this.#issuer = oidc.issuer;
      this.#audience = oidc.audience;
      this.#algorithms = oidc.algorithms;
      this.#getKey = options.jwks
        ? createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0])
        : createRemoteJWKSet(
            new URL(oidc.jwks_url ?? `${oidc.issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
          );
    } else {
      this.#issuer = DEV_ISSUER;
      this.#audience = DEV_AUDIENCE;
      this.#algorithms = ['EdDSA'];
      this.#getKey = options.devPublicKey;
    }
  }

  /** Authenticate a request's Authorization header. `bare` accepts a token without "Bearer " (Cube's client). */
  async authenticate(header: string | undefined, options: { bare?: boolean } = {}): Promise<Identity> {
    if (!header)
      throw new ServerError(
        'AUTH_MISSING',
        'Authentication is required: send Authorization: Bearer <token>.',
      );
    let token: string | undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (m) token = m[1];
    else if (options.bare && /^\S+$/.test(header.trim())) token = header.trim();
    if (!token) throw new ServerError('AUTH_INVALID', 'The Authorization header is not a bearer token.');
    const identity = token.startsWith('ak_')
      ? await this.options.apiKeys.verify(token)
      : await this.#verifyJwt(token);
    if (identity.method === 'apikey') return identity;
    this.#checkSession(identity);
    const granted = this.options.grantedRoles ? await this.options.grantedRoles(identity.userId) : [];
    return granted.length ? { ...identity, roles: [...new Set([...identity.roles, ...granted])] } : identity;
  }

  async #verifyJwt(token: string): Promise<Identity> {
    if (!this.#getKey) throw new ServerError('AUTH_INVALID', 'No token verification key is configured.');
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, this.#getKey as JWTVerifyGetKey, {
        issuer: this.#issuer,
        audience: this.#audience,
        algorithms: this.#algorithms,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: this.options.now ? new Date(this.options.now()) : undefined,
      });
      payload = verified.payload;
    } catch (err) {
      throw mapJoseError(err);
    }
    const config = this.options.config;
    if (config.require_mfa) {
      const amr = Array.isArray(payload.amr) ? (payload.amr as string[]) : [];
      if (!amr.some((m) => ['mfa', 'otp', 'hwk', 'swk', 'sms', 'fpt', 'face'].includes(m))) {
        throw new ServerError(
          'AUTH_MFA_REQUIRED',
          'This server requires multi-factor sign-in; sign in again with MFA.',
        );
      }
    }
    const { roles, attributes } = this.#claims(payload);
    return {
      userId: String(payload.sub),
      roles,
      attributes,
      method: config.mode === 'oidc' ? 'oidc' : 'dev',
      sessionId: String(payload.sid ?? payload.jti ?? `${payload.sub}:${payload.iat}`),
      issuedAt: Number(payload.iat),
    };
  }

  #claims(payload: JWTPayload): { roles: string[]; attributes: Record<string, unknown> } {
    const config = this.options.config;
    if (config.mode === 'dev') {
      return {
        roles: Array.isArray(payload.roles) ? (payload.roles as string[]).map(String) : [],
        attributes: (payload.attributes as Record<string, unknown>) ?? {},
      };
    }
    const oidc = config.oidc!;
    const rawRoles = readPath(payload, oidc.roles_claim);
    const roles = Array.isArray(rawRoles)
      ? rawRoles.map(String)
      : typeof rawRoles === 'string'
        ? rawRoles.split(/[ ,]+/).filter(Boolean)
        : [];
    const attributes: Record<string, unknown> = {};
    for (const [attr, claim] of Object.entries(oidc.attribute_claims)) {
      const v = readPath(payload, claim);
      if (v !== undefined) attributes[attr] = v;
    }
    return { roles, attributes };
  }

  #checkSession(identity: Identity): void {
    const now = this.options.now?.() ?? Date.now();
    const maxAgeMs = this.options.config.max_session_hours * 3_600_000;
    if (now - identity.issuedAt * 1000 > maxAgeMs) {
      throw new ServerError(
        'SESSION_TOO_OLD',
        'The session is older than the maximum session age; sign in again.',
      );
    }
    if (!this.#sessions.touch(identity.sessionId)) {
      throw new ServerError(
        'SESSION_IDLE',
        'The session was idle too long and has been logged off; sign in again.',
      );
    }
  }
}

function readPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function mapJoseError(err: unknown): ServerError {
  const failure = tokenFailure(err);
  switch (failure.kind) {
    case 'expired':
      return new ServerError('AUTH_EXPIRED', 'The token has expired; sign in again.');
    case 'not_yet_valid':
      return new ServerError('AUTH_NOT_YET_VALID', 'The token is not valid yet (nbf).');
    case 'issuer':
      return new ServerError('AUTH_ISSUER', 'The token was issued by an issuer this server does not trust.');
    case 'audience':
      return new ServerError('AUTH_AUDIENCE', 'The token is not meant for this server (audience).');
    case 'claim':
      return new ServerError('AUTH_INVALID', `The token's ${failure.claim} claim is not acceptable.`);
    case 'algorithm':
      return new ServerError(
        'AUTH_ALGORITHM',
        'The token is signed with an algorithm this server does not accept.',
      );
    case 'signature':
      return new ServerError('AUTH_SIGNATURE', 'The token signature is not valid.');
    case 'unknown_key':
      return new ServerError('AUTH_SIGNATURE', 'The token was signed by a key this server does not know.');
    default:
      return new ServerError('AUTH_INVALID', 'The token is not a valid signed JWT.');
  }
}
