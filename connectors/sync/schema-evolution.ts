import { SchemaIncompatibleError } from '../errors.ts';
import type { StreamColumn } from '../sdk/types.ts';

/** What loading a stream does to its lake table's columns, decided before anything is written. */
export interface EvolutionPlan {
  /** The table's columns after the load, in order: existing first, then new ones. */
  columns: Array<{ name: string; type: string }>;
  added: Array<{ name: string; type: string }>;
  /** Widened in place by DuckLake (integer and float promotions). */
  promoted: Array<{ name: string; from: string; to: string }>;
  /** Widenings DuckLake cannot do in place (→ VARCHAR, INTEGER → DOUBLE, DATE → TIMESTAMP, …): the table is rewritten. */
  rewritten: Array<{ name: string; from: string; to: string }>;
}

const INT_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4, HUGEINT: 5 };
const UINT_RANK: Record<string, number> = { UTINYINT: 1, USMALLINT: 2, UINTEGER: 3, UBIGINT: 4 };
const FLOAT_RANK: Record<string, number> = { FLOAT: 1, DOUBLE: 2 };
const DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/;

/** Canonical spelling, so `int`, `INT4` and `INTEGER` compare equal. */
export function normalizeType(type: string): string {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  const alias: Record<string, string> = {
    INT: 'INTEGER',
    INT4: 'INTEGER',
    INT8: 'BIGINT',
    LONG: 'BIGINT',
    INT2: 'SMALLINT',
    SHORT: 'SMALLINT',
    INT1: 'TINYINT',
    FLOAT8: 'DOUBLE',
    'DOUBLE PRECISION': 'DOUBLE',
    FLOAT4: 'FLOAT',
    REAL: 'FLOAT',
    TEXT: 'VARCHAR',
    STRING: 'VARCHAR',
    BOOL: 'BOOLEAN',
    DATETIME: 'TIMESTAMP',
    'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
    NUMERIC: 'DECIMAL(18,3)',
    DECIMAL: 'DECIMAL(18,3)',
  };
  const m = /^(?:DECIMAL|NUMERIC)\((\d+)(?:,\s*(\d+))?\)$/.exec(t);
  if (m) return `DECIMAL(${m[1]},${m[2] ?? '0'})`;
  return alias[t] ?? t;
}

/** Whether a value of type `from` always fits in `to` without loss of meaning. */
export function isWidening(fromType: string, toType: string): boolean {
  const from = normalizeType(fromType);
  const to = normalizeType(toType);
  if (from === to || to === 'VARCHAR' || to === 'JSON') return true;
  const fi = INT_RANK[from] ?? UINT_RANK[from];
  if (INT_RANK[from] && INT_RANK[to]) return (INT_RANK[from] ?? 0) <= (INT_RANK[to] ?? 0);
  if (UINT_RANK[from] && UINT_RANK[to]) return (UINT_RANK[from] ?? 0) <= (UINT_RANK[to] ?? 0);
  if (UINT_RANK[from] && INT_RANK[to]) return (UINT_RANK[from] ?? 0) < (INT_RANK[to] ?? 0);
  if (fi && FLOAT_RANK[to] === 2) return true;
  if (FLOAT_RANK[from] && FLOAT_RANK[to]) return (FLOAT_RANK[from] ?? 0) <= (FLOAT_RANK[to] ?? 0);
  const fd = DECIMAL.exec(from);
  const td = DECIMAL.exec(to);
  if (fd && td) {
    const [fp, fs] = [Number(fd[1]), Number(fd[2])];
    const [tp, ts] = [Number(td[1]), Number(td[2])];
    return ts >= fs && tp - ts >= fp - fs;
  }
  if (fd && FLOAT_RANK[to] === 2) return true;
  if (fi && td) return Number(td[1]) - Number(td[2]) >= [0, 3, 5, 10, 19, 39][fi]!;
  if (from === 'DATE' && (to === 'TIMESTAMP' || to === 'TIMESTAMPTZ')) return true;
  return false;
}

/** Whether DuckLake widens the column in place (no rewrite). */
function promotesInPlace(from: string, to: string): boolean {
  const f = normalizeType(from);
  const t = normalizeType(to);
  if (INT_RANK[f] && INT_RANK[t]) return true;
  if (UINT_RANK[f] && UINT_RANK[t]) return true;
  return f === 'FLOAT' && t === 'DOUBLE';
}

/**
 * Compare the lake table's columns with the stream's. New columns are added; a column whose type
 * widens is widened; a column that would narrow keeps its wider lake type (the values fit); any
 * other change is incompatible and the stream stops before writing anything.
 *
 * @example planEvolution('t', [{ name: 'a', type: 'INTEGER' }], [{ name: 'a', type: 'BIGINT' }])
 */
export function planEvolution(
  table: string,
  existing: ReadonlyArray<{ name: string; type: string }> | undefined,
  incoming: readonly StreamColumn[],
): EvolutionPlan {
  if (!existing) {
    const columns = incoming.map((c) => ({ name: c.name, type: normalizeType(c.type) }));
    return { columns, added: columns, promoted: [], rewritten: [] };
  }
  const byName = new Map(existing.map((c) => [c.name.toLowerCase(), c]));
  const columns = existing.map((c) => ({ name: c.name, type: normalizeType(c.type) }));
  const plan: EvolutionPlan = { columns, added: [], promoted: [], rewritten: [] };
  const problems: string[] = [];
  for (const col of incoming) {
    const have = byName.get(col.name.toLowerCase());
    const want = normalizeType(col.type);
    if (!have) {
      const added = { name: col.name, type: want };
      plan.added.push(added);
      columns.push(added);
      continue;
    }
    const current = normalizeType(have.type);
    if (current === want || isWidening(want, current)) continue;
    if (isWidening(current, want)) {
      const change = { name: have.name, from: current, to: want };
      (promotesInPlace(current, want) ? plan.promoted : plan.rewritten).push(change);
      const target = columns.find((c) => c.name === have.name);
      if (target) target.type = want;
      continue;
    }
    problems.push(`column ${col.name} was ${current} and is now ${want}`);
  }
  if (problems.length > 0) {
    throw new SchemaIncompatibleError(
      `The source schema of ${table} changed incompatibly (${problems.join('; ')}); nothing was written. ` +
        `Run a full refresh into a new table, or cast the column at the source.`,
    );
  }
  return plan;
}
