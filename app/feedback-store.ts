import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FeedbackRecord } from '../server/index.ts';

/**
 * Thumbs up/down on answers, in the workspace state (`state/feedback.db`, SQLite, WAL): durable
 * once `add` returns. A comment is free text that may name a patient, so it is encrypted
 * (AES-256-GCM under a key derived from the workspace key), like conversations.
 *
 * @example const store = FeedbackStore.open({ path: 'state/feedback.db', workspaceKey }); await store.add({...});
 */
export class FeedbackStore {
  readonly #insert: Database.Statement;
  readonly #key: Buffer;

  private constructor(
    private readonly db: Database.Database,
    workspaceKey: string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS feedback (
      id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, turn_id TEXT, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
      comment BLOB, user_id TEXT NOT NULL, created_at TEXT NOT NULL)`);
    this.#insert = db.prepare(
      'INSERT INTO feedback (id, conversation_id, turn_id, rating, comment, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#key = Buffer.from(hkdfSync('sha256', workspaceKey, 'analyst', 'analyst/feedback/v1', 32));
  }

  static open(options: { path: string; workspaceKey: string }): FeedbackStore {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    const db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return new FeedbackStore(db, options.workspaceKey);
  }

  add(input: Omit<FeedbackRecord, 'id' | 'createdAt'>, now = new Date()): FeedbackRecord {
    const rec: FeedbackRecord = { ...input, id: randomUUID(), createdAt: now.toISOString() };
    this.#insert.run(
      rec.id,
      rec.conversationId,
      rec.turnId,
      rec.rating,
      rec.comment === null ? null : this.#seal(rec.comment, rec.id),
      rec.userId,
      rec.createdAt,
    );
    return rec;
  }

  list(filter: { rating?: 'up' | 'down' | undefined; limit: number }): FeedbackRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, conversation_id, turn_id, rating, comment, user_id, created_at FROM feedback
         ${filter.rating ? 'WHERE rating = ?' : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(...(filter.rating ? [filter.rating, filter.limit] : [filter.limit])) as Array<{
      id: string;
      conversation_id: string;
      turn_id: string | null;
      rating: 'up' | 'down';
      comment: Buffer | null;
      user_id: string;
      created_at: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      turnId: r.turn_id,
      rating: r.rating,
      comment: r.comment === null ? null : this.#open(r.comment, r.id),
      userId: r.user_id,
      createdAt: r.created_at,
    }));
  }

  close(): void {
    this.db.close();
  }

  #seal(text: string, id: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  #open(blob: Buffer, id: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, blob.subarray(0, 12));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  }
}
