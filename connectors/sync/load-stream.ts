import { isAnalystError, quoteIdent } from '../../core/index.ts';
import type { ColumnDef, Lakehouse, WriteTransaction } from '../../lakehouse/index.ts';
import { ConnectorError } from '../errors.ts';
import type {
  AnyConnector,
  ConnectorContext,
  OnReject,
  StreamDef,
  StreamState,
  SyncMode,
} from '../sdk/types.ts';
import {
  appendArrowBatch,
  insertChecked,
  type LoadTarget,
  loadFileBatch,
  type RejectedRecord,
  stageArrowBatch,
} from './load-batch.ts';
import { type PhiRule, tagColumns } from './phi-rules.ts';
import { type EvolutionPlan, planEvolution } from './schema-evolution.ts';
import { SYNC_REJECTS, type SyncHistoryRow, writeHistory, writeState } from './system-tables.ts';

/** Rows of Arrow data gathered in one staging table before they are written to the lake (fewer, larger files). */
const ARROW_FLUSH_ROWS = 500_000;
/** Rejected records kept with details per stream; the count is always exact. */
const MAX_REJECT_DETAILS = 10_000;

/** Progress of one stream, for the CLI's bar or plain lines. */
export type SyncEvent =
  | { type: 'stream-start'; connector: string; stream: string; estimatedRows?: number | undefined }
  | { type: 'progress'; connector: string; stream: string; rows: number; bytes: number }
  | { type: 'stream-end'; connector: string; result: StreamResult };

/** What loading one stream did. */
export interface StreamResult {
  stream: string;
  table: string;
  mode: SyncMode;
  rows: number;
  bytes: number;
  rejects: number;
  durationMs: number;
  status: 'ok' | 'failed';
  error?: { code: string; message: string } | undefined;
}

export interface LoadStreamInput {
  lake: Lakehouse;
  connectorName: string;
  connector: AnyConnector;
  options: unknown;
  stream: StreamDef;
  table: string;
  mode: SyncMode;
  onReject: OnReject;
  phiRules: readonly PhiRule[];
  state: StreamState | undefined;
  runId: string;
  author: string;
  ctx: ConnectorContext;
  redact: (text: string) => string;
  onEvent?: ((e: SyncEvent) => void) | undefined;
}

/**
 * Load one stream as ONE DuckLake transaction: schema changes, data, column tags, rejects, the
 * stream's new state and its history row all commit together or not at all. A process killed
 * mid-load leaves the lake as it was and the old state in place, so the next run reads the same
 * rows again and nothing is duplicated.
 */
