// One connection's statements: session commands (SET, SHOW, transactions) answered here,
// catalog queries answered from the caller's catalog, and everything else through the governed
// SQL gate with the same audit and limits as POST /v1/sql.
import { randomUUID } from 'node:crypto';
import { isAnalystError } from '../../core/index.ts';
import type { Identity } from '../auth/identity.ts';
import { securityContextOf } from '../auth/identity.ts';
import { ServerError } from '../errors.ts';
import { SlotUnavailable } from '../middleware/fair-slots.ts';
import { CatalogDatabase, catalogDialect } from './catalog.ts';
import { catalogErrorFields, WireError } from './errors.ts';
import { rewriteMeasures } from './measures.ts';
import type { SqlWireContext } from './services.ts';
import { firstKeyword, mapCode } from './sql-text.ts';

/** What one statement produced. */
export type StatementResult =
  | { kind: 'rows'; columns: Array<{ name: string; type: string }>; rows: unknown[][]; tag: string }
  | { kind: 'command'; tag: string; parameterStatus?: [string, string] }
  | { kind: 'empty' };

/** Settings a client may SET and SHOW; none changes what the gate does. */
function defaultSettings(user: string, applicationName: string, serverVersion: string): Map<string, string> {
  return new Map([
    ['server_version', serverVersion],
    ['server_version_num', serverVersionNum(serverVersion)],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['datestyle', 'ISO, MDY'],
    ['intervalstyle', 'postgres'],
    ['timezone', 'UTC'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
    ['application_name', applicationName],
    ['is_superuser', 'off'],
    ['session_authorization', user],
    ['search_path', '"$user", public'],
    ['transaction_isolation', 'read committed'],
    ['default_transaction_isolation', 'read committed'],
    ['transaction_read_only', 'on'],
    ['default_transaction_read_only', 'on'],
    ['max_identifier_length', '63'],
    ['statement_timeout', '0'],
    ['lock_timeout', '0'],
    ['idle_in_transaction_session_timeout', '0'],
    ['extra_float_digits', '1'],
    ['bytea_output', 'hex'],
    ['lc_collate', 'C'],
    ['lc_ctype', 'C'],
    ['lc_messages', 'C'],
    ['lc_monetary', 'C'],
    ['lc_numeric', 'C'],
    ['lc_time', 'C'],
    ['in_hot_standby', 'off'],
    ['role', 'none'],
    ['jit', 'off'],
    ['max_connections', '100'],
  ]);
}

function serverVersionNum(v: string): string {
  const [major = '15', minor = '0'] = v.split('.');
  return String(Number(major) * 10_000 + Number(minor));
}

/** Parameters reported to the client at startup and when SET changes them. */
export const REPORTED = [
  'server_version',
  'server_encoding',
  'client_encoding',
  'application_name',
  'DateStyle',
  'IntervalStyle',
  'TimeZone',
  'integer_datetimes',
  'standard_conforming_strings',
  'is_superuser',
  'session_authorization',
  'default_transaction_read_only',
  'in_hot_standby',
];

const UNSUPPORTED = new Set([
  'COPY',
  'LISTEN',
  'UNLISTEN',
  'NOTIFY',
  'DECLARE',
  'FETCH',
  'MOVE',
  'PREPARE',
  'EXECUTE',
  'DO',
  'LOCK',
]);

/** One authenticated connection's statement executor. */
export class StatementRunner {
  readonly settings: Map<string, string>;
  txStatus: 'I' | 'T' | 'E' = 'I';
  #catalog: Promise<CatalogDatabase> | undefined;

  constructor(
    private readonly ctx: SqlWireContext,
    readonly identity: Identity,
    readonly user: string,
    applicationName: string,
    private readonly clientAddress: string | undefined,
  ) {
    this.settings = defaultSettings(user, applicationName, ctx.options.serverVersion);
  }

  /** Run one statement; `signal` aborts it (a CancelRequest). */
  async run(sql: string, signal: AbortSignal): Promise<StatementResult> {
    const kw = firstKeyword(sql);
    if (this.txStatus === 'E' && kw !== 'ROLLBACK' && kw !== 'ABORT' && kw !== 'COMMIT' && kw !== 'END')
      throw new WireError(
        'WIRE_PROTOCOL',
        'current transaction is aborted, commands ignored until end of transaction block',
        '25P02',
      );
    switch (kw) {
      case '':
        return { kind: 'empty' };
      case 'BEGIN':
      case 'START':
        this.txStatus = 'T';
        return { kind: 'command', tag: 'BEGIN' };
      case 'COMMIT':
      case 'END': {
        const tag = this.txStatus === 'E' ? 'ROLLBACK' : 'COMMIT';
        this.txStatus = 'I';
        return { kind: 'command', tag };
      }
      case 'ROLLBACK':
      case 'ABORT':
        if (/^\s*ROLLBACK\s+TO\b/i.test(sql)) return { kind: 'command', tag: 'ROLLBACK' };
        this.txStatus = 'I';
        return { kind: 'command', tag: 'ROLLBACK' };
      case 'SAVEPOINT':
        return { kind: 'command', tag: 'SAVEPOINT' };
      case 'RELEASE':
        return { kind: 'command', tag: 'RELEASE' };
      case 'SET':
        return this.#set(sql);
      case 'RESET':
        return { kind: 'command', tag: 'RESET' };
      case 'SHOW':
        return this.#show(sql);
      case 'DISCARD':
        return { kind: 'command', tag: 'DISCARD ALL' };
      case 'DEALLOCATE':
        return { kind: 'command', tag: 'DEALLOCATE' };
      case 'CLOSE':
        return { kind: 'command', tag: 'CLOSE CURSOR' };
    }
    if (UNSUPPORTED.has(kw))
      throw new WireError(
        'WIRE_UNSUPPORTED',
        `${kw} is not supported by this server: it answers governed SELECT statements only.`,
        '0A000',
      );
    try {
      return await this.#query(sql, signal);
    } catch (err) {
      // Cancelled wherever it was (waiting for a slot, in the gate, in DuckDB): one answer.
      if (signal.aborted)
        throw new WireError('WIRE_CANCELLED', 'canceling statement due to user request', '57014');
      throw err;
    }
  }

  /** Mark the transaction failed after an error inside BEGIN … COMMIT. */
  failed(): void {
    if (this.txStatus === 'T') this.txStatus = 'E';
  }

  close(): void {
    this.#catalog?.then((c) => c.close()).catch(() => {});
  }

  #set(sql: string): StatementResult {
    const text = sql.replace(/;\s*$/, '').trim();
    if (/^SET\s+(SESSION\s+CHARACTERISTICS|TRANSACTION|CONSTRAINTS)\b/i.test(text))
      return { kind: 'command', tag: 'SET' };
    const tz = /^SET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+(.+)$/i.exec(text);
    const m = tz
      ? ['', 'timezone', tz[1] as string]
      : /^SET\s+(?:SESSION\s+|LOCAL\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=|\bTO\b)\s*(.+)$/i.exec(text);
    if (!m) throw new WireError('WIRE_UNSUPPORTED', 'This SET statement is not supported.', '0A000');
    const name = (m[1] as string).toLowerCase();
    const value = (m[2] as string)
      .trim()
      .split(/\s*,\s*/)
      .map((v) => v.replace(/^'(.*)'$/s, '$1').replace(/''/g, "'"))
      .join(', ');
    if (name === 'client_encoding' && !/^(utf-?8|unicode)$/i.test(value))
      throw new WireError('WIRE_UNSUPPORTED', 'Only the UTF8 client encoding is supported.', '0A000');
    this.settings.set(name, value.toUpperCase() === 'DEFAULT' ? (this.settings.get(name) ?? '') : value);
    const reported = REPORTED.find((r) => r.toLowerCase() === name);
    return {
      kind: 'command',
      tag: 'SET',
      ...(reported ? { parameterStatus: [reported, this.settings.get(name) ?? ''] as [string, string] } : {}),
    };
  }

  #show(sql: string): StatementResult {
    const m = /^SHOW\s+(.+?)\s*;?\s*$/i.exec(sql.trim());
    const raw = (m?.[1] ?? '').replace(/^"(.*)"$/, '$1');
    const words = raw.toLowerCase().split(/\s+/).join(' ');
    const name =
      { 'time zone': 'timezone', 'transaction isolation level': 'transaction_isolation' }[words] ??
      words.replaceAll(' ', '_');
    if (name === 'all') {
      return {
        kind: 'rows',
        columns: [
          { name: 'name', type: 'VARCHAR' },
          { name: 'setting', type: 'VARCHAR' },
          { name: 'description', type: 'VARCHAR' },
        ],
        rows: [...this.settings].map(([k, v]) => [k, v, '']),
        tag: 'SHOW',
      };
    }
    const value = this.settings.get(name);
    if (value === undefined)
      throw new WireError('WIRE_UNKNOWN_SETTING', `unrecognized configuration parameter "${raw}"`, '42704');
    return { kind: 'rows', columns: [{ name, type: 'VARCHAR' }], rows: [[value]], tag: 'SHOW' };
  }

  async #query(sql: string, signal: AbortSignal): Promise<StatementResult> {
    const catalog = await this.catalog();
    const dialect = catalogDialect(sql.replace(/;\s*$/, ''));
    const refs = await catalog.references(dialect);
    if (refs && isCatalogQuery(refs.tables)) {
      try {
        const r = await catalog.query(dialect, {
          timeoutMs: this.ctx.options.statementTimeoutMs,
          maxRows: this.ctx.options.maxRows,
          signal,
        });
        return { kind: 'rows', ...r, tag: `SELECT ${r.rows.length}` };
      } catch (err) {
        const f = catalogErrorFields(err);
        throw new WireError('WIRE_UNSUPPORTED', f.message, f.code);
      }
    }
    return this.#governed(sql, signal);
  }

  /** The caller's catalog, opened on first use. */
  catalog(): Promise<CatalogDatabase> {
    this.#catalog ??= (async () =>
      CatalogDatabase.open(await this.ctx.services.tables(securityContextOf(this.identity)), {
        user: this.user,
        database: this.ctx.options.database,
        serverVersion: this.ctx.options.serverVersion,
        processId: process.pid,
      }))();
    return this.#catalog;
  }

  async #governed(sql: string, signal: AbortSignal): Promise<StatementResult> {
    const { services, limits, options } = this.ctx;
    const security = securityContextOf(this.identity);
    const started = performance.now();
    const base = {
      requestId: `pg-${randomUUID()}`,
      route: 'SQL wire',
      clientAddress: this.clientAddress,
      identity: this.identity,
    };
    const key = `user:${this.identity.userId}`;
    let release: (() => void) | undefined;
    try {
      const wait = limits.rate.take(this.identity.userId);
      if (wait > 0) throw new ServerError('RATE_LIMITED', `Too many requests; retry in ${wait} s.`);
      const budgetWait = limits.budget.retryAfterMs(key);
      if (budgetWait > 0)
        throw new ServerError(
          'QUERY_BUDGET_SPENT',
          `You have used your query time for this minute; retry in ${Math.ceil(budgetWait / 1000)} s.`,
        );
      try {
        release = await limits.slots.acquire(key, {
          cap: options.perIdentity,
          waitMs: options.queueWaitMs,
          signal,
        });
      } catch (err) {
        if (!(err instanceof SlotUnavailable)) throw err;
        throw new ServerError(
          'BUSY',
          'The server is answering as many queries as it may at once for you or for everyone; retry shortly.',
        );
      }
      const text = await rewriteMeasures(
        stripPublicSchema(sql.replace(/;\s*$/, '')),
        await this.measures(),
        await this.catalog(),
      );
      const r = await services.governedSql(text, security, { signal, maxRows: options.maxRows });
      // Audited before a row is sent; a failed audit sends nothing.
      await services.audit({
        ...base,
        type: 'data',
        outcome: 'ok',
        latencyMs: Math.round(performance.now() - started),
        detail: {
          sql: r.sqlExecuted,
          question: sql,
          rowsReturned: r.rows.length,
          relations: r.relations ?? [],
        },
      });
      return { kind: 'rows', columns: r.columns, rows: r.rows, tag: `SELECT ${r.rows.length}` };
    } catch (err) {
      const refused = isAnalystError(err) && err.exitCode === 3;
      if (!(isAnalystError(err) && err.code === 'AUDIT_UNAVAILABLE'))
        await services.audit({
          ...base,
          type: refused ? 'refusal' : 'data',
          outcome: refused ? 'refused' : 'error',
          latencyMs: Math.round(performance.now() - started),
          detail: { question: sql, error: isAnalystError(err) ? err.code : 'INTERNAL' },
        });
      throw err;
    } finally {
      if (release) {
        release();
        limits.budget.charge(key, performance.now() - started);
      }
    }
  }

  #measures: ReturnType<SqlWireContext['services']['measures']> | undefined;
  measures(): ReturnType<SqlWireContext['services']['measures']> {
    this.#measures ??= this.ctx.services.measures(securityContextOf(this.identity));
    return this.#measures;
  }
}

