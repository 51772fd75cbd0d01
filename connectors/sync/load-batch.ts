import { stat, unlink } from 'node:fs/promises';
import { quoteIdent, quoteLiteral } from '../../core/index.ts';
import type { WriteTransaction } from '../../lakehouse/index.ts';
import type { ArrowBatch, FileBatch } from '../sdk/types.ts';
import { appendArrow, stagingColumnsForArrow, stagingDdl } from './arrow-staging.ts';

/** A record that did not load: where it came from and why. */
export interface RejectedRecord {
  source: string;
  line: number;
  reason: string;
}

/** Where a batch's rows go: the lake table itself, or a temp table that is merged later. */
export interface LoadTarget {
  /** Fully qualified: `lake.main."t"` or `temp.main."_final_1"`. */
  ref: string;
  columns: ReadonlyArray<{ name: string; type: string }>;
  /** Extra `_batch`/`_offset` columns for dedupe ordering. */
  withOrder: boolean;
}

export interface BatchOutcome {
  rows: number;
  bytes: number;
  rejects: RejectedRecord[];
}

/**
 * Load one file batch. CSV goes straight from `read_csv` (typed by the stream's columns, bad lines
 * to a rejects table) into the target; Parquet and JSON are staged and cast with checks.
 */
export async function loadFileBatch(
  tx: WriteTransaction,
  batch: FileBatch,
  target: LoadTarget,
  streamColumns: ReadonlyArray<{ name: string; type: string }>,
  seq: number,
): Promise<BatchOutcome> {
  const bytes =
    batch.bytes ??
    (await stat(batch.path)
      .then((s) => s.size)
      .catch(() => 0));
  const source = batch.source ?? batch.path;
  try {
    if (batch.format === 'csv')
      return { ...(await loadCsv(tx, batch, target, streamColumns, seq, source)), bytes };
    const raw = `_raw_${seq}`;
    const reader =
      batch.format === 'parquet'
        ? `read_parquet(${quoteLiteral(batch.path)})`
        : `read_json(${quoteLiteral(batch.path)}, format = ${batch.format === 'ndjson' ? "'newline_delimited'" : "'auto'"})`;
    await tx.run(
      `CREATE TEMP TABLE ${raw} AS SELECT *, (row_number() OVER ()) - 1 AS "_offset" FROM ${reader}`,
    );
    const rawCols = await tempColumns(tx, raw);
    const out = await insertChecked(tx, raw, rawCols, target, streamColumns, seq, source);
    await tx.run(`DROP TABLE temp.main.${raw}`);
    return { ...out, bytes };
  } finally {
    if (batch.temporary) await unlink(batch.path).catch(() => {});
  }
}

async function loadCsv(
  tx: WriteTransaction,
  batch: FileBatch,
  target: LoadTarget,
  streamColumns: ReadonlyArray<{ name: string; type: string }>,
  seq: number,
  source: string,
): Promise<Omit<BatchOutcome, 'bytes'>> {
  const d = batch.csv ?? {};
  const rj = `_rejects_${seq}`;
  const rs = `_rejects_scan_${seq}`;
  const columns = `{${streamColumns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ')}}`;
  const options = [
    `header = ${d.header === false ? 'false' : 'true'}`,
    `delim = ${quoteLiteral(d.delimiter ?? ',')}`,
    `quote = ${quoteLiteral(d.quote ?? '"')}`,
    `escape = ${quoteLiteral(d.escape ?? '"')}`,
    `allow_quoted_nulls = ${d.allowQuotedNulls === false ? 'false' : 'true'}`,
    'auto_detect = false',
    `columns = ${columns}`,
    'store_rejects = true',
    `rejects_table = ${quoteLiteral(rj)}`,
    `rejects_scan = ${quoteLiteral(rs)}`,
  ].join(', ');
  const names = target.columns.filter((c) => streamColumns.some((s) => s.name === c.name)).map((c) => c.name);
  const list = names.map(quoteIdent).join(', ');
  const order = target.withOrder ? `, "_batch", "_offset"` : '';
  const orderSel = target.withOrder ? `, ${seq}, row_number() OVER ()` : '';
  const r = await tx.all(
    `INSERT INTO ${target.ref} (${list}${order}) SELECT ${list}${orderSel} FROM read_csv(${quoteLiteral(batch.path)}, ${options})`,
  );
  const rows = Number(r.rows[0]?.[0] ?? 0);
  // One record can fail several checks; it is one reject.
  const rejected = await tx.all(
    `SELECT line, string_agg(error_message, '; ') FROM temp.main.${quoteIdent(rj)} GROUP BY line ORDER BY line`,
  );
  await tx.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rj)}`);
  await tx.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rs)}`);
  return {
    rows,
    rejects: rejected.rows.map(([line, reason]) => ({ source, line: Number(line), reason: String(reason) })),
  };
}

