import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import Database from 'better-sqlite3';
import { conversationKey, EncryptedSerializer } from './encrypted-serializer.ts';

/** Who owns a conversation and when it was last used (kept beside the checkpoints, unencrypted: no PHI). */
export interface ConversationRecord {
  id: string;
  owner: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Where conversations persist: LangGraph checkpoints (encrypted) plus an index of owners and
 * times used for access checks and retention. Embedded SQLite by default.
 *
 * @example const store = ConversationStore.open({ path: 'state/conversations.db', workspaceKey });
 */
export class ConversationStore {
  // Prepared once: every question reads and touches the index.
  readonly #select: Database.Statement;
  readonly #touch: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    readonly checkpointer: BaseCheckpointSaver,
  ) {
    this.#select = db.prepare(
      'SELECT id, owner, created_at AS createdAt, updated_at AS updatedAt FROM conversation_index WHERE id = ?',
    );
    this.#touch = db.prepare(
      `INSERT INTO conversation_index (id, owner, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at`,
    );
  }

  static open(options: { path: string; workspaceKey: string }): ConversationStore {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    const db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    // Conversation state is a convenience for follow-ups, not a record (the audit trail is): in WAL
    // mode NORMAL survives a process crash and skips the per-commit fsync on every turn.
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS conversation_index (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    const saver = new SqliteSaver(db, new EncryptedSerializer(conversationKey(options.workspaceKey)));
    return new ConversationStore(db, saver);
  }

  get(id: string): ConversationRecord | undefined {
    return this.#select.get(id) as ConversationRecord | undefined;
  }

  touch(id: string, owner: string, now = new Date()): void {
    const t = now.toISOString();
    this.#touch.run(id, owner, t, t);
  }

  /** Delete conversations not used for `days` days (retention). Returns how many were deleted. */
  async purgeOlderThan(days: number, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    const rows = this.db
      .prepare('SELECT id FROM conversation_index WHERE updated_at < ?')
      .all(cutoff) as Array<{ id: string }>;
    for (const { id } of rows) {
      await this.checkpointer.deleteThread(id);
      this.db.prepare('DELETE FROM conversation_index WHERE id = ?').run(id);
    }
    return rows.length;
  }

  close(): void {
    this.db.close();
  }
}
