import { canonicalJson } from './canonical.ts';
import { GENESIS_HASH, type HeadPayload, recordHash, signCheckpoint, signHead } from './chain.ts';
import type { AuditEntry, BodyField } from './record.ts';
import type { SigningKey } from './signing-key.ts';
import type { ChainState, CheckpointRow, CommitPlan, RecordRow } from './store/types.ts';

/** A record waiting for the next group commit: everything but its place in the chain. */
export interface PendingRecord {
  id: string;
  type: string;
  outcome: string;
  userId: string | null;
  requestId: string | null;
  meta: Omit<AuditEntry, 'seq' | 'writer' | 'v'>;
  /** The digests column (see `formatDigests`). */
  digests: string;
  blobs: Record<BodyField, Uint8Array | null>;
}

/** Where each appended record landed. */
export interface AppendReceipt {
  id: string;
  seq: number;
  time: string;
  hash: string;
  /** False only when fail_closed is off and the store could not be written. */
  stored: boolean;
}

export interface PlanOptions {
  key: SigningKey;
  writer: string;
  now: Date;
  checkpointEvery: number;
  checkpointMinutes: number;
  /** Seal whatever is unsealed even when no checkpoint is due (close). */
  forceCheckpoint?: boolean;
}

/**
 * Place `pending` records at the end of the chain read under the write lock: number them, chain
 * their hashes, add a checkpoint every `checkpointEvery` records or when the last one is older
 * than `checkpointMinutes`, and sign the new head. Pure: the store writes what this returns.
 */
export function planAppend(
  pending: readonly PendingRecord[],
  state: ChainState,
  o: PlanOptions,
): { plan: CommitPlan | null; receipts: AppendReceipt[] } {
  const head = state.head ? (JSON.parse(state.head.payload) as HeadPayload) : null;
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  // Times never run backwards along the chain, even when replicas' clocks disagree a little,
  // so retention's "older than" follows chain order.
  const nowIso = o.now.toISOString();
  const time = head && head.time > nowIso ? head.time : nowIso;

  let lastCp: CheckpointRow | null = state.lastCheckpoint;
  const checkpoints: CheckpointRow[] = [];
  const records: RecordRow[] = [];
  const receipts: AppendReceipt[] = [];
  const seal = (atSeq: number, atHash: string) => {
    lastCp = signCheckpoint(o.key, (lastCp?.number ?? 0) + 1, atSeq, atHash, time, lastCp);
    checkpoints.push(lastCp);
  };

  for (const p of pending) {
    seq += 1;
    const entry: AuditEntry = { v: 1, seq, writer: o.writer, ...p.meta };
    const row = {
      seq,
      id: p.id,
      time,
      type: p.type,
      outcome: p.outcome,
      userId: p.userId,
      requestId: p.requestId,
      digests: p.digests,
      entry: canonicalJson(entry),
    };
    const hash = recordHash(prev, row);
    records.push({ ...row, prevHash: prev, hash, bodies: p.blobs });
    receipts.push({ id: p.id, seq, time, hash, stored: true });
    prev = hash;
    if (seq - (lastCp?.seq ?? 0) >= o.checkpointEvery) seal(seq, hash);
  }

  const unsealed = seq > (lastCp?.seq ?? 0);
  // With no checkpoint yet, the idle timer (an empty plan) seals; a first busy batch waits for N.
  const due =
    o.forceCheckpoint ||
    (lastCp ? o.now.getTime() - Date.parse(lastCp.time) >= o.checkpointMinutes * 60_000 : !pending.length);
  if (unsealed && due) seal(seq, prev);

  if (!records.length && !checkpoints.length) return { plan: null, receipts };
  const plan: CommitPlan = { records, checkpoints };
  if (records.length) plan.head = signHead(o.key, seq, prev, time);
  return { plan, receipts };
}
