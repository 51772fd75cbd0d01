import type { webcrypto } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** A workspace signing key: both halves, and the id tokens name it by. */
export interface Ed25519Key {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
  kid: string;
}

/**
 * The Ed25519 key in `path` (a private JWK), created on first use with mode 0600. The file is
 * written with `wx`: two processes starting at once keep whichever key was written first, and
 * the loser reads the winner's. The dev-token key and the embed-token key are both kept so.
 *
 * @example const { privateKey, kid } = await loadOrCreateEd25519Key('/ws/keys/embed-signing.jwk', 'embed');
 */
export async function loadOrCreateEd25519Key(path: string, kidPrefix: string): Promise<Ed25519Key> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    jwk = { ...(await exportJWK(privateKey)), kid: `${kidPrefix}-${Date.now().toString(36)}`, alg: 'EdDSA' };
    await writeFile(path, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' }).catch(async () => {
      jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
    });
  }
  const { d: _d, ...pub } = jwk;
  return {
    privateKey: (await importJWK(jwk, 'EdDSA')) as webcrypto.CryptoKey,
    publicKey: (await importJWK(pub, 'EdDSA')) as webcrypto.CryptoKey,
    kid: String(jwk.kid),
  };
}

/** Why jose refused a token, from its error `code` (jose's errors carry one; we branch on it). */
export type TokenFailure =
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claim'
  | 'algorithm'
  | 'signature'
  | 'unknown_key'
  | 'invalid';

/**
 * The kind of a token verification failure, so each verifier words its own 401 without repeating
 * jose's error taxonomy.
 *
 * @example if (tokenFailure(err).kind === 'expired') throw new ServerError('AUTH_EXPIRED', '…');
 */
export function tokenFailure(err: unknown): { kind: TokenFailure; claim?: string } {
  const e = err as { code?: unknown; claim?: unknown } | null;
  switch (e?.code) {
    case 'ERR_JWT_EXPIRED':
      return { kind: 'expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = String(e.claim);
      if (claim === 'nbf') return { kind: 'not_yet_valid' };
      if (claim === 'iss') return { kind: 'issuer' };
      if (claim === 'aud') return { kind: 'audience' };
      return { kind: 'claim', claim };
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { kind: 'algorithm' };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { kind: 'signature' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return { kind: 'unknown_key' };
    default:
      return { kind: 'invalid' };
  }
}