/** Stage an Arrow batch in a temp table (appender, column-wise); returns its name and columns. */
export async function stageArrowBatch(
  tx: WriteTransaction,
  batch: ArrowBatch,
  seq: number,
  firstOffset: number,
): Promise<{ raw: string; columns: Array<{ name: string; type: string }> }> {
  const raw = `_raw_${seq}`;
  const columns = stagingColumnsForArrow(batch.table);
  await tx.run(`CREATE TEMP TABLE ${raw} (${stagingDdl(columns)})`);
  await appendArrow(tx.connection, raw, batch.table, firstOffset);
  return { raw, columns };
}

/** Append another Arrow batch with the same schema to an existing staging table. */
export async function appendArrowBatch(
  tx: WriteTransaction,
  raw: string,
  batch: ArrowBatch,
  firstOffset: number,
) {
  await appendArrow(tx.connection, raw, batch.table, firstOffset);
}

/**
 * Move staged rows into the target with each column cast to its declared type. A value that is
 * present but does not convert rejects its whole row (recorded with its offset), never the batch.
 */
export async function insertChecked(
  tx: WriteTransaction,
  raw: string,
  rawColumns: ReadonlyArray<{ name: string; type: string }>,
  target: LoadTarget,
  streamColumns: ReadonlyArray<{ name: string; type: string }>,
  seq: number,
  source: string,
): Promise<Omit<BatchOutcome, 'bytes'>> {
  const rawByName = new Map(rawColumns.map((c) => [c.name.toLowerCase(), c]));
  const exprs: string[] = [];
  const checks: string[] = [];
  const names: string[] = [];
  for (const col of target.columns) {
    const declared = streamColumns.find((s) => s.name === col.name);
    const src = rawByName.get(col.name.toLowerCase());
    if (!declared || !src) continue;
    names.push(quoteIdent(col.name));
    const ref = quoteIdent(src.name);
    if (sameType(src.type, col.type)) {
      exprs.push(ref);
      continue;
    }
    const cast = `TRY_CAST(${ref} AS ${col.type})`;
    exprs.push(cast);
    checks.push(
      `WHEN ${ref} IS NOT NULL AND ${cast} IS NULL THEN ${quoteLiteral(`column ${col.name}: value does not convert to ${col.type}`)}`,
    );
  }
  const reason = checks.length ? `CASE ${checks.join(' ')} END` : 'NULL::VARCHAR';
  const inner = `SELECT ${exprs.map((e, i) => `${e} AS ${names[i]}`).join(', ')}, ${reason} AS "_reason", "_offset" FROM temp.main.${raw}`;
  let rejects: RejectedRecord[] = [];
  if (checks.length) {
    const bad = await tx.all(
      `SELECT "_offset", "_reason" FROM (${inner}) WHERE "_reason" IS NOT NULL ORDER BY 1`,
    );
    rejects = bad.rows.map(([offset, why]) => ({ source, line: Number(offset), reason: String(why) }));
  }
  const order = target.withOrder ? `, "_batch", "_offset"` : '';
  const orderSel = target.withOrder ? `, ${seq}, "_offset"` : '';
  const r = await tx.all(
    `INSERT INTO ${target.ref} (${names.join(', ')}${order}) SELECT ${names.join(', ')}${orderSel} FROM (${inner}) WHERE "_reason" IS NULL`,
  );
  return { rows: Number(r.rows[0]?.[0] ?? 0), rejects };
}

/** Columns of a temp table. */
export async function tempColumns(
  tx: WriteTransaction,
  name: string,
): Promise<Array<{ name: string; type: string }>> {
  const r = await tx.all(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $1 ORDER BY column_index`,
    [name],
  );
  return r.rows.map(([n, t]) => ({ name: String(n), type: String(t) })).filter((c) => c.name !== '_offset');
}

function sameType(a: string, b: string): boolean {
  return a.replace(/\s/g, '').toUpperCase() === b.replace(/\s/g, '').toUpperCase();
}
