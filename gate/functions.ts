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
  // The lake's own helpers (the keyed pseudonym function): policies use them, callers may not.
  'analyst_',
];
/**
 * Single functions that look harmless but are not: `stats` prints the storage statistics of its
 * argument's base column (min/max over every row, including rows the policy filters out);
 * `json_serialize_plan` binds SQL text it is given, outside the gate; `getvariable` reads session
 * variables; `get_block_size` reads database storage; `vector_type` reveals how rows are stored.
 */
const DENY_EXACT = new Set(['stats', 'json_serialize_plan', 'getvariable', 'get_block_size', 'vector_type']);
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
    if (DENY_EXACT.has(n)) continue;
    if (ALLOWED_CURRENT.has(n) || !DENY_PREFIXES.some((p) => n.startsWith(p))) allowed.add(n);
  }
  // Operators, window functions and unnest arrive as FUNCTION or WINDOW nodes under these names.
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
    // Expands a list into rows; only ever over values the statement already has.
    'unnest',
  ]) {
    allowed.add(n);
  }
  return allowed;
}
