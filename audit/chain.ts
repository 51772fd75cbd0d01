import crypto from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import { BODY_FIELDS, type BodyField } from './record.ts';
import type { SigningKey } from './signing-key.ts';
import type { CheckpointRow, SealRow } from './store/types.ts';

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

const hashOnce: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** What a record's hash covers besides the previous hash. */
export interface HashedFields {
  seq: number;
  id: string;
  time: string;
  type: string;
  outcome: string;
  userId: string | null;
  requestId: string | null;
  /** `field=sha256hex` of each body ciphertext, comma-separated, in BODY_FIELDS order. */
  digests: string;
  /** Canonical JSON of the rest of the metadata. */
  entry: string;
}

/**
 * A record's hash: SHA-256 over the previous hash and the record's canonical serialisation,
 * `prev \n [seq,id,time,type,outcome,userId,requestId] \n digests \n entry`. The indexed columns
 * are hashed as they are stored, so verify checks them without parsing the entry.
 */
export function recordHash(prevHash: string, r: HashedFields): string {
  const header = JSON.stringify([r.seq, r.id, r.time, r.type, r.outcome, r.userId, r.requestId]);
  return hashOnce(`${prevHash}\n${header}\n${r.digests}\n${r.entry}`);
}

/** SHA-256 (hex) of a body's ciphertext: what the chain keeps when retention deletes the body. */
export function bodyDigest(blob: Uint8Array): string {
  return hashOnce(blob);
}

/** The digests column from a field → digest map. */
export function formatDigests(digests: Partial<Record<BodyField, string>>): string {
  return BODY_FIELDS.filter((f) => digests[f])
    .map((f) => `${f}=${digests[f]}`)
    .join(',');
}

/** The digests column as a field → digest map. */
export function parseDigests(text: string): Partial<Record<BodyField, string>> {
  const out: Partial<Record<BodyField, string>> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    out[part.slice(0, eq) as BodyField] = part.slice(eq + 1);
  }
  return out;
}

/** What the signed head says: the chain ended at `seq` with `hash` when it was last written. */
export interface HeadPayload {
  v: 1;
  kind: 'head';
  seq: number;
  hash: string;
  time: string;
  keyId: string;
}

/** What a checkpoint says; `prev` is the SHA-256 of the previous checkpoint's payload. */
export interface CheckpointPayload {
  v: 1;
  kind: 'checkpoint';
  number: number;
  seq: number;
  hash: string;
  time: string;
  prev: string;
  keyId: string;
}

/** Sign the head of the chain. Written in every commit, so records past it were not written by us. */
export function signHead(key: SigningKey, seq: number, hash: string, time: string): SealRow {
  const payload = canonicalJson({
    v: 1,
    kind: 'head',
    seq,
    hash,
    time,
    keyId: key.keyId,
  } satisfies HeadPayload);
  return { payload, signature: key.sign(payload) };
}

/**
 * Seal the chain at `seq` (whose record hash is `hash`) with checkpoint `number`, linked to the
 * previous checkpoint so that removing or replacing one breaks the checkpoint chain too.
 */
export function signCheckpoint(
  key: SigningKey,
  number: number,
  seq: number,
  hash: string,
  time: string,
  previous: CheckpointRow | null,
): CheckpointRow {
  const prev = previous ? payloadDigest(previous.payload) : GENESIS_HASH;
  const payload = canonicalJson({
    v: 1,
    kind: 'checkpoint',
    number,
    seq,
    hash,
    time,
    prev,
    keyId: key.keyId,
  } satisfies CheckpointPayload);
  return { number, seq, hash, time, payload, signature: key.sign(payload) };
}

/** SHA-256 (hex) of a checkpoint payload, as the next checkpoint's `prev`. */
export function payloadDigest(payload: string): string {
  return hashOnce(payload);
}
