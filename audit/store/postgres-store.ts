import pg from 'pg';
import { isAnalystError, quoteIdent } from '../../core/index.ts';
import { AuditError } from '../errors.ts';
import type { BodyField } from '../record.ts';
import { recordValues, rowToCheckpoint, rowToRecord } from './row-mapping.ts';
import { RECORD_COLUMNS } from './sqlite-schema.ts';
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
const COLUMN_COUNT = RECORD_COLUMNS.split(',').length;
const ROWS_PER_INSERT = 500;

/**
 * The audit store in PostgreSQL, for replicas on several hosts. One sequenced chain: each commit
 * takes a transaction-scoped advisory lock for the schema, reads the head, and appends after it,
 * so replicas interleave whole batches and never fork the chain. Commits are durable when
 * COMMIT returns (synchronous_commit as the server sets it; keep it on).
 *
 * @example const store = await PostgresAuditStore.open('postgres://…', 'analyst_audit');
 */
export class PostgresAuditStore implements AuditStore {
  readonly kind = 'postgres';
  private readonly t: (name: string) => string;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    readonly description: string,
  ) {
    this.t = (name) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
  }

  static async open(url: string, schema: string): Promise<PostgresAuditStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
    // An idle client that dies (server restart) must not crash the process; the next use fails closed.
    pool.on('error', () => {});
    const host = safeHost(url);
    const store = new PostgresAuditStore(pool, schema, `postgres ${host} schema ${schema}`);
    try {
      await store.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`analyst-audit:${schema}`]);
        await c.query(pgSchema(schema));
      });
      return store;
    } catch (cause) {
      await pool.end().catch(() => {});
      throw unavailable(`The audit store (${host}, schema ${schema}) cannot be opened.`, cause);
    }
  }

  async commit(plan: (state: ChainState) => CommitPlan | null): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`analyst-audit:${this.schema}`]);
        const head = (await c.query(`SELECT payload, signature FROM ${this.t('audit_head')} WHERE id = 1`))
          .rows[0] as SealRow | undefined;
        const cp = (
          await c.query(`SELECT * FROM ${this.t('audit_checkpoints')} ORDER BY number DESC LIMIT 1`)
        ).rows[0] as Row | undefined;
        const p = plan({ head: head ?? null, lastCheckpoint: cp ? rowToCheckpoint(cp) : null });
        if (!p) return;
        for (let i = 0; i < p.records.length; i += ROWS_PER_INSERT) {
          const chunk = p.records.slice(i, i + ROWS_PER_INSERT);
          const values = chunk.map(
            (_, r) =>
              `(${Array.from({ length: COLUMN_COUNT }, (_, k) => `$${r * COLUMN_COUNT + k + 1}`).join(', ')})`,
          );
          await c.query(
            `INSERT INTO ${this.t('audit_records')} (${RECORD_COLUMNS}) VALUES ${values.join(', ')}`,
            chunk.flatMap(recordValues),
          );
        }
        for (const k of p.checkpoints) {
          await c.query(
            `INSERT INTO ${this.t('audit_checkpoints')} (number, seq, hash, time, payload, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
            [k.number, k.seq, k.hash, k.time, k.payload, k.signature],
          );
        }
        if (p.head) {
          await c.query(
            `INSERT INTO ${this.t('audit_head')} (id, payload, signature) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, signature = EXCLUDED.signature`,
            [p.head.payload, p.head.signature],
          );
        }
      });
    } catch (cause) {
      throw unavailable('The audit record could not be written.', cause);
    }
  }

  async snapshot<T>(fn: (reader: SnapshotReader) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      throw unavailable('The audit store cannot be read.', cause);
    }
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const q = async (sql: string, params: unknown[] = []) =>
        (await client.query(sql, params)).rows as Row[];
      const reader: SnapshotReader = {
        head: async () =>
          ((await q(`SELECT payload, signature FROM ${this.t('audit_head')} WHERE id = 1`))[0] as unknown as
            | SealRow
            | undefined) ?? null,
        checkpoints: async () =>
          (await q(`SELECT * FROM ${this.t('audit_checkpoints')} ORDER BY number`)).map(rowToCheckpoint),
        records: async (afterSeq, limit) =>
          (
            await q(
              `SELECT ${RECORD_COLUMNS} FROM ${this.t('audit_records')} WHERE seq > $1 ORDER BY seq LIMIT $2`,
              [afterSeq, limit],
            )
          ).map(rowToRecord),
        recordsOfType: async (type) =>
          (
            await q(`SELECT ${RECORD_COLUMNS} FROM ${this.t('audit_records')} WHERE type = $1 ORDER BY seq`, [
              type,
            ])
          ).map(rowToRecord),
        seqOfHash: async (hash) => {
          const row = (
            await q(`SELECT seq FROM ${this.t('audit_records')} WHERE hash = $1 LIMIT 1`, [hash])
          )[0];
          return row ? Number(row.seq) : null;
        },
      };
      const result = await fn(reader);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if (isAnalystError(err)) throw err;
      throw unavailable('The audit store cannot be read.', err);
    } finally {
      client.release();
    }
  }

  async search(f: StoreFilter): Promise<RecordRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.userId !== undefined) add('user_id = ?', f.userId);
    if (f.type !== undefined) add('type = ?', f.type);
    if (f.requestId !== undefined) add('request_id = ?', f.requestId);
    if (f.outcome !== undefined) add('outcome = ?', f.outcome);
    if (f.from !== undefined) add('time >= ?', f.from);
    if (f.to !== undefined) add('time < ?', f.to);
    if (f.beforeSeq !== undefined) add('seq < ?', f.beforeSeq);
    if (f.afterSeq !== undefined) add('seq > ?', f.afterSeq);
    params.push(f.limit);
    const order = f.order === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT ${RECORD_COLUMNS} FROM ${this.t('audit_records')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order} LIMIT $${params.length}`;
    return (await this.query(sql, params)).map(rowToRecord);
  }

  async hasCheckpoints(): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM ${this.t('audit_checkpoints')} LIMIT 1`)).length > 0;
  }

  async purgeBodies(fields: readonly BodyField[], beforeTime: string): Promise<number> {
    if (!fields.length) return 0;
    const cols = fields.map((f) => BODY_COLUMNS[f]);
    const sql = `UPDATE ${this.t('audit_records')} SET ${cols.map((c) => `${c} = NULL`).join(', ')} WHERE time < $1 AND (${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')})`;
    return this.count(sql, [beforeTime]);
  }

  async deleteThrough(seq: number): Promise<number> {
    return this.count(`DELETE FROM ${this.t('audit_records')} WHERE seq <= $1`, [seq]);
  }

  async firstSeqAtOrAfter(time: string): Promise<number | null> {
    const row = (
      await this.query(`SELECT MIN(seq) AS seq FROM ${this.t('audit_records')} WHERE time >= $1`, [time])
    )[0];
    return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
  }

  async getState(key: string): Promise<string | null> {
    const row = (await this.query(`SELECT value FROM ${this.t('audit_state')} WHERE key = $1`, [key]))[0];
    return row ? String(row.value) : null;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.query(
      `INSERT INTO ${this.t('audit_state')} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, value],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query(sql, params)).rows as Row[];
    } catch (cause) {
      throw unavailable('The audit store cannot be read or updated.', cause);
    }
  }

  private async count(sql: string, params: unknown[]): Promise<number> {
    try {
      return (await this.pool.query(sql, params)).rowCount ?? 0;
    } catch (cause) {
      throw unavailable('The audit store cannot be updated.', cause);
    }
  }

  private async tx(fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await fn(c);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }
}

function pgSchema(schema: string): string {
  const t = (n: string) => `${quoteIdent(schema)}.${quoteIdent(n)}`;
  const bodies = Object.values(BODY_COLUMNS)
    .map((c) => `${c} BYTEA`)
    .join(', ');
  return `
CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
CREATE TABLE IF NOT EXISTS ${t('audit_records')} (
  seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, type TEXT NOT NULL,
  user_id TEXT, request_id TEXT, outcome TEXT NOT NULL, digests TEXT NOT NULL, entry TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, ${bodies});
CREATE INDEX IF NOT EXISTS audit_records_time ON ${t('audit_records')} (time);
CREATE INDEX IF NOT EXISTS audit_records_user ON ${t('audit_records')} (user_id, seq);
CREATE INDEX IF NOT EXISTS audit_records_type ON ${t('audit_records')} (type, seq);
CREATE INDEX IF NOT EXISTS audit_records_request ON ${t('audit_records')} (request_id);
CREATE TABLE IF NOT EXISTS ${t('audit_checkpoints')} (
  number BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, time TEXT NOT NULL,
  payload TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ${t('audit_head')} (
  id INTEGER PRIMARY KEY CHECK (id = 1), payload TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ${t('audit_state')} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
}

/** The host and database of a URL, never its credentials. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function unavailable(message: string, cause: unknown): AuditError {
  return new AuditError('AUDIT_UNAVAILABLE', message, { cause });
}