/** Table functions catalog queries use (psql's \d); any other sends the statement to the gate. */
const CATALOG_TABLE_FUNCTIONS = new Set(['(function generate_series)', '(function unnest)']);

/** A query over pg_catalog or information_schema, or one that reads no table at all. */
function isCatalogQuery(tables: ReadonlyArray<{ schema: string; name: string }>): boolean {
  if (tables.length === 0) return true;
  // DuckDB's own table functions (duckdb_settings(), …) describe the engine: never answered here.
  if (tables.some((t) => t.name.startsWith('(function') && !CATALOG_TABLE_FUNCTIONS.has(t.name)))
    return false;
  return tables.some((t) => {
    const schema = t.schema.toLowerCase();
    // `main` holds this catalog's own tables (catalogDialect points information_schema there).
    return (
      schema === 'pg_catalog' ||
      schema === 'information_schema' ||
      schema === 'main' ||
      t.name.toLowerCase().startsWith('pg_')
    );
  });
}

/** `public.encounters` → `encounters`: cubes and views are the gate's relations, unqualified. */
export function stripPublicSchema(sql: string): string {
  return mapCode(sql, (code) =>
    code.replace(/(?<![A-Za-z0-9_."])public\s*\.\s*(?=[A-Za-z_"])/gi, ''),
  ).replace(/(?<![A-Za-z0-9_."])"public"\s*\.\s*(?=[A-Za-z_"])/g, '');
}
