import type { CustomGranularity, DimensionType, MeasureType, SafeHarborMask } from '../compiler/index.ts';
import type { Granularity } from '../query/index.ts';

/**
 * What differs between SQL engines. The planner builds queries from these pieces only, so a
 * new engine is one more implementation of this interface (DuckDB is the one today).
 */
export interface SqlDialect {
  readonly name: string;
  quote(identifier: string): string;
  /** A lake table. */
  table(schema: string, table: string): string;
  /** The placeholder of the n-th (1-based) bound value. */
  placeholder(n: number): string;
  /** A bound value used as a value of the given member type. */
  typedValue(placeholder: string, type: DimensionType | 'measure'): string;
  /**
   * A time value as a zone-less timestamp in the query's time zone. `sqlType` is the column's
   * engine type when known; `zone` is the placeholder of the time zone, or null for UTC.
   */
  asTimestamp(expr: string, sqlType: string | undefined, zone: string | null): string;
  asString(expr: string, sqlType: string | undefined): string;
  truncate(granularity: Granularity, expr: string): string;
  /** The start of a custom granularity's bucket holding a time. */
  bucket(granularity: CustomGranularity, expr: string): string;
  /** A Cube interval (`3 months`, already validated) as an interval literal. */
  interval(text: string): string;
  /** Cube's wire format for times: `2020-01-31T00:00:00.000`. */
  formatTimestamp(expr: string): string;
  contains(expr: string, value: string): string;
  startsWith(expr: string, value: string): string;
  endsWith(expr: string, value: string): string;
  aggregate(
    type: Exclude<MeasureType, 'number' | 'rank'>,
    expr: string | null,
    filter: string | null,
  ): string;
  /** A Safe Harbor mask of a value, and the engine type it yields. */
  safeHarbor(
    rule: SafeHarborMask,
    expr: string,
    sqlType: string | undefined,
  ): { sql: string; type: string | undefined };
  readonly limitClause: (limit: string, offset: string) => string;
  /**
   * Ends a SELECT that applies a row policy so that no filter of the caller's query can be
   * evaluated below it, on rows the policy removes (where a raising expression would turn hidden
   * values into "error or not"). On DuckDB: a LIMIT no query reaches, since the optimiser never
   * moves a filter across a LIMIT.
   */
  readonly rowPolicyBarrier: string;
}