export async function loadStream(input: LoadStreamInput): Promise<StreamResult> {
  const { lake, stream, table, mode } = input;
  const started = new Date();
  const t0 = performance.now();
  const emit = input.onEvent ?? (() => {});
  emit({
    type: 'stream-start',
    connector: input.connectorName,
    stream: stream.name,
    estimatedRows: stream.estimatedRows,
  });
  let rows = 0;
  let bytes = 0;
  let rejectCount = 0;
  const rejects: RejectedRecord[] = [];
  const history = (status: SyncHistoryRow['status'], error: string | null): SyncHistoryRow => ({
    runId: input.runId,
    connector: input.connectorName,
    stream: stream.name,
    table,
    mode,
    startedAt: started,
    rows,
    bytes,
    durationMs: performance.now() - t0,
    rejects: rejectCount,
    status,
    error,
  });
  const commit = { author: input.author, message: `sync ${input.connectorName}.${stream.name} (${mode})` };
  try {
    if (mode === 'incremental_dedupe' && stream.primaryKey.length === 0) {
      throw new ConnectorError(
        'CONNECTOR_CONFIG_INVALID',
        `Stream ${stream.name} has no primary key, so incremental_dedupe cannot merge it; use incremental_append or full_refresh, or set primary_key.`,
      );
    }
    await lake.withTransaction(commit, async (tx) => {
      const existing = await lakeColumns(tx, table);
      const plan = planEvolution(table, existing, stream.columns);
      await applyPlan(tx, table, plan, existing !== undefined, mode);
      const target: LoadTarget =
        mode === 'incremental_dedupe'
          ? { ref: 'temp.main."_final"', columns: plan.columns, withOrder: true }
          : { ref: `lake.main.${quoteIdent(table)}`, columns: plan.columns, withOrder: false };
      if (mode === 'incremental_dedupe') {
        const cols = plan.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
        await tx.run(`CREATE TEMP TABLE "_final" (${cols}, "_batch" BIGINT, "_offset" BIGINT)`);
      }
      let seq = 0;
      let arrowOffset = 0;
      let staged:
        | {
            raw: string;
            columns: Array<{ name: string; type: string }>;
            rows: number;
            sig: string;
            seq: number;
          }
        | undefined;
      let lastState: StreamState | undefined;
      const addRejects = (list: RejectedRecord[]) => {
        rejectCount += list.length;
        for (const r of list)
          if (rejects.length < MAX_REJECT_DETAILS) rejects.push({ ...r, reason: input.redact(r.reason) });
      };
      const flush = async () => {
        if (!staged) return;
        const out = await insertChecked(
          tx,
          staged.raw,
          staged.columns,
          target,
          stream.columns,
          staged.seq,
          `${stream.name} (arrow)`,
        );
        await tx.run(`DROP TABLE temp.main.${staged.raw}`);
        rows += out.rows;
        addRejects(out.rejects);
        staged = undefined;
      };
      const source = input.connector.read(input.options, stream, input.state, input.ctx);
      for await (const msg of source) {
        if (msg.type === 'state') {
          lastState = msg.state;
        } else if (msg.type === 'reject') {
          addRejects([{ source: msg.source, line: msg.offset, reason: msg.reason }]);
        } else if (msg.batch.kind === 'file') {
          await flush();
          const out = await loadFileBatch(tx, msg.batch, target, stream.columns, ++seq);
          rows += out.rows;
          bytes += out.bytes;
          addRejects(out.rejects);
        } else {
          const t = msg.batch.table;
          const sig = t.schema.fields.map((f) => `${f.name}:${f.type}`).join(',');
          if (staged && staged.sig !== sig) await flush();
          if (staged) await appendArrowBatch(tx, staged.raw, msg.batch, arrowOffset);
          else staged = { ...(await stageArrowBatch(tx, msg.batch, ++seq, arrowOffset)), rows: 0, sig, seq };
          staged.rows += t.numRows;
          arrowOffset += t.numRows;
          bytes += t.data.reduce((n, d) => n + d.byteLength, 0);
          if (staged.rows >= ARROW_FLUSH_ROWS) await flush();
        }
        emit({
          type: 'progress',
          connector: input.connectorName,
          stream: stream.name,
          rows: rows + (staged?.rows ?? 0),
          bytes,
        });
      }
      await flush();
      if (rejectCount > 0 && input.onReject === 'fail') {
        throw new ConnectorError(
          'REJECTS_PRESENT',
          `${rejectCount} record(s) of ${stream.name} were malformed and on_reject is fail; nothing was written. See ${SYNC_REJECTS} for run ${input.runId}.`,
        );
      }
      if (mode === 'incremental_dedupe') rows = await mergeFinal(tx, table, plan, stream.primaryKey);
      await writeRejects(tx, input, rejects);
      await lake.tables.writeColumnMetadata(tx, table, columnDefs(input, plan));
      if (mode !== 'full_refresh')
        await writeState(tx, input.connectorName, stream.name, lastState ?? input.state);
      await writeHistory(tx, history('ok', null));
    });
    const result: StreamResult = {
      stream: stream.name,
      table,
      mode,
      rows,
      bytes,
      rejects: rejectCount,
      durationMs: performance.now() - t0,
      status: 'ok',
    };
    emit({ type: 'stream-end', connector: input.connectorName, result });
    return result;
  } catch (caught) {
    const err = unwrapRollback(caught);
    const code = (err as { code?: string }).code ?? 'SYNC_FAILED';
    const message = input.redact(err instanceof Error ? err.message : String(err));
    // The load rolled back; its failure (and the rejects that caused it) is recorded on its own.
    if (code !== 'LAKE_CLOSED') {
      await lake
        .withTransaction(
          { author: input.author, message: `sync ${input.connectorName}.${stream.name} failed` },
          async (tx) => {
            await writeRejects(tx, input, rejects);
            await writeHistory(tx, history('failed', `${code}: ${message}`));
          },
        )
        .catch(() => {});
    }
    const result: StreamResult = {
      stream: stream.name,
      table,
      mode,
      rows: 0,
      bytes,
      rejects: rejectCount,
      durationMs: performance.now() - t0,
      status: 'failed',
      error: { code, message },
    };
    emit({ type: 'stream-end', connector: input.connectorName, result });
    return result;
  }
}

