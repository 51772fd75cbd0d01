import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import { ConnectorAuthError, ConnectorError } from '../errors.ts';
import { defineConnector, secret } from '../sdk/define.ts';
import { lakeTypeFor } from '../sdk/sql-types.ts';
import type { ReadMessage, StreamDef } from '../sdk/types.ts';

const ident = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export const postgresSpec = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().positive().default(5432),
    database: z.string().min(1),
    user: z.string().min(1),
    password: secret('the database password').optional(),
    ssl: z.boolean().default(false),
    schema: z.string().regex(ident).default('public'),
    /** Tables to offer (default: every table in `schema`). */
    tables: z.array(z.string().regex(ident)).optional(),
    /** Extra streams defined by a read-only query: name → SELECT. */
    queries: z.record(z.string().regex(ident), z.string().min(1)).optional(),
    /** Cursor column per stream for incremental reads. */
    cursor_fields: z.record(z.string(), z.string().regex(ident)).optional(),
    /** Rows per batch (one staging file each). */
    batch_rows: z.number().int().min(1).default(250_000),
  })
  .strict();

export type PostgresOptions = z.infer<typeof postgresSpec>;

/**
 * PostgreSQL tables and queries. Reads run in one REPEATABLE READ, read-only transaction (one
 * consistent snapshot) and stream through `COPY … TO STDOUT (FORMAT csv)` into bounded CSV batch
 * files that DuckDB loads at its own speed. Incremental reads take rows whose cursor is above the
 * committed state and at most the snapshot's maximum, so no row is read twice or skipped.
 */
export const postgresConnector = defineConnector<PostgresOptions>({
  type: 'postgres',
  description: 'PostgreSQL tables or queries, streamed from one consistent snapshot',
  spec: postgresSpec,
  async check(options) {
    try {
      const c = await connect(options);
      await c.query('SELECT 1');
      await c.end();
      return true;
    } catch (err) {
      return { reason: (err as Error).message };
    }
  },
  async discover(options) {
    const c = await connect(options);
    try {
      const tables =
        options.tables ??
        (
          await c.query<{ t: string }>(
            `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
            [options.schema],
          )
        ).rows.map((r) => r.t);
      const streams: StreamDef[] = [];
      for (const t of tables) {
        const cols = await c.query<{ name: string; type: string }>(
          `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
           WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
          [`${c.escapeIdentifier(options.schema)}.${c.escapeIdentifier(t)}`],
        );
        if (cols.rows.length === 0)
          throw new ConnectorError('STREAM_NOT_FOUND', `postgres: no table ${options.schema}.${t}.`);
        const pk = await c.query<{ name: string }>(
          `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
          [`${c.escapeIdentifier(options.schema)}.${c.escapeIdentifier(t)}`],
        );
        const est = await c.query<{ n: string }>(
          `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`,
          [`${c.escapeIdentifier(options.schema)}.${c.escapeIdentifier(t)}`],
        );
        streams.push({
          name: t,
          columns: cols.rows.map((r) => ({ name: r.name, type: lakeTypeFor(r.type) })),
          primaryKey: pk.rows.map((r) => r.name),
          cursorField: options.cursor_fields?.[t],
          estimatedRows: Math.max(0, Number(est.rows[0]?.n ?? 0)) || undefined,
        });
      }
      for (const [name, sql] of Object.entries(options.queries ?? {})) {
        const r = await c.query(`SELECT * FROM (${sql}) q LIMIT 0`);
        const types = await c.query<{ type: string }>(
          `SELECT format_type(t.oid, x.mod) AS type FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS x(oid, mod, n)
           JOIN pg_type t ON t.oid = x.oid ORDER BY x.n`,
          [r.fields.map((f) => f.dataTypeID), r.fields.map((f) => f.dataTypeModifier)],
        );
        streams.push({
          name,
          columns: r.fields.map((f, i) => ({
            name: f.name,
            type: lakeTypeFor(types.rows[i]?.type ?? 'text'),
          })),
          primaryKey: [],
          cursorField: options.cursor_fields?.[name],
        });
      }
      return streams;
    } finally {
      await c.end();
    }
  },
  async *read(options, stream, state, ctx): AsyncGenerator<ReadMessage> {
    const c = await connect(options);
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const source = options.queries?.[stream.name]
        ? `(${options.queries[stream.name]}) q`
        : `${c.escapeIdentifier(options.schema)}.${c.escapeIdentifier(stream.name)}`;
      const cols = stream.columns.map((col) => c.escapeIdentifier(col.name)).join(', ');
      const conditions: string[] = [];
      let cursor = state?.cursor as string | undefined;
      if (stream.cursorField) {
        const cf = c.escapeIdentifier(stream.cursorField);
        if (cursor !== undefined) conditions.push(`${cf} > ${c.escapeLiteral(cursor)}`);
        const max = await c.query<{ m: string | null }>(
          `SELECT max(${cf})::text AS m FROM ${source}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
        );
        const m = max.rows[0]?.m;
        if (m === null || m === undefined) {
          await c.query('COMMIT');
          yield { type: 'state', state: state ?? {} };
          return;
        }
        conditions.push(`${cf} <= ${c.escapeLiteral(m)}`);
        cursor = m;
      }
      const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
      const copy = c.query(copyTo(`COPY (SELECT ${cols} FROM ${source}${where}) TO STDOUT (FORMAT csv)`));
      let n = 0;
      for await (const file of splitCsvRecords(copy, options.batch_rows, (i) =>
        join(ctx.tempDir, `${stream.name}-${i}.csv`),
      )) {
        n++;
        yield {
          type: 'batch',
          batch: {
            kind: 'file',
            path: file,
            format: 'csv',
            csv: { header: false, allowQuotedNulls: false },
            source: `${stream.name} batch ${n}`,
            temporary: true,
          },
        };
      }
      await c.query('COMMIT');
      yield { type: 'state', state: cursor === undefined ? {} : { cursor } };
    } finally {
      await c.end().catch(() => {});
    }
  },
});

