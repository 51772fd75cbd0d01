import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { hasCode } from '../core/index.ts';
import { describeIssues } from '../workspace/index.ts';
import { AnchorFile, readAnchors } from './anchors.ts';
import { type AppendReceipt, type PendingRecord, planAppend } from './append-plan.ts';
import { BodyCipher } from './body-cipher.ts';
import { bodyDigest, formatDigests } from './chain.ts';
import { type AuditLogConfig, DEFAULT_RETENTION, type RetentionPolicy } from './config.ts';
import { decodeRecord } from './decode.ts';
import { AUDIT_UNAVAILABLE, AuditError } from './errors.ts';
import { type ExportFormat, exportRecords } from './export.ts';
import { openAuditStore } from './open-store.ts';
import {
  type AuditRecord,
  type AuditRecordInput,
  auditRecordInputSchema,
  BODY_FIELDS,
  type BodyField,
} from './record.ts';
import { type RetentionReport, runRetention } from './retention.ts';
import { SigningKey } from './signing-key.ts';
import type { AuditStore, CheckpointRow, CommitPlan } from './store/types.ts';
import type { VerifyProblem } from './types.ts';
import { type VerifyReport, verifyChain } from './verify.ts';
import { type AnchorSummary, verifyAnchors } from './verify-anchors.ts';

/** Search filters; times are ISO 8601 (`from` inclusive, `to` exclusive). */
export interface AuditFilter {
  userId?: string;
  type?: string;
  requestId?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

/** A page of search results, newest first; pass `next` as `before` for the following page. */
export interface AuditPage {
  records: AuditRecord[];
  next: number | null;
}

interface Waiting extends PendingRecord {
  resolve: (r: AppendReceipt) => void;
  reject: (e: unknown) => void;
}

const LAST_VERIFY = 'last_verify';

/**
 * The tamper-evident audit log. `append` resolves only once the record is durably written and
 * chained; callers release their response after it and, when it throws AUDIT_UNAVAILABLE,
 * answer 503 with nothing else. Appends made in the same tick share one commit.
 *
 * One sequenced chain per store (not one per writer): every replica appends after the head it
 * reads under the store's write lock, so verify walks a single order and a deletion anywhere is a
 * gap, whichever replica wrote the record. The price is one lock per commit, paid per batch.
 *
 * @example
 * const log = await AuditLog.open(auditLogConfig(ws));
 * const { id } = await log.append({ type: 'request', outcome: 'ok', userId: 'ana', prompt: body });
 * const report = await log.verify();
 * await log.close();
 */
export class AuditLog {
  private queue: Waiting[] = [];
  private draining: Promise<void> | null = null;
  private commits: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => Date;
  readonly writerId: string;

  private constructor(
    private readonly store: AuditStore,
    private readonly key: SigningKey,
    private readonly cipher: BodyCipher,
    private readonly config: AuditLogConfig,
    private readonly anchors: readonly AnchorFile[],
  ) {
    this.now = config.clock ?? (() => new Date());
    this.writerId = config.writerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const minutes = config.checkpointMinutes ?? 5;
    // Seal idle stretches too: a quiet replica still checkpoints what it wrote within M minutes.
    this.timer = setInterval(
      () => void this.seal(false).catch(() => {}),
      Math.max(1000, (minutes * 60_000) / 2),
    );
    this.timer.unref();
  }

  /**
   * Open the store, keys and anchor files; creates the signing key file only when nothing has
   * been signed yet. Refuses (AUDIT_KEY_UNTRUSTED) a signing key other than the pinned one.
   */
  static async open(config: AuditLogConfig): Promise<AuditLog> {
    const cipher = BodyCipher.fromWorkspaceKey(await config.key.getKey());
    const store = await openAuditStore(config.store);
    const anchors: AnchorFile[] = [];
    try {
      const key = config.signingKey
        ? await SigningKey.fromProvider(config.signingKey)
        : await SigningKey.load(config.signingKeyPath, { create: !(await store.hasCheckpoints()) });
      key.assertPinned(config.keyFingerprint, config.signingKey?.description ?? config.signingKeyPath);
      for (const a of config.anchors ?? []) anchors.push(await AnchorFile.open(a.path));
      const log = new AuditLog(store, key, cipher, config, anchors);
      await log.seal(false);
      return log;
    } catch (err) {
      for (const a of anchors) await a.close().catch(() => {});
      await store.close().catch(() => {});
      throw err;
    }
  }

