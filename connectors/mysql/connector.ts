import mysql from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { z } from 'zod';
import { ConnectorAuthError, ConnectorError } from '../errors.ts';
import { arrowFromColumns } from '../sdk/arrow-build.ts';
import { defineConnector, secret } from '../sdk/define.ts';
import { lakeTypeFor } from '../sdk/sql-types.ts';
import type { ReadMessage, StreamDef } from '../sdk/types.ts';

const ident = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export const mysqlSpec = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().positive().default(3306),
    database: z.string().regex(ident),
    user: z.string().min(1),
    password: secret('the database password').optional(),
    ssl: z.boolean().default(false),
    tables: z.array(z.string().regex(ident)).optional(),
    queries: z.record(z.string().regex(ident), z.string().min(1)).optional(),
    cursor_fields: z.record(z.string(), z.string().regex(ident)).optional(),
    batch_rows: z.number().int().min(1).default(50_000),
  })
  .strict();

export type MysqlOptions = z.infer<typeof mysqlSpec>;

const q = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/**
 * MySQL and MariaDB tables and queries. Rows stream from one `START TRANSACTION WITH CONSISTENT
 * SNAPSHOT` (InnoDB) and are handed on as Apache Arrow batches of `batch_rows` rows. Dates and
 * big numbers arrive as text so nothing is shifted by time zones or rounded.
 */
export const mysqlConnector = defineConnector<MysqlOptions>({
  type: 'mysql',
  description: 'MySQL / MariaDB tables or queries, streamed from one consistent snapshot',
  spec: mysqlSpec,
  async check(options) {
    try {
      const c = await connect(options);
      await c.promise().query('SELECT 1');
      await c.promise().end();
      return true;
    } catch (err) {
      return { reason: (err as Error).message };
    }
  },
  async discover(options) {
    const conn = await connect(options);
    const c = conn.promise();
    try {
      const streams: StreamDef[] = [];
      const tables =
        options.tables ??
        (
          await rows(
            c,
            `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
            [options.database],
          )
        ).map((r) => String(r[0]));
      for (const t of tables) {
        const cols = await rows(
          c,
          `SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
          [options.database, t],
        );
        if (cols.length === 0)
          throw new ConnectorError('STREAM_NOT_FOUND', `mysql: no table ${options.database}.${t}.`);
        const est = await rows(
          c,
          'SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
          [options.database, t],
        );
        streams.push({
          name: t,
          columns: cols.map((r) => ({ name: String(r[0]), type: lakeTypeFor(String(r[1])) })),
          primaryKey: cols.filter((r) => r[2] === 'PRI').map((r) => String(r[0])),
          cursorField: options.cursor_fields?.[t],
          estimatedRows: Number(est[0]?.[0] ?? 0) || undefined,
        });
      }
      for (const [name, sql] of Object.entries(options.queries ?? {})) {
        const [, fields] = await c.query({ sql: `SELECT * FROM (${sql}) q LIMIT 0`, rowsAsArray: true });
        streams.push({
          name,
          columns: (fields ?? []).map((f) => ({
            name: f.name,
            type: lakeTypeFor(fieldType(f.columnType ?? 253, f.length ?? 0, f.decimals ?? 0)),
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
  async *read(options, stream, state): AsyncGenerator<ReadMessage> {
    const conn = await connect(options);
    const c = conn.promise();
    try {
      await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const source = options.queries?.[stream.name]
        ? `(${options.queries[stream.name]}) q`
        : `${q(options.database)}.${q(stream.name)}`;
      const conditions: string[] = [];
      const params: unknown[] = [];
      let cursor = state?.cursor as string | undefined;
      if (stream.cursorField) {
        const cf = q(stream.cursorField);
        if (cursor !== undefined) {
          conditions.push(`${cf} > ?`);
          params.push(cursor);
        }
        const max = await rows(
          c,
          `SELECT CAST(max(${cf}) AS CHAR) FROM ${source}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
          params,
        );
        const m = max[0]?.[0];
        if (m === null || m === undefined) {
          await c.query('COMMIT');
          yield { type: 'state', state: state ?? {} };
          return;
        }
        conditions.push(`${cf} <= ?`);
        params.push(m);
        cursor = String(m);
      }
      const names = stream.columns.map((col) => col.name);
      const sql = `SELECT ${names.map(q).join(', ')} FROM ${source}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
      const rowStream = conn
        .query({ sql, values: params, rowsAsArray: true })
        .stream({ highWaterMark: 2048 });
      let columns: unknown[][] = names.map(() => []);
      let n = 0;
      for await (const row of rowStream as AsyncIterable<unknown[]>) {
        for (let i = 0; i < names.length; i++) columns[i]!.push(row[i]);
        if (++n >= options.batch_rows) {
          yield {
            type: 'batch',
            batch: { kind: 'arrow', table: arrowFromColumns(names, columns), source: stream.name },
          };
          columns = names.map(() => []);
          n = 0;
        }
      }
      if (n > 0)
        yield {
          type: 'batch',
          batch: { kind: 'arrow', table: arrowFromColumns(names, columns), source: stream.name },
        };
      await c.query('COMMIT');
      yield { type: 'state', state: cursor === undefined ? {} : { cursor } };
    } finally {
      await c.end().catch(() => {});
    }
  },
});

async function rows(c: Connection, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  const [r] = await c.query({ sql, values: params, rowsAsArray: true });
  return r as unknown[][];
}

function connect(o: MysqlOptions): Promise<mysql.Connection> {
  return new Promise((resolve, reject) => {
    const conn = mysql.createConnection({
      host: o.host,
      port: o.port,
      database: o.database,
      user: o.user,
      password: o.password,
      ssl: o.ssl ? { rejectUnauthorized: true } : undefined,
      dateStrings: true,
      supportBigNumbers: true,
      decimalNumbers: false,
      connectTimeout: 15_000,
    });
    conn.connect((err) => {
      if (!err) return resolve(conn);
      conn.destroy();
      const where = `${o.user}@${o.host}:${o.port}/${o.database}`;
      if (
        err.code === 'ER_ACCESS_DENIED_ERROR' ||
        err.code === 'ER_DBACCESS_DENIED_ERROR' ||
        err.code === 'ER_BAD_DB_ERROR'
      ) {
        reject(new ConnectorAuthError(`mysql: the server refused ${where}: ${err.message}`, { cause: err }));
      } else {
        reject(
          new ConnectorError('CONNECTOR_UNREACHABLE', `mysql: cannot reach ${where}: ${err.message}`, {
            cause: err,
          }),
        );
      }
    });
  });
}

/** A type name for a result field of a query stream (mysql protocol type codes). */
function fieldType(code: number, length: number, decimals: number): string {
  switch (code) {
    case 1:
      return length === 1 ? 'tinyint(1)' : 'tinyint';
    case 2:
      return 'smallint';
    case 3:
    case 9:
      return 'int';
    case 8:
      return 'bigint';
    case 4:
      return 'float';
    case 5:
      return 'double';
    case 0:
    case 246:
      return `decimal(${Math.max(1, length - (decimals > 0 ? 2 : 1))},${decimals})`;
    case 10:
      return 'date';
    case 7:
    case 12:
      return 'datetime';
    default:
      return 'varchar';
  }
}
