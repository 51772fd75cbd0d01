import { join } from 'node:path';
import { SignJWT } from 'jose';
import { type Ed25519Key, loadOrCreateEd25519Key } from './ed25519-key.ts';

const FILE = 'dev-signing.jwk';
export const DEV_ISSUER = 'analyst-dev';
export const DEV_AUDIENCE = 'analyst';

/** The workspace's local signing key for dev tokens (Ed25519), created on first use, mode 0600. */
export function devSigningKey(keysDir: string): Promise<Ed25519Key> {
  return loadOrCreateEd25519Key(join(keysDir, FILE), 'dev');
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