  /** Where records are kept, for status output. */
  get storeDescription(): string {
    return this.store.description;
  }

  /** Chain, encrypt and durably write one record. Throws AUDIT_UNAVAILABLE when it cannot (fail closed). */
  async append(input: AuditRecordInput): Promise<AppendReceipt> {
    const parsed = auditRecordInputSchema.safeParse(input);
    if (!parsed.success)
      throw new AuditError('AUDIT_INVALID_RECORD', `Invalid audit record: ${describeIssues(parsed.error)}`);
    if (this.closed) return this.failed(new AuditError('AUDIT_UNAVAILABLE', 'The audit log is closed.'));
    const id = randomUUID();
    const { question, semanticQuery, sql, prompt, response, result, reason, ...rest } = parsed.data;
    const { type, outcome, userId, requestId, ...meta } = rest;
    const bodies: Record<BodyField, unknown> = {
      question,
      semanticQuery,
      sql,
      prompt,
      response,
      result,
      reason,
    };
    const blobs = {} as Record<BodyField, Uint8Array | null>;
    const digests: Partial<Record<BodyField, string>> = {};
    for (const f of BODY_FIELDS) {
      const v = bodies[f];
      const blob = v === undefined ? null : this.cipher.encrypt(JSON.stringify(v), id, f);
      blobs[f] = blob;
      if (blob) digests[f] = bodyDigest(blob);
    }
    const pending: PendingRecord = {
      id,
      type,
      outcome,
      userId: userId ?? null,
      requestId: requestId ?? null,
      meta,
      digests: formatDigests(digests),
      blobs,
    };
    return new Promise<AppendReceipt>((resolve, reject) => {
      this.queue.push({ ...pending, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Records matching `filter`, newest first, bodies decrypted (callers check the auditor role). */
  async search(
    filter: AuditFilter = {},
    paging: { limit?: number; before?: number } = {},
  ): Promise<AuditPage> {
    const limit = Math.min(Math.max(paging.limit ?? 100, 1), 1000);
    const rows = await this.store.search({ ...filter, beforeSeq: paging.before, limit });
    const records = rows.map((r) => decodeRecord(r, this.cipher));
    return { records, next: rows.length === limit ? (rows[rows.length - 1]?.seq ?? null) : null };
  }

  /** Every matching record in chain order as JSONL or CSV text chunks (bodies decrypted). */
  export(format: ExportFormat, filter: AuditFilter = {}): AsyncIterable<string> {
    return exportRecords(format, async (afterSeq, limit) => {
      const rows = await this.store.search({ ...filter, afterSeq, limit, order: 'asc' });
      return rows.map((r) => decodeRecord(r, this.cipher));
    });
  }

  /** Recompute the chain, checkpoints and head; remembers the outcome for the compliance doctor. */
  async verify(): Promise<VerifyReport> {
    await this.drainAll();
    // Anchors first: each was written after its checkpoint committed, so the snapshot holds it.
    const anchors = await readAnchors(this.config.anchors ?? []);
    const report = await this.store.snapshot((reader) => verifyChain(reader, this.key, this.now(), anchors));
    const { problems: _p, ...summary } = report;
    await this.store.setState(LAST_VERIFY, JSON.stringify(summary)).catch(() => {});
    return report;
  }

  /**
   * Hold the store's checkpoints to the anchors outside it, without walking the records: what
   * the compliance doctor asks, since a store copied back also brings back its old "last verify".
   */
  async checkAnchors(): Promise<{ anchors: AnchorSummary; problems: VerifyProblem[] }> {
    await this.drainAll();
    const reading = await readAnchors(this.config.anchors ?? []);
    const problems: VerifyProblem[] = [];
    const anchors = await this.store.snapshot(async (reader) =>
      verifyAnchors(reading, await reader.checkpoints(), this.key, (p) => problems.push(p)),
    );
    return { anchors, problems };
  }

  /** The summary of the last `verify()` on this store (any replica), or null. */
  async lastVerify(): Promise<Omit<VerifyReport, 'problems'> | null> {
    const text = await this.store.getState(LAST_VERIFY);
    return text ? (JSON.parse(text) as Omit<VerifyReport, 'problems'>) : null;
  }

  /** Purge what retention allows (nothing under legal hold); the run itself is a chained record. */
  async retention(): Promise<RetentionReport> {
    await this.drainAll();
    return runRetention({
      store: this.store,
      now: this.now(),
      policy: this.retentionPolicy,
      legalHold: this.config.legalHold ?? false,
      append: (input) => this.append(input),
    });
  }

  get retentionPolicy(): RetentionPolicy {
    return this.config.retention ?? DEFAULT_RETENTION;
  }

  /** Write a checkpoint now if anything is unsealed. */
  checkpoint(): Promise<void> {
    return this.seal(true);
  }

  /** Flush pending appends, seal the tail with a checkpoint, and release the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.drainAll();
    await this.seal(true).catch(() => {});
    for (const a of this.anchors) await a.close().catch(() => {});
    await this.store.close();
  }

  private async drain(): Promise<void> {
    // Let appends from the same tick join this commit.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.config.maxBatch ?? 256);
      try {
        let receipts: AppendReceipt[] = [];
        await this.serial(() =>
          this.commitAndAnchor((state) => {
            const planned = planAppend(batch, state, this.planOptions(false));
            receipts = planned.receipts;
            return planned.plan;
          }),
        );
        for (const [i, w] of batch.entries()) w.resolve(receipts[i] as AppendReceipt);
      } catch (err) {
        for (const w of batch) this.failed(err).then(w.resolve, w.reject);
      }
    }
    this.draining = null;
  }

  private async drainAll(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private seal(force: boolean): Promise<void> {
    return this.serial(() =>
      this.commitAndAnchor((state) => planAppend([], state, this.planOptions(force)).plan),
    );
  }

  /**
   * Commit, then write the checkpoints it made to every anchor file. After the commit, so an
   * anchor never names a checkpoint the store lacks; a failed anchor write fails the append
   * (fail closed), though the record stays in the store.
   */
  private async commitAndAnchor(plan: Parameters<AuditStore['commit']>[0]): Promise<void> {
    let checkpoints: readonly CheckpointRow[] = [];
    await this.store.commit((state) => {
      const p: CommitPlan | null = plan(state);
      checkpoints = p?.checkpoints ?? [];
      return p;
    });
    for (const a of this.anchors) await a.write(checkpoints);
  }

  private planOptions(force: boolean) {
    return {
      key: this.key,
      writer: this.writerId,
      now: this.now(),
      checkpointEvery: this.config.checkpointEvery ?? 1000,
      checkpointMinutes: this.config.checkpointMinutes ?? 5,
      forceCheckpoint: force,
    };
  }

  /** One commit at a time from this process (other replicas are ordered by the store's lock). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.commits.then(fn, fn);
    this.commits = next.catch(() => undefined);
    return next;
  }

  private async failed(err: unknown): Promise<AppendReceipt> {
    const e = hasCode(err, AUDIT_UNAVAILABLE)
      ? (err as AuditError)
      : new AuditError('AUDIT_UNAVAILABLE', 'The audit record could not be written.', { cause: err });
    if (this.config.failClosed ?? true) throw e;
    this.config.onUnavailable?.(e);
    return { id: '', seq: -1, time: this.now().toISOString(), hash: '', stored: false };
  }
}
