import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAnalystError } from '../core/index.ts';
import type { KeyProvider } from '../lakehouse/index.ts';
import { keyFingerprint, newAuditSigningKey } from '../workspace/index.ts';
import { AuditError } from './errors.ts';

/**
 * The Ed25519 key that signs checkpoints and the chain head. It lives in the workspace keys/
 * folder (PKCS#8 PEM, mode 0600) or comes from a KMS or command (`fromProvider`). Verification
 * needs only its public half; `fingerprint` is what analyst.yaml pins.
 *
 * @example
 * const key = await SigningKey.load('/ws/keys/audit-signing.key', { create: true });
 * const sig = key.sign('payload');
 */
export class SigningKey {
  /** `sha256:` and the SHA-256 of the public key (SPKI DER), hex: what analyst.yaml pins. */
  readonly fingerprint: string;
  /** The fingerprint's first 16 hex characters: names the key in payloads. */
  readonly keyId: string;

  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
  ) {
    this.fingerprint = keyFingerprint(publicKey);
    this.keyId = this.fingerprint.slice('sha256:'.length, 'sha256:'.length + 16);
  }

  /** The key from a KMS, environment variable or command: its PKCS#8 PEM text. Never created. */
  static async fromProvider(provider: KeyProvider): Promise<SigningKey> {
    let pem: string;
    try {
      pem = await provider.getKey();
    } catch (cause) {
      const why = cause instanceof Error ? ` ${cause.message}` : '';
      throw new AuditError(
        'AUDIT_KEY_MISSING',
        `The audit signing key (${provider.description}) cannot be read.${why}`,
        { cause },
      );
    }
    return SigningKey.fromPem(pem, provider.description);
  }

  /** Read the key; with `create`, make it first when the file does not exist. */
  static async load(path: string, options: { create: boolean }): Promise<SigningKey> {
    let pem: string;
    try {
      const s = await stat(path);
      if ((s.mode & 0o077) !== 0) {
        throw new AuditError(
          'AUDIT_KEY_INVALID',
          `The audit signing key ${path} is readable by others (mode ${(s.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
        );
      }
      pem = await readFile(path, 'utf8');
    } catch (cause) {
      if (isAnalystError(cause)) throw cause;
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) {
        throw new AuditError('AUDIT_KEY_MISSING', `The audit signing key ${path} cannot be read.`, { cause });
      }
      pem = await createKeyFile(path);
    }
    return SigningKey.fromPem(pem, path);
  }

  private static fromPem(pem: string, source: string): SigningKey {
    try {
      const privateKey = createPrivateKey(pem);
      if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
      return new SigningKey(privateKey, createPublicKey(privateKey));
    } catch (cause) {
      throw new AuditError('AUDIT_KEY_INVALID', `${source} is not an Ed25519 private key in PEM.`, { cause });
    }
  }

  /**
   * Refuse to work under any key but the pinned one: a log re-signed with a key swapped into
   * keys/ must not verify.
   */
  assertPinned(pinned: string | undefined, source: string): void {
    if (pinned === undefined || pinned === this.fingerprint) return;
    throw new AuditError(
      'AUDIT_KEY_UNTRUSTED',
      `The audit signing key (${source}) has fingerprint ${this.fingerprint}, but audit.signing_key_fingerprint pins ${pinned}: the audit log would be signed or verified by another key. If the key was not replaced on purpose, the log may have been re-signed; investigate before changing the pin.`,
    );
  }

  /** Signature (base64) over the UTF-8 bytes of `payload`. */
  sign(payload: string): string {
    return sign(null, Buffer.from(payload, 'utf8'), this.privateKey).toString('base64');
  }

  /** Whether `signature` is this key's signature over `payload`. */
  verify(payload: string, signature: string): boolean {
    try {
      return verify(null, Buffer.from(payload, 'utf8'), this.publicKey, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }
}

async function createKeyFile(path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { pem } = newAuditSigningKey();
  // Written whole beside the target, then hard-linked into place: link() fails if the name
  // exists, so when two replicas start at once one key wins and nobody reads a half-written file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, pem, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await link(tmp, path);
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFile(path, 'utf8');
    throw new AuditError('AUDIT_KEY_MISSING', `The audit signing key ${path} cannot be created.`, {
      cause: err,
    });
  } finally {
    await rm(tmp, { force: true });
  }
}
