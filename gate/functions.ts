import type { Lakehouse } from '../lakehouse/index.ts';

/**
 * Functions a governed statement may call: DuckDB's scalar, aggregate and window functions and
 * built-in macros, minus anything that reads files or the network, reveals settings or the
 * environment, touches sequences, executes SQL text, or belongs to an extension's catalog API.
 * An allowlist read from the engine itself, so a function we have not thought about is refused.
 */
const DENY_PREFIXES = [
  'read_',
  'glob',
  'getenv',
  'current_setting',
  'duckdb_',
  'pragma_',
  'sql_',
  'ducklake',
  'postgres',
  'pg_',
  'mysql',
  'sqlite',
  'parquet_',
  'iceberg',
  'delta',
  'json_execute',
  'query',
  'has_',
  'enable_',
  'disable_',
  'checkpoint',
  'force_checkpoint',
  'nextval',
  'currval',
  'setseed',
  'write_',
  'load_',
  'install_',
  'http',
  's3',
  'azure',
  'gcs',
  'current_',
  'col_description',
  'obj_description',
  'shobj_description',
  'format_pg_type',
  'format_type',
  'txid_',
  'in_search_path',
  'which_secret',
  'version',
  'platform',
  'user',
  'session_user',
];
/** current_* functions that are only clocks. */
const ALLOWED_CURRENT = new Set([
  'current_date',
  'current_time',
  'current_timestamp',
  'current_localtime',
  'current_localtimestamp',
]);

export async function allowedFunctions(lake: Lakehouse): Promise<Set<string>> {
  const r = await lake.query(
    `SELECT DISTINCT lower(function_name) FROM duckdb_functions()
     WHERE function_type IN ('scalar', 'aggregate', 'macro') AND NOT internal IS NULL`,
  );
  const allowed = new Set<string>();
  for (const [name] of r.rows as string[][]) {
    const n = String(name);
    if (ALLOWED_CURRENT.has(n) || !DENY_PREFIXES.some((p) => n.startsWith(p))) allowed.add(n);
  }
  // Operators and window functions arrive as FUNCTION or WINDOW nodes under these names.
  for (const n of [
    'row_number',
    'rank',
    'dense_rank',
    'percent_rank',
    'cume_dist',
    'ntile',
    'lag',
    'lead',
    'first_value',
    'last_value',
    'nth_value',
  ]) {
    allowed.add(n);
  }
  return allowed;
}
