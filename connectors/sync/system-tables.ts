import type { Lakehouse, WriteTransaction } from '../../lakehouse/index.ts';
import type { StreamState } from '../sdk/types.ts';

/** Lake tables the sync engine keeps beside the data, in the `_analyst` schema. */
export const SYNC_STATE = 'lake._analyst.sync_state';
export const SYNC_HISTORY = 'lake._analyst.sync_history';
export const SYNC_REJECTS = 'lake._analyst.sync_rejects';

/** One row of sync history: what a stream's load did. */
export interface SyncHistoryRow {
  runId: string;
  connector: string;
  stream: string;
  table: string;
  mode: string;
  startedAt: Date;
  rows: number;
  bytes: number;
  durationMs: number;
  rejects: number;
  status: 'ok' | 'failed' | 'skipped';
  error: string | null;
}

/** Create the engine's tables when missing (their own commit; safe when another process races us). */
export async function ensureSyncTables(lake: Lakehouse): Promise<void> {
  const have = await lake.query(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = '_analyst'
     AND table_name IN ('sync_state', 'sync_history', 'sync_rejects')`,
  );
  if (Number(have.rows[0]?.[0]) === 3) return;
  try {
    await lake.withTransaction({ author: 'analyst-sync', message: 'create sync tables' }, async (tx) => {
      await tx.run(
        `CREATE TABLE IF NOT EXISTS ${SYNC_STATE} (connector VARCHAR, stream VARCHAR, state VARCHAR, updated_at TIMESTAMPTZ)`,
      );
      await tx.run(
        `CREATE TABLE IF NOT EXISTS ${SYNC_HISTORY} (run_id VARCHAR, connector VARCHAR, stream VARCHAR, table_name VARCHAR,
          mode VARCHAR, started_at TIMESTAMPTZ, rows BIGINT, bytes BIGINT, duration_ms BIGINT, rejects BIGINT,
          status VARCHAR, error VARCHAR)`,
      );
      await tx.run(
        `CREATE TABLE IF NOT EXISTS ${SYNC_REJECTS} (run_id VARCHAR, connector VARCHAR, stream VARCHAR, source VARCHAR,
          line BIGINT, reason VARCHAR, recorded_at TIMESTAMPTZ)`,
      );
    });
  } catch (err) {
    if ((err as { code?: string }).code !== 'WRITE_CONFLICT') throw err;
  }
}

/** The committed state of a stream, or undefined when it never completed a load. */
export async function readState(
  lake: Lakehouse,
  connector: string,
  stream: string,
): Promise<StreamState | undefined> {
  const r = await lake.query(`SELECT state FROM ${SYNC_STATE} WHERE connector = $1 AND stream = $2`, [
    connector,
    stream,
  ]);
  const raw = r.rows[0]?.[0];
  return typeof raw === 'string' ? (JSON.parse(raw) as StreamState) : undefined;
}

/** Replace a stream's state inside the load's transaction, so it moves only if the data commits. */
export async function writeState(
  tx: WriteTransaction,
  connector: string,
  stream: string,
  state: StreamState | undefined,
): Promise<void> {
  await tx.run(`DELETE FROM ${SYNC_STATE} WHERE connector = $1 AND stream = $2`, [connector, stream]);
  if (state !== undefined) {
    await tx.run(`INSERT INTO ${SYNC_STATE} VALUES ($1, $2, $3, now())`, [
      connector,
      stream,
      JSON.stringify(state),
    ]);
  }
}

/** Append one history row (inside the load's transaction, or on its own after a failure). */
export async function writeHistory(tx: WriteTransaction, h: SyncHistoryRow): Promise<void> {
  await tx.run(
    `INSERT INTO ${SYNC_HISTORY} VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMPTZ, $7, $8, $9, $10, $11, $12)`,
    [
      h.runId,
      h.connector,
      h.stream,
      h.table,
      h.mode,
      h.startedAt.toISOString(),
      h.rows,
      h.bytes,
      Math.round(h.durationMs),
      h.rejects,
      h.status,
      h.error,
    ],
  );
}
