import { type CheckpointPayload, GENESIS_HASH, payloadDigest } from './chain.ts';
import type { SigningKey } from './signing-key.ts';
import type { CheckpointRow } from './store/types.ts';
import type { VerifyProblem } from './types.ts';

/** Checkpoints whose signatures hold, by the seq they seal. */
export interface CheckpointIndex {
  bySeq: Map<number, { number: number; seq: number; hash: string }>;
  count: number;
  lastSeq: number;
}

/**
 * Check every checkpoint: signed by this workspace's key, its columns equal to its signed
 * payload, numbered without gaps, each linked to the one before (so none can be dropped or
 * swapped for an older one), and sealing ever later records.
 */
export async function verifyCheckpoints(
  rows: readonly CheckpointRow[],
  key: SigningKey,
  report: (p: VerifyProblem) => void,
): Promise<CheckpointIndex> {
  const bySeq: CheckpointIndex['bySeq'] = new Map();
  let previous: CheckpointRow | null = null;
  let lastSeq = 0;
  for (const cp of rows) {
    const where = { seq: cp.seq, checkpoint: cp.number };
    if (!key.verify(cp.payload, cp.signature)) {
      report({
        kind: 'checkpoint',
        ...where,
        message: `Checkpoint #${cp.number} (sealing seq ${cp.seq}) is not signed by this workspace's audit key: it was replaced or altered.`,
      });
      previous = cp;
      continue;
    }
    const p = JSON.parse(cp.payload) as CheckpointPayload;
    if (p.number !== cp.number || p.seq !== cp.seq || p.hash !== cp.hash || p.time !== cp.time) {
      report({
        kind: 'checkpoint',
        ...where,
        message: `Checkpoint #${cp.number}'s columns differ from what it signed (signed: #${p.number} at seq ${p.seq}).`,
      });
    }
    const expectedNumber = (previous?.number ?? 0) + 1;
    const expectedPrev = previous ? payloadDigest(previous.payload) : GENESIS_HASH;
    if (p.number !== expectedNumber) {
      report({
        kind: 'checkpoint',
        seq: p.seq,
        checkpoint: p.number,
        message: `Checkpoint #${expectedNumber}${p.number > expectedNumber + 1 ? `–#${p.number - 1}` : ''} is missing before #${p.number}.`,
      });
    } else if (p.prev !== expectedPrev) {
      report({
        kind: 'checkpoint',
        seq: p.seq,
        checkpoint: p.number,
        message: `Checkpoint #${p.number} does not follow checkpoint #${previous?.number ?? 0}: one of them was replaced.`,
      });
    }
    if (p.seq < lastSeq) {
      report({
        kind: 'checkpoint',
        seq: p.seq,
        checkpoint: p.number,
        message: `Checkpoint #${p.number} seals seq ${p.seq}, before its predecessor's ${lastSeq}: checkpoints were reordered.`,
      });
    }
    bySeq.set(p.seq, { number: p.number, seq: p.seq, hash: p.hash });
    lastSeq = Math.max(lastSeq, p.seq);
    previous = cp;
  }
  return { bySeq, count: rows.length, lastSeq };
}
