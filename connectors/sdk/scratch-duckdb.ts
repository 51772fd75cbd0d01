import { DuckDBInstance } from '@duckdb/node-api';

/** A query runner over a private in-memory DuckDB. */
export type ScratchQuery = (sql: string) => Promise<unknown[][]>;

/**
 * Run `fn` with a throwaway in-memory DuckDB: connectors use it to glob folders and sniff file
 * schemas with DuckDB's own readers, so discovery agrees with how the files are loaded.
 *
 * @example const cols = await withScratchDuckDB((q) => q(`DESCRIBE SELECT * FROM read_parquet('x.parquet')`));
 */
export async function withScratchDuckDB<T>(fn: (query: ScratchQuery) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowsJS() as unknown[][]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
