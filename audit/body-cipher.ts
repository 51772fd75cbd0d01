import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AuditError } from './errors.ts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts audit bodies (prompt, response, result, question, SQL) with AES-256-GCM under a key
 * derived by HKDF-SHA256 from the workspace key, so the audit store never holds PHI in clear and
 * needs no key of its own. The additional data binds each ciphertext to its record and field: a
 * body copied onto another record does not decrypt.
 *
 * Layout: version (1 byte) | IV (12) | tag (16) | ciphertext.
 *
 * @example
 * const cipher = BodyCipher.fromWorkspaceKey(await ws.keyProvider().getKey());
 * const blob = cipher.encrypt('{"q":1}', 'rec-1', 'prompt');
 */
export class BodyCipher {
  // IVs come from a pool of random bytes refilled 1,024 IVs at a time: one call to the CSPRNG
  // instead of one per body (a hot spot when appending). Each IV is still 96 random bits.
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;

  private constructor(private readonly key: Buffer) {}

  static fromWorkspaceKey(workspaceKey: string): BodyCipher {
    const derived = hkdfSync(
      'sha256',
      Buffer.from(workspaceKey, 'utf8'),
      Buffer.from('analyst-audit', 'utf8'),
      Buffer.from('audit-body-encryption-v1', 'utf8'),
      32,
    );
    return new BodyCipher(Buffer.from(derived));
  }

  encrypt(plaintext: string, recordId: string, field: string): Buffer {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(recordId, field));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]);
  }

  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomBytes(IV_BYTES * 1024);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }

  decrypt(blob: Uint8Array, recordId: string, field: string): string {
    const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) {
      throw new AuditError('AUDIT_DECRYPT_FAILED', `The ${field} of audit record ${recordId} is malformed.`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(aad(recordId, field));
      decipher.setAuthTag(buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      throw new AuditError(
        'AUDIT_DECRYPT_FAILED',
        `The ${field} of audit record ${recordId} does not decrypt with the workspace key (wrong key, or altered).`,
        { cause },
      );
    }
  }
}

function aad(recordId: string, field: string): Buffer {
  return Buffer.from(`${recordId}\u0000${field}`, 'utf8');
}
