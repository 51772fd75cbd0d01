import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type { SigningKey } from './signing-key.ts';
import type { CheckpointRow, SealRow } from './store/types.ts';

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** A record's hash: SHA-256 over the previous record's hash, a newline, and its canonical entry. */
export function chainHash(prevHash: string, entry: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(entry).digest('hex');
}

/** SHA-256 (hex) of a body's ciphertext: what the chain keeps when retention deletes the body. */
export function bodyDigest(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest('hex');
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
  return createHash('sha256').update(payload).digest('hex');
}
