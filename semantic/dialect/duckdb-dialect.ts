import { quoteIdent, quoteLiteral, RESTRICTED_ZIP3 } from '../../core/index.ts';
import { PSEUDONYM_FUNCTION } from '../../lakehouse/index.ts';
import type { CustomGranularity, DimensionType, MeasureType, SafeHarborMask } from '../compiler/index.ts';
import type { Granularity } from '../query/index.ts';
import type { SqlDialect } from './dialect.ts';

const TZ_TYPES = new Set(['TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ']);

/**
 * A zone-aware time as the zone-less UTC timestamp it stands for. `timezone('UTC', x)` goes through
 * ICU's calendar for every row (about ten times the cost of the scan on a time column); the
 * value's epoch microseconds are that same timestamp without it. An infinite time has no epoch and
 * keeps the ICU path; an expression other than a column keeps it too (it would be written thrice).
 */
function utcOf(expr: string): string {
  if (!/^[\w."]+$/.test(expr)) return `timezone('UTC', ${expr})`;
  return `CASE WHEN isfinite(${expr}) THEN make_timestamp(epoch_us(${expr})) ELSE timezone('UTC', ${expr}) END`;
}

/** DuckDB 1.4 (the lake's engine). */
export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  quote: quoteIdent,
  table: (schema, table) => `lake.${quoteIdent(schema)}.${quoteIdent(table)}`,
  placeholder: (n) => `$${n}`,
  typedValue(p: string, type: DimensionType | 'measure') {
    if (type === 'time') return `CAST(${p} AS TIMESTAMP)`;
    return p;
  },
  asTimestamp(expr, sqlType, zone) {
    const t = sqlType?.toUpperCase();
    if (t !== undefined && TZ_TYPES.has(t)) return zone === null ? utcOf(expr) : `timezone(${zone}, ${expr})`;
    const plain = t === 'TIMESTAMP' ? expr : `CAST(${expr} AS TIMESTAMP)`;
    // Zone-less values are taken as UTC; dates are calendar dates and stay as they are.
    if (zone === null || t === 'DATE') return plain;
    return `timezone(${zone}, timezone('UTC', ${plain}))`;
  },
  asString: (expr, sqlType) =>
    sqlType === undefined || sqlType.toUpperCase() === 'VARCHAR' ? expr : `CAST(${expr} AS VARCHAR)`,
  truncate: (g: Granularity, expr) => `date_trunc('${g}', ${expr})`,
  bucket(g: CustomGranularity, expr) {
    const step = duckdbDialect.interval(g.interval);
    if (g.origin !== undefined)
      return `time_bucket(${step}, ${expr}, CAST(${quoteLiteral(g.origin)} AS TIMESTAMP))`;
    if (g.offset !== undefined) {
      const neg = g.offset.trim().startsWith('-');
      const off = duckdbDialect.interval(g.offset.replace(/^\s*-\s*/, ''));
      return `time_bucket(${step}, ${expr}, ${neg ? `-${off}` : off})`;
    }
    return `time_bucket(${step}, ${expr})`;
  },
  interval: (text) => `INTERVAL ${quoteLiteral(text.trim())}`,
  formatTimestamp: (expr) => `strftime(${expr}, '%Y-%m-%dT%H:%M:%S.%g')`,
  contains: (e, v) => `contains(lower(CAST(${e} AS VARCHAR)), lower(${v}))`,
  startsWith: (e, v) => `starts_with(lower(CAST(${e} AS VARCHAR)), lower(${v}))`,
  endsWith: (e, v) => `ends_with(lower(CAST(${e} AS VARCHAR)), lower(${v}))`,
  aggregate(type: Exclude<MeasureType, 'number' | 'rank'>, expr, filter) {
    const f = filter ? ` FILTER (WHERE ${filter})` : '';
    switch (type) {
      case 'count':
        return `count(${expr ?? '*'})${f}`;
      case 'count_distinct':
        return `count(DISTINCT ${expr})${f}`;
      case 'count_distinct_approx':
        return `approx_count_distinct(${expr})${f}`;
      default:
        return `${type}(${expr})${f}`;
    }
  },
  safeHarbor(rule: SafeHarborMask, expr, sqlType) {
    const t = sqlType?.toUpperCase();
    const v =
      t !== undefined && TZ_TYPES.has(t)
        ? utcOf(expr)
        : t === 'VARCHAR'
          ? `CAST(${expr} AS TIMESTAMP)`
          : expr;
    switch (rule) {
      case 'year':
        return { sql: `make_date(year(${v}), 1, 1)`, type: 'DATE' };
      case 'birth_year':
        // Ages over 89 are one group (90+): birth years before that collapse into one year.
        return { sql: `make_date(greatest(year(${v}), year(current_date) - 90), 1, 1)`, type: 'DATE' };
      case 'zip3': {
        const z = `left(lpad(CAST(${expr} AS VARCHAR), 5, '0'), 3)`;
        return {
          sql: `CASE WHEN ${expr} IS NULL THEN NULL WHEN ${z} IN (${RESTRICTED_ZIP3.map((x) => `'${x}'`).join(', ')}) THEN '000' ELSE ${z} END`,
          type: 'VARCHAR',
        };
      }
      case 'age':
        return { sql: `CASE WHEN ${expr} >= 90 THEN 90 ELSE ${expr} END`, type: sqlType };
      case 'pseudonym':
        // Keyed (HMAC with the workspace key), stable: equal keys stay equal, so joins and
        // distinct counts over pseudonyms still work; the key never appears in the SQL.
        return { sql: `${PSEUDONYM_FUNCTION}(${expr})`, type: 'VARCHAR' };
    }
  },
  limitClause: (limit, offset) => `LIMIT ${limit} OFFSET ${offset}`,
  // A MATERIALIZED CTE is no barrier: DuckDB 1.4 pushes the filters of its readers into it.
  rowPolicyBarrier: 'LIMIT 9223372036854775807',
};
