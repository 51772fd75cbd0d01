import type { BodyField } from '../record.ts';

/** One record as stored: indexed columns, the canonical entry, chain links and encrypted bodies. */
export interface RecordRow {
  seq: number;
  id: string;
  time: string;
  type: string;
  userId: string | null;
  requestId: string | null;
  outcome: string;
  /** `field=sha256hex` of each body's ciphertext, comma-separated (hashed, kept after purges). */
  digests: string;
  /** The canonical JSON of the rest of the record's metadata. */
  entry: string;
  prevHash: string;
  hash: string;
  /** Ciphertexts; null when the record had none or retention purged it. */
  bodies: Record<BodyField, Uint8Array | null>;
}

/** A signed statement: canonical JSON payload and its Ed25519 signature (base64). */
export interface SealRow {
  payload: string;
  signature: string;
}

/** A signed checkpoint sealing the chain up to `seq`. */
export interface CheckpointRow extends SealRow {
  number: number;
  seq: number;
  hash: string;
  time: string;
}

/** The chain's current end, read inside the write transaction. */
export interface ChainState {
  head: SealRow | null;
  lastCheckpoint: CheckpointRow | null;
}

/** What one transaction writes. `head` replaces the signed head when given. */
export interface CommitPlan {
  records: RecordRow[];
  checkpoints: CheckpointRow[];
  head?: SealRow;
}

/** Search by the indexed columns; `beforeSeq` / `afterSeq` page through them. */
export interface StoreFilter {
  userId?: string | undefined;
  type?: string | undefined;
  requestId?: string | undefined;
  outcome?: string | undefined;
  /** Inclusive ISO time. */
  from?: string | undefined;
  /** Exclusive ISO time. */
  to?: string | undefined;
  beforeSeq?: number | undefined;
  afterSeq?: number | undefined;
  /** `desc` (newest first, default) or `asc` (chain order, for exports). */
  order?: 'asc' | 'desc' | undefined;
  limit: number;
}

/** Reads from one consistent snapshot (verification must not see half of a concurrent commit). */
export interface SnapshotReader {
  head(): Promise<SealRow | null>;
  checkpoints(): Promise<CheckpointRow[]>;
  /** Records with seq > afterSeq in seq order, at most `limit`. */
  records(afterSeq: number, limit: number): Promise<RecordRow[]>;
  /** Records of one type in seq order (retention declarations are few). */
  recordsOfType(type: string): Promise<RecordRow[]>;
  /** The seq of the record whose hash this is, to tell a reordering from a modification. */
  seqOfHash(hash: string): Promise<number | null>;
}

/**
 * Where the audit log keeps its rows. Two implementations: SQLite in the workspace (default) and
 * PostgreSQL (several hosts). Both give one sequenced chain: `commit` runs its plan while holding
 * the store's write lock, so every replica appends after the head it just read.
 */
export interface AuditStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, for status output (no credentials). */
  readonly description: string;
  /** Run `plan` on the current chain state under the write lock and write what it returns durably. */
  commit(plan: (state: ChainState) => CommitPlan | null): Promise<void>;
  snapshot<T>(fn: (reader: SnapshotReader) => Promise<T>): Promise<T>;
  search(filter: StoreFilter): Promise<RecordRow[]>;
  /** Whether any checkpoint exists (a missing signing key is then an error, not a fresh start). */
  hasCheckpoints(): Promise<boolean>;
  /** Set the given bodies to NULL on records older than `beforeTime`; returns how many records changed. */
  purgeBodies(fields: readonly BodyField[], beforeTime: string): Promise<number>;
  /** Delete records with seq <= `seq` (metadata retention, only up to a checkpoint). */
  deleteThrough(seq: number): Promise<number>;
  /** The first seq with time >= `time`, or null. */
  firstSeqAtOrAfter(time: string): Promise<number | null>;
  getState(key: string): Promise<string | null>;
  setState(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** Column name of each body field in both stores. */
export const BODY_COLUMNS: Record<BodyField, string> = {
  question: 'b_question',
  semanticQuery: 'b_semantic_query',
  sql: 'b_sql',
  prompt: 'b_prompt',
  response: 'b_response',
  result: 'b_result',
  reason: 'b_reason',
};
