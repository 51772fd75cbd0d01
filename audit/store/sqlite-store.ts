import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AuditError } from '../errors.ts';
import type { BodyField } from '../record.ts';
import { arrayToRecord, recordValues, rowToCheckpoint, rowToRecord } from './row-mapping.ts';
import { RECORD_COLUMNS, SQLITE_SCHEMA } from './sqlite-schema.ts';
import {
  type AuditStore,
  BODY_COLUMNS,
  type ChainState,
  type CommitPlan,
  type RecordRow,
  type SealRow,
  type SnapshotReader,
  type StoreFilter,
} from './types.ts';

type Row = Record<string, unknown>;

/**
 * The default store: one SQLite file in the workspace (better-sqlite3 12.x; v13 crashes Node 20).
 *
 * Why SQLite rather than append-only files: retention must blank bodies inside old records and
 * search needs indexes by user, type and time; SQLite gives both, plus cross-process locking, so
 * several replicas on one host share one sequenced chain without a lock server. WAL mode lets
 * readers (search, verify) run beside the writer; `synchronous = FULL` makes each commit durable
 * before `append` resolves. Writes go through one connection, reads that must see one consistent
 * snapshot (verify) through a second.
 *
 * @example const store = SqliteAuditStore.open('/ws/audit/audit.db');
 */