async function connect(o: PostgresOptions): Promise<pg.Client> {
  const client = new pg.Client({
    host: o.host,
    port: o.port,
    database: o.database,
    user: o.user,
    password: o.password,
    ssl: o.ssl ? { rejectUnauthorized: true } : false,
    application_name: 'analyst-sync',
    connectionTimeoutMillis: 15_000,
  });
  try {
    await client.connect();
    return client;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const where = `${o.user}@${o.host}:${o.port}/${o.database}`;
    if (code.startsWith('28') || code === '3D000') {
      throw new ConnectorAuthError(`postgres: the server refused ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    throw new ConnectorError(
      'CONNECTOR_UNREACHABLE',
      `postgres: cannot reach ${where}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * Cut a CSV byte stream into files of at most `rows` records, at record boundaries (a newline
 * outside quotes). Each file is written whole before it is handed out.
 */
export async function* splitCsvRecords(
  input: AsyncIterable<Buffer>,
  rows: number,
  pathOf: (i: number) => string,
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let count = 0;
  let quoted = false;
  let i = 0;
  const flush = async () => {
    const path = pathOf(i++);
    await writeFile(path, Buffer.concat(parts));
    parts = [];
    count = 0;
    return path;
  };
  for await (const chunk of input) {
    let from = 0;
    for (let p = 0; p < chunk.length; p++) {
      const b = chunk[p];
      if (b === 34) quoted = !quoted;
      else if (b === 10 && !quoted && ++count >= rows) {
        parts.push(chunk.subarray(from, p + 1));
        from = p + 1;
        yield await flush();
      }
    }
    if (from < chunk.length) parts.push(chunk.subarray(from));
  }
  if (parts.length > 0 && parts.some((b) => b.length > 0)) yield await flush();
}
