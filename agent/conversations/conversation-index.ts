import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';

/** Who owns a conversation and when it was last used (kept beside the checkpoints, unencrypted: no PHI). */
export interface ConversationRecord {
  id: string;
  owner: string;
  createdAt: string;
  updatedAt: string;
}

/** The owner-and-time index behind access checks and retention, in the same store as the checkpoints. */
export interface ConversationIndex {
  get(id: string): Promise<ConversationRecord | undefined>;
  touch(id: string, owner: string, at: string): Promise<void>;
  /** Ids not used since `cutoff` (ISO time). */
  unusedSince(cutoff: string): Promise<string[]>;
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

/** The embedded index: one SQLite file beside the SQLite checkpoints. */
export class SqliteConversationIndex implements ConversationIndex {
  // Prepared once: every question reads and touches the index.
  readonly #select: Database.Statement;
  readonly #touch: Database.Statement;

  constructor(readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS conversation_index (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    this.#select = db.prepare(
      'SELECT id, owner, created_at AS createdAt, updated_at AS updatedAt FROM conversation_index WHERE id = ?',
    );
    this.#touch = db.prepare(
      `INSERT INTO conversation_index (id, owner, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at`,
    );
  }

  static open(path: string): SqliteConversationIndex {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // Conversation state is a convenience for follow-ups, not a record (the audit trail is): in WAL
    // mode NORMAL survives a process crash and skips the per-commit fsync on every turn.
    db.pragma('synchronous = NORMAL');
    return new SqliteConversationIndex(db);
  }

  async get(id: string) {
    return this.#select.get(id) as ConversationRecord | undefined;
  }
  async touch(id: string, owner: string, at: string) {
    this.#touch.run(id, owner, at, at);
  }
  async unusedSince(cutoff: string) {
    return (
      this.db.prepare('SELECT id FROM conversation_index WHERE updated_at < ?').all(cutoff) as Array<{
        id: string;
      }>
    ).map((r) => r.id);
  }
  async remove(id: string) {
    this.db.prepare('DELETE FROM conversation_index WHERE id = ?').run(id);
  }
  async close() {
    this.db.close();
  }
}

/** The shared index for several replicas: a table in the PostgreSQL schema that holds the checkpoints. */
export class PostgresConversationIndex implements ConversationIndex {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(pool: pg.Pool, schema: string): Promise<PostgresConversationIndex> {
    const table = `"${schema.replaceAll('"', '""')}".conversation_index`;
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)`);
    return new PostgresConversationIndex(pool, table);
  }

  async get(id: string) {
    const r = await this.pool.query(
      `SELECT id, owner, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
              to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
       FROM ${this.table} WHERE id = $1`,
      [id],
    );
    return r.rows[0] as ConversationRecord | undefined;
  }
  async touch(id: string, owner: string, at: string) {
    await this.pool.query(
      `INSERT INTO ${this.table} (id, owner, created_at, updated_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
      [id, owner, at],
    );
  }
  async unusedSince(cutoff: string) {
    const r = await this.pool.query(`SELECT id FROM ${this.table} WHERE updated_at < $1`, [cutoff]);
    return r.rows.map((x: { id: string }) => x.id);
  }
  async remove(id: string) {
    await this.pool.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
  }
  async close() {
    await this.pool.end();
  }
}