export class SqliteAuditStore implements AuditStore {
  readonly kind = 'sqlite';
  private snapshotQueue: Promise<unknown> = Promise.resolve();
  private readonly insertRecord: Database.Statement;
  private readonly insertCheckpoint: Database.Statement;
  private readonly upsertHead: Database.Statement;
  private readonly selectHead: Database.Statement;
  private readonly selectLastCheckpoint: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    private readonly reader: Database.Database,
    readonly description: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.insertRecord = db.prepare(
      `INSERT INTO audit_records (${RECORD_COLUMNS}) VALUES (${RECORD_COLUMNS.split(',')
        .map(() => '?')
        .join(', ')})`,
    );
    this.insertCheckpoint = db.prepare(
      'INSERT INTO audit_checkpoints (number, seq, hash, time, payload, signature) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsertHead = db.prepare(
      'INSERT INTO audit_head (id, payload, signature) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, signature = excluded.signature',
    );
    this.selectHead = db.prepare('SELECT payload, signature FROM audit_head WHERE id = 1');
    this.selectLastCheckpoint = db.prepare('SELECT * FROM audit_checkpoints ORDER BY number DESC LIMIT 1');
  }

  /** Open (creating when missing) the store at `path`. */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): SqliteAuditStore {
    const timeout = options.busyTimeoutMs ?? 5000;
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      db = new Database(path, { timeout });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.transaction(() => db?.exec(SQLITE_SCHEMA)).immediate();
      db.pragma('busy_timeout = 0');
      const reader = new Database(path, { timeout, readonly: true });
      return new SqliteAuditStore(db, reader, `sqlite ${path}`, timeout);
    } catch (cause) {
      db?.close();
      throw unavailable(`The audit store ${path} cannot be opened.`, cause);
    }
  }

  async commit(plan: (state: ChainState) => CommitPlan | null): Promise<void> {
    const write = this.db.transaction(() => {
      const head = (this.selectHead.get() as SealRow | undefined) ?? null;
      const cp = this.selectLastCheckpoint.get() as Row | undefined;
      const p = plan({ head, lastCheckpoint: cp ? rowToCheckpoint(cp) : null });
      if (!p) return;
      for (const r of p.records) this.insertRecord.run(...recordValues(r));
      for (const c of p.checkpoints)
        this.insertCheckpoint.run(c.number, c.seq, c.hash, c.time, c.payload, c.signature);
      if (p.head) this.upsertHead.run(p.head.payload, p.head.signature);
    });
    await this.withWriteLock(() => write.immediate(), 'The audit record could not be written.');
  }

  snapshot<T>(fn: (reader: SnapshotReader) => Promise<T>): Promise<T> {
    // One read transaction at a time on the reader connection.
    const run = async () => {
      const r = this.reader;
      r.exec('BEGIN');
      try {
        // The snapshot starts at the first read, so take it now.
        r.prepare('SELECT 1 FROM audit_head LIMIT 1').get();
        return await fn(sqliteReader(r));
      } finally {
        r.exec('COMMIT');
      }
    };
    const result = this.snapshotQueue.then(run, run);
    this.snapshotQueue = result.catch(() => undefined);
    return result;
  }

  async search(f: StoreFilter): Promise<RecordRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
    if (f.userId !== undefined) add('user_id = ?', f.userId);
    if (f.type !== undefined) add('type = ?', f.type);
    if (f.requestId !== undefined) add('request_id = ?', f.requestId);
    if (f.outcome !== undefined) add('outcome = ?', f.outcome);
    if (f.from !== undefined) add('time >= ?', f.from);
    if (f.to !== undefined) add('time < ?', f.to);
    if (f.beforeSeq !== undefined) add('seq < ?', f.beforeSeq);
    if (f.afterSeq !== undefined) add('seq > ?', f.afterSeq);
    const order = f.order === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT ${RECORD_COLUMNS} FROM audit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order} LIMIT ?`;
    return this.read(() => (this.db.prepare(sql).all(...params, f.limit) as Row[]).map(rowToRecord));
  }

  async hasCheckpoints(): Promise<boolean> {
    return this.read(() => this.db.prepare('SELECT 1 FROM audit_checkpoints LIMIT 1').get() !== undefined);
  }

  async purgeBodies(fields: readonly BodyField[], beforeTime: string): Promise<number> {
    if (!fields.length) return 0;
    const cols = fields.map((f) => BODY_COLUMNS[f]);
    const sql = `UPDATE audit_records SET ${cols.map((c) => `${c} = NULL`).join(', ')} WHERE time < ? AND (${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')})`;
    return this.withWriteLock(
      () => this.db.prepare(sql).run(beforeTime).changes,
      'Audit bodies could not be purged.',
    );
  }

  async deleteThrough(seq: number): Promise<number> {
    return this.withWriteLock(
      () => this.db.prepare('DELETE FROM audit_records WHERE seq <= ?').run(seq).changes,
      'Audit records could not be purged.',
    );
  }

  async firstSeqAtOrAfter(time: string): Promise<number | null> {
    return this.read(() => {
      const row = this.db
        .prepare('SELECT MIN(seq) AS seq FROM audit_records WHERE time >= ?')
        .get(time) as Row;
      return row.seq === null ? null : Number(row.seq);
    });
  }

  async getState(key: string): Promise<string | null> {
    return this.read(() => {
      const row = this.db.prepare('SELECT value FROM audit_state WHERE key = ?').get(key) as Row | undefined;
      return row ? String(row.value) : null;
    });
  }

  async setState(key: string, value: string): Promise<void> {
    await this.withWriteLock(
      () =>
        this.db
          .prepare(
            'INSERT INTO audit_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          )
          .run(key, value),
      'The audit store cannot be updated.',
    );
  }

  async close(): Promise<void> {
    await this.snapshotQueue;
    this.reader.close();
    this.db.close();
  }

  /**
   * Run a write, retrying while another process holds the lock. The writer connection has no
   * SQLite busy timeout: SQLite's own wait would block this whole process (a server stalls), and
   * its growing sleeps let a busy neighbour take the lock again and again. Short async retries
   * with jitter keep the event loop free and give each replica a fair chance, until the deadline,
   * after which the write fails closed.
   */
  private async withWriteLock<T>(fn: () => T, message: string): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      try {
        return fn();
      } catch (cause) {
        const code = String((cause as { code?: unknown }).code ?? '');
        const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
        if (!busy || Date.now() >= deadline) throw unavailable(message, cause);
      }
      await new Promise((r) => setTimeout(r, Math.random() * 2));
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw unavailable('The audit store cannot be read or updated.', cause);
    }
  }
}

function sqliteReader(r: Database.Database): SnapshotReader {
  return {
    async head() {
      return (r.prepare('SELECT payload, signature FROM audit_head WHERE id = 1').get() as SealRow) ?? null;
    },
    async checkpoints() {
      return (r.prepare('SELECT * FROM audit_checkpoints ORDER BY number').all() as Row[]).map(
        rowToCheckpoint,
      );
    },
    async records(afterSeq, limit) {
      const sql = `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE seq > ? ORDER BY seq LIMIT ?`;
      return (r.prepare(sql).raw(true).all(afterSeq, limit) as unknown[][]).map(arrayToRecord);
    },
    async recordsOfType(type) {
      const sql = `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE type = ? ORDER BY seq`;
      return (r.prepare(sql).all(type) as Row[]).map(rowToRecord);
    },
    async seqOfHash(hash) {
      const row = r.prepare('SELECT seq FROM audit_records WHERE hash = ? LIMIT 1').get(hash) as
        | Row
        | undefined;
      return row ? Number(row.seq) : null;
    },
  };
}

function unavailable(message: string, cause: unknown): AuditError {
  return new AuditError('AUDIT_UNAVAILABLE', message, { cause });
}
