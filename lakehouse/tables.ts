import { quoteIdent, quoteLiteral } from '../core/index.ts';
import type { QueryResult } from './result.ts';
import type { Params, WriteTransaction } from './types.ts';

/** PHI classification of a column (Safe Harbor): direct identifier, quasi-identifier, or neither. */
export type PhiTag = 'direct' | 'quasi' | 'none';

/** Tags on a column; `phi` is the one policies read, others are free-form. */
export type ColumnTags = { phi?: PhiTag } & Record<string, string>;

/** A column to create or add. */
export interface ColumnDef {
  name: string;
  /** DuckDB type, e.g. VARCHAR, BIGINT, DECIMAL(18,2), TIMESTAMP. */
  type: string;
  comment?: string | undefined;
  tags?: ColumnTags | undefined;
}

/** A table as the lake describes it. */
export interface TableInfo {
  name: string;
  comment: string | null;
  columns: Array<{ name: string; type: string; comment: string | null; tags: Record<string, string> }>;
}

/** Reads table and column metadata (names, types, comments, tags) from the lake. */
export class TableCatalog {
  constructor(
    private readonly query: (sql: string, params?: Params) => Promise<QueryResult>,
    private readonly tagTable: string,
  ) {}

  /** User tables in `lake.main`, with columns, comments and tags. */
  async list(): Promise<TableInfo[]> {
    const tables = await this.query(
      `SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = 'main' ORDER BY table_name`,
    );
    const cols = await this.query(
      `SELECT table_name, column_name, data_type, comment FROM duckdb_columns()
       WHERE database_name = 'lake' AND schema_name = 'main' ORDER BY table_name, column_index`,
    );
    const tags = await this.query(`SELECT table_name, column_name, tag, value FROM ${this.tagTable}`);
    const tagMap = new Map<string, Record<string, string>>();
    for (const [t, c, k, v] of tags.rows as string[][]) {
      const key = `${t}\u0000${c}`;
      const entry = tagMap.get(key) ?? {};
      entry[k as string] = v as string;
      tagMap.set(key, entry);
    }
    return tables.rows.map(([name, comment]) => ({
      name: String(name),
      comment: (comment as string | null) ?? null,
      columns: cols.rows
        .filter((r) => r[0] === name)
        .map((r) => ({
          name: String(r[1]),
          type: String(r[2]),
          comment: (r[3] as string | null) ?? null,
          tags: tagMap.get(`${name}\u0000${r[1]}`) ?? {},
        })),
    }));
  }

  /** One table's description, or undefined when it does not exist. */
  async describe(name: string): Promise<TableInfo | undefined> {
    return (await this.list()).find((t) => t.name === name);
  }

  /** Write column comments and tags inside an open transaction (replacing earlier tags of the same key). */
  async writeColumnMetadata(
    tx: WriteTransaction,
    table: string,
    columns: readonly ColumnDef[],
  ): Promise<void> {
    for (const c of columns) {
      if (c.comment !== undefined) {
        await tx.run(
          `COMMENT ON COLUMN lake.main.${quoteIdent(table)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)}`,
        );
      }
    }
    // One DELETE and one INSERT for all tags: a statement per tag costs a DuckLake scan each.
    const tags = columns.flatMap((c) =>
      Object.entries(c.tags ?? {}).map(([tag, value]) => [c.name, tag, value] as const),
    );
    if (tags.length === 0) return;
    const keys = tags.map((_, i) => `($${2 + i * 2}, $${3 + i * 2})`).join(', ');
    await tx.run(`DELETE FROM ${this.tagTable} WHERE table_name = $1 AND (column_name, tag) IN (${keys})`, [
      table,
      // Only column and tag (each entry also carries its value): the key of what is replaced.
      ...tags.flatMap((entry) => entry.slice(0, 2)),
    ]);
    const rows = tags.map((_, i) => `($1, $${2 + i * 3}, $${3 + i * 3}, $${4 + i * 3})`).join(', ');
    await tx.run(`INSERT INTO ${this.tagTable} VALUES ${rows}`, [table, ...tags.flat()]);
  }
}
