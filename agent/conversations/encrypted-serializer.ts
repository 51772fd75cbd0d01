import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';

const TYPE = 'aes-256-gcm';
const IV = 12;
const TAG = 16;

/** A 32-byte key for conversation state, derived from the workspace key. */
export function conversationKey(workspaceKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', workspaceKey, 'analyst', 'analyst/conversations/v1', 32));
}

/**
 * Conversation state holds questions and answers, so it is PHI: every checkpoint, its metadata
 * and pending writes are encrypted (AES-256-GCM) before the checkpointer stores them. The inner
 * serializer's type travels inside the ciphertext.
 */
export class EncryptedSerializer implements SerializerProtocol {
  constructor(
    private readonly key: Buffer,
    private readonly inner: SerializerProtocol = new JsonPlusSerializer(),
  ) {
    if (key.length !== 32) throw new Error('conversation key must be 32 bytes');
  }

  // biome-ignore lint/suspicious/noExplicitAny: the checkpoint protocol is untyped by design.
  async dumpsTyped(data: any): Promise<[string, Uint8Array]> {
    const [type, bytes] = await this.inner.dumpsTyped(data);
    const plain = Buffer.concat([Buffer.from(`${type}\n`), Buffer.from(bytes)]);
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return [TYPE, new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]))];
  }

  // biome-ignore lint/suspicious/noExplicitAny: the checkpoint protocol is untyped by design.
  async loadsTyped(type: string, data: Uint8Array | string): Promise<any> {
    if (type !== TYPE) throw new Error('conversation state is not encrypted; refusing to read it');
    const buf = Buffer.from(typeof data === 'string' ? Buffer.from(data, 'binary') : data);
    const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(0, IV));
    decipher.setAuthTag(buf.subarray(IV, IV + TAG));
    const plain = Buffer.concat([decipher.update(buf.subarray(IV + TAG)), decipher.final()]);
    const nl = plain.indexOf(10);
    return this.inner.loadsTyped(plain.subarray(0, nl).toString(), new Uint8Array(plain.subarray(nl + 1)));
  }
}
