import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { QueryResult } from './result.ts';

/** Parameters bound to `$1…` placeholders. */
export type Params = readonly DuckDBValue[];

/** A write in progress: one DuckLake transaction on the lake's write connection. */
export interface WriteTransaction {
  /** The raw connection, for staging (temp tables, appenders) inside the same transaction. */
  readonly connection: DuckDBConnection;
  run(sql: string, params?: Params): Promise<void>;
  all(sql: string, params?: Params): Promise<QueryResult>;
}
