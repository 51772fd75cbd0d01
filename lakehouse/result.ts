import { type DuckDBResultReader, DuckDBTypeId } from '@duckdb/node-api';

/** A column of a result: its name and DuckDB type as SQL spells it. */
export interface ResultColumn {
  name: string;
  type: string;
}

/** A result as plain JSON: numbers where they are exact, strings for dates, decimals beyond 2^53, … */
export interface QueryResult {
  columns: ResultColumn[];
  rows: unknown[][];
}

const NUMERIC = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
]);

/** Convert a materialised reader into JSON-safe columns and rows. */
export function toQueryResult(reader: DuckDBResultReader): QueryResult {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const columns = names.map((name, i) => ({ name, type: String(types[i]) }));
  const numeric = types.map((t) => NUMERIC.has(t.typeId));
  const rows = reader.getRowsJson().map((row) =>
    row.map((value, i) => {
      // DuckDB's JSON conversion gives big integers and decimals as strings; keep them exact
      // unless a JS number holds them without loss.
      if (numeric[i] && typeof value === 'string') {
        const n = Number(value);
        return Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(value)) ? n : value;
      }
      return value;
    }),
  );
  return { columns, rows };
}
