import type { webcrypto } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

const FILE = 'dev-signing.jwk';
export const DEV_ISSUER = 'analyst-dev';
export const DEV_AUDIENCE = 'analyst';

/** The workspace's local signing key for dev tokens (Ed25519), created on first use, mode 0600. */
export async function devSigningKey(
  keysDir: string,
): Promise<{ privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey; kid: string }> {
  const path = join(keysDir, FILE);
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'EdDSA' };
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

/**
 * A dev token for a users.yaml identity: what `analyst token --user ID` prints.
 *
 * @example const token = await issueDevToken('/ws/keys', { id: 'analyst', roles: ['analyst'], attributes: {} }, 8);
 */
export async function issueDevToken(
  keysDir: string,
  user: { id: string; roles: string[]; attributes: Record<string, unknown> },
  hours: number,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { privateKey, kid } = await devSigningKey(keysDir);
  return new SignJWT({ roles: user.roles, attributes: user.attributes, amr: ['dev'], ...extra })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject(user.id)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${Math.round(hours * 3600)}s`)
    .sign(privateKey);
}
