import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * The fingerprint that pins the audit signing key in analyst.yaml: `sha256:` and the hex SHA-256
 * of the public key's SPKI DER (its first 16 hex digits are the `keyId` in signed payloads).
 *
 * @example keyFingerprint(createPublicKey(pem)) // => 'sha256:9f2c…'
 */
export function keyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

/** A new Ed25519 audit signing key: its PKCS#8 PEM and the fingerprint to pin. */
export function newAuditSigningKey(): { pem: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
}
