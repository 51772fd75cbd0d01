import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { quoteIdent } from '../core/index.ts';
import { type QueryResult, toQueryResult } from './result.ts';
import type { Params } from './types.ts';

/** How much the copies may hold. */
export interface TableCopyLimits {
  /** A table with more rows is not copied (it is read from the lake as before). */
  maxRows: number;
  /** Rows held over all copies; past it a table is not copied. */
  maxTotalRows: number;
  /** Prepared statements kept for statements that read copies. */
  maxStatements: number;
}

export const DEFAULT_COPY_LIMITS: TableCopyLimits = {
  maxRows: 100_000,
  maxTotalRows: 500_000,
  maxStatements: 64,
};

/** Runs `exec` on `conn` under the caller's timeout and cancellation, mapping its errors. */
export type Guard = <T>(conn: DuckDBConnection, exec: () => Promise<T>) => Promise<T>;

interface Copy {
  snapshot: number;
  /** The temporary table holding it (`temp.main."…"`); undefined: too large at `snapshot`. */
  relation: string | undefined;
  rows: number;
}

/**
 * Private in-memory copies of small lake tables (rollups) as of one snapshot, for statements that
 * read nothing else. Reading a DuckLake table costs a few ms whatever its size (the catalog's
 * snapshot, the table's file list, opening and decrypting a Parquet file); a copy costs a read of
 * an in-memory table. A statement still reads exactly the lake as of the latest snapshot:
 *
 * - each statement first reads the latest snapshot id from the catalog; a copy is used only when
 *   it was made `AT (VERSION => that id)`; a table is copied again on first use after a commit,
 *   and copies of older snapshots are dropped (so at most one snapshot's copies are held);
 * - the copies are temporary tables of one connection of their own: no other connection (the
 *   governed gate's included) can name them, and that connection has no default lake catalog, so
 *   a name the statement does not qualify cannot reach a lake table either;
 * - the caller rewrites its statement to read the copies and returns null when the statement
 *   reads anything else of the lake (then it runs on the lake as before).
 *
 * Bounded by rows (per table and in all) and by the number of prepared statements kept; the
 * statements are dropped whenever a copy is made or dropped.
 */
export class TableCopies {
  readonly #copies = new Map<string, Copy>();
  readonly #statements = new Map<string, DuckDBPreparedStatement>();
  #queue: Promise<unknown> = Promise.resolve();
  #snapshot: number | undefined;

  constructor(
    private readonly conn: DuckDBConnection,
    /** A statement whose one value is the id of the latest committed snapshot. */
    private readonly latestSnapshotSql: string,
    /** `lake."schema"."table"` for a table name `schema.table`. */
    private readonly tableRef: (name: string) => string,
    private readonly limits: TableCopyLimits = DEFAULT_COPY_LIMITS,
  ) {}

  /**
   * Run the statement `sqlFor` writes over copies of `tables` (`schema.table`, each given its
   * copy's relation), as of the latest snapshot. Null when a table is too large to copy, cannot be
   * read at that snapshot, or `sqlFor` returns null: the caller then runs its statement on the lake.
   */
  query(
    tables: readonly string[],
    sqlFor: (relations: ReadonlyMap<string, string>) => string | null,
    params: Params,
    guard: Guard,
  ): Promise<(QueryResult & { snapshot: number }) | null> {
    // The timeout covers the whole turn: reading the snapshot id, copying, the statement.
    const next = this.#queue.then(() => guard(this.conn, () => this.#query(tables, sqlFor, params)));
    this.#queue = next.catch(() => {});
    return next;
  }

  /** What is held now (tests and status). */
  held(): { snapshot: number | undefined; tables: Array<{ table: string; rows: number }> } {
    return {
      snapshot: this.#snapshot,
      tables: [...this.#copies]
        .filter(([, c]) => c.relation !== undefined)
        .map(([table, c]) => ({ table, rows: c.rows })),
    };
  }

  /** Drop everything and close the connection (with the lake). */
  close(): void {
    this.#dropStatements();
    this.#copies.clear();
    this.conn.closeSync();
  }

  async #query(
    tables: readonly string[],
    sqlFor: (relations: ReadonlyMap<string, string>) => string | null,
    params: Params,
  ): Promise<(QueryResult & { snapshot: number }) | null> {
    const snapshot = await this.conn.runAndReadAll(this.latestSnapshotSql).then(
      (r) => Number(r.getRows()[0]?.[0]),
      () => Number.NaN,
    );
    if (!Number.isSafeInteger(snapshot)) return null;
    if (snapshot !== this.#snapshot) await this.#dropAll(snapshot);
    const relations = new Map<string, string>();
    for (const table of tables) {
      const relation = await this.#copy(table, snapshot);
      if (!relation) return null;
      relations.set(table, relation);
    }
    const sql = sqlFor(relations);
    if (sql === null) return null;
    const statement = await this.#prepared(sql);
    statement.clearBindings();
    if (params.length) statement.bind(params as DuckDBValue[]);
    return { ...toQueryResult(await statement.runAndReadAll()), snapshot };
  }

  /** The copy of `table` as of `snapshot`, made now if needed; undefined when it is not copied. */
  async #copy(table: string, snapshot: number): Promise<string | undefined> {
    const held = this.#copies.get(table);
    if (held?.snapshot === snapshot) return held.relation;
    const relation = `temp.main.${quoteIdent(`__lake_copy__${table.replace('.', '__')}`)}`;
    const total = [...this.#copies.values()].reduce((n, c) => n + c.rows, 0);
    const room = Math.min(this.limits.maxRows, this.limits.maxTotalRows - total);
    this.#dropStatements();
    try {
      if (room <= 0) throw new RangeError('no room');
      await this.conn.run(
        `CREATE OR REPLACE TEMP TABLE ${relation} AS SELECT * FROM ${this.tableRef(table)} AT (VERSION => ${snapshot}) LIMIT ${room + 1}`,
      );
      const n = Number((await this.conn.runAndReadAll(`SELECT count(*) FROM ${relation}`)).getRows()[0]?.[0]);
      if (n > room) throw new RangeError('too large');
      this.#copies.set(table, { snapshot, relation, rows: n });
      return relation;
    } catch {
      // Too large, or not readable at this snapshot: read from the lake (which says why, if anything).
      await this.conn.run(`DROP TABLE IF EXISTS ${relation}`).catch(() => {});
      this.#copies.set(table, { snapshot, relation: undefined, rows: 0 });
      return undefined;
    }
  }

  async #dropAll(snapshot: number): Promise<void> {
    this.#dropStatements();
    for (const c of this.#copies.values())
      if (c.relation) await this.conn.run(`DROP TABLE IF EXISTS ${c.relation}`);
    this.#copies.clear();
    this.#snapshot = snapshot;
  }

  async #prepared(sql: string): Promise<DuckDBPreparedStatement> {
    const hit = this.#statements.get(sql);
    if (hit) {
      // Most recently used last.
      this.#statements.delete(sql);
      this.#statements.set(sql, hit);
      return hit;
    }
    const statement = await this.conn.prepare(sql);
    if (this.#statements.size >= this.limits.maxStatements) {
      const [oldest, s] = this.#statements.entries().next().value!;
      s.destroySync();
      this.#statements.delete(oldest);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  #dropStatements(): void {
    for (const s of this.#statements.values()) s.destroySync();
    this.#statements.clear();
  }
}