/** The lake wraps whatever aborted a transaction in WRITE_FAILED; the cause is what the user needs. */
function unwrapRollback(err: unknown): unknown {
  let e = err;
  while (
    (e as { code?: string }).code === 'WRITE_FAILED' &&
    isAnalystError((e as { cause?: unknown }).cause)
  ) {
    e = (e as { cause: unknown }).cause;
  }
  return e;
}

async function lakeColumns(
  tx: WriteTransaction,
  table: string,
): Promise<Array<{ name: string; type: string }> | undefined> {
  const r = await tx.all(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'lake' AND schema_name = 'main' AND table_name = $1 ORDER BY column_index`,
    [table],
  );
  return r.rows.length ? r.rows.map(([n, t]) => ({ name: String(n), type: String(t) })) : undefined;
}

async function applyPlan(
  tx: WriteTransaction,
  table: string,
  plan: EvolutionPlan,
  exists: boolean,
  mode: SyncMode,
) {
  const ref = `lake.main.${quoteIdent(table)}`;
  const ddl = plan.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  if (!exists || mode === 'full_refresh') {
    // Full refresh: a new table replaces the old one atomically at commit; readers see the old rows until then.
    await tx.run(`CREATE OR REPLACE TABLE ${ref} (${ddl})`);
    return;
  }
  for (const c of plan.added) await tx.run(`ALTER TABLE ${ref} ADD COLUMN ${quoteIdent(c.name)} ${c.type}`);
  for (const c of plan.promoted)
    await tx.run(`ALTER TABLE ${ref} ALTER COLUMN ${quoteIdent(c.name)} SET DATA TYPE ${c.to}`);
  if (plan.rewritten.length > 0) {
    const select = plan.columns
      .map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`)
      .join(', ');
    await tx.run(`CREATE TEMP TABLE "_rewrite" AS SELECT ${select} FROM ${ref}`);
    await tx.run(`CREATE OR REPLACE TABLE ${ref} (${ddl})`);
    await tx.run(`INSERT INTO ${ref} SELECT * FROM temp.main."_rewrite"`);
    await tx.run('DROP TABLE temp.main."_rewrite"');
  }
}

async function mergeFinal(
  tx: WriteTransaction,
  table: string,
  plan: EvolutionPlan,
  pk: readonly string[],
): Promise<number> {
  const cols = plan.columns.map((c) => quoteIdent(c.name));
  const keys = pk.map(quoteIdent);
  const latest = `SELECT ${cols.join(', ')} FROM temp.main."_final"
    QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY "_batch" DESC, "_offset" DESC) = 1`;
  const on = keys.map((k) => `t.${k} IS NOT DISTINCT FROM s.${k}`).join(' AND ');
  const set = cols.map((c) => `${c} = s.${c}`).join(', ');
  const r = await tx.all(
    `MERGE INTO lake.main.${quoteIdent(table)} AS t USING (${latest}) AS s ON ${on}
     WHEN MATCHED THEN UPDATE SET ${set} WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `s.${c}`).join(', ')})`,
  );
  await tx.run('DROP TABLE temp.main."_final"');
  return Number(r.rows[0]?.[0] ?? 0);
}

async function writeRejects(
  tx: WriteTransaction,
  input: LoadStreamInput,
  rejects: readonly RejectedRecord[],
) {
  for (let i = 0; i < rejects.length; i += 500) {
    const slice = rejects.slice(i, i + 500);
    const values = slice
      .map((_, j) => `($1, $2, $3, $${4 + j * 3}, $${5 + j * 3}, $${6 + j * 3}, now())`)
      .join(', ');
    await tx.run(`INSERT INTO ${SYNC_REJECTS} VALUES ${values}`, [
      input.runId,
      input.connectorName,
      input.stream.name,
      ...slice.flatMap((r) => [r.source, r.line, r.reason]),
    ]);
  }
}

function columnDefs(input: LoadStreamInput, plan: EvolutionPlan): ColumnDef[] {
  const phi = tagColumns(input.stream.columns, input.phiRules);
  return input.stream.columns
    .filter((c) => plan.columns.some((p) => p.name === c.name))
    .map((c) => ({
      name: c.name,
      type: c.type,
      comment: c.comment,
      tags: { phi: phi[c.name] ?? 'none', ...(c.references ? { references: c.references } : {}) },
    }));
}
