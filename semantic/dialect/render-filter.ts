import type { DimensionType } from '../compiler/index.ts';
import { QueryInvalidError } from '../errors.ts';
import { localEnd, localStart } from '../query/index.ts';
import type { SqlDialect } from './dialect.ts';
import type { BoundValue, ParamCollector } from './params.ts';

/** The SQL a filter applies to and the kind of value it holds. */
export interface FilterTarget {
  sql: string;
  type: DimensionType | 'measure';
}

/** One filter condition (Cube operator semantics; string matching is case-insensitive). */
export function renderLeaf(
  target: FilterTarget,
  operator: string,
  values: ReadonlyArray<string | number | boolean | null>,
  params: ParamCollector,
  d: SqlDialect,
): string {
  const x = target.sql;
  const bind = (v: string | number | boolean | null) =>
    d.typedValue(params.add(typed(v, target.type)), target.type);
  const nonNull = values.filter((v) => v !== null);
  const hasNull = nonNull.length !== values.length;
  const any = (f: (p: string) => string) => `(${nonNull.map((v) => f(params.add(String(v)))).join(' OR ')})`;
  switch (operator) {
    case 'equals': {
      const parts = [];
      if (nonNull.length)
        parts.push(
          nonNull.length === 1 ? `${x} = ${bind(nonNull[0]!)}` : `${x} IN (${nonNull.map(bind).join(', ')})`,
        );
      if (hasNull) parts.push(`${x} IS NULL`);
      return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
    }
    case 'notEquals': {
      if (!nonNull.length) return hasNull ? `${x} IS NOT NULL` : 'TRUE';
      const cond =
        nonNull.length === 1
          ? `${x} <> ${bind(nonNull[0]!)}`
          : `${x} NOT IN (${nonNull.map(bind).join(', ')})`;
      return hasNull ? `(${cond})` : `(${cond} OR ${x} IS NULL)`;
    }
    case 'contains':
      return any((p) => d.contains(x, p));
    case 'notContains':
      return `(NOT ${any((p) => d.contains(x, p))} OR ${x} IS NULL)`;
    case 'startsWith':
      return any((p) => d.startsWith(x, p));
    case 'notStartsWith':
      return `(NOT ${any((p) => d.startsWith(x, p))} OR ${x} IS NULL)`;
    case 'endsWith':
      return any((p) => d.endsWith(x, p));
    case 'notEndsWith':
      return `(NOT ${any((p) => d.endsWith(x, p))} OR ${x} IS NULL)`;
    case 'gt':
      return `${x} > ${bind(one(values))}`;
    case 'gte':
      return `${x} >= ${bind(one(values))}`;
    case 'lt':
      return `${x} < ${bind(one(values))}`;
    case 'lte':
      return `${x} <= ${bind(one(values))}`;
    case 'set':
      return `${x} IS NOT NULL`;
    case 'notSet':
      return `${x} IS NULL`;
    case 'inDateRange':
    case 'notInDateRange': {
      const [a, b] = dateRange(values);
      const from = d.typedValue(params.add(a), 'time');
      const to = d.typedValue(params.add(b), 'time');
      return operator === 'inDateRange'
        ? `(${x} >= ${from} AND ${x} <= ${to})`
        : `(${x} < ${from} OR ${x} > ${to} OR ${x} IS NULL)`;
    }
    case 'beforeDate':
      return `${x} < ${d.typedValue(params.add(localStart(String(one(values)))), 'time')}`;
    case 'beforeOrOnDate':
      return `${x} <= ${d.typedValue(params.add(localEnd(String(one(values)))), 'time')}`;
    case 'afterDate':
      return `${x} > ${d.typedValue(params.add(localEnd(String(one(values)))), 'time')}`;
    case 'afterOrOnDate':
      return `${x} >= ${d.typedValue(params.add(localStart(String(one(values)))), 'time')}`;
    default:
      throw new QueryInvalidError(`Unknown filter operator ${operator}.`);
  }
}

function one(values: ReadonlyArray<string | number | boolean | null>): string | number | boolean {
  const v = values[0];
  if (v === undefined || v === null)
    throw new QueryInvalidError('This filter needs one value that is not null.');
  return v;
}

function dateRange(values: ReadonlyArray<string | number | boolean | null>): [string, string] {
  if (values.length !== 2) throw new QueryInvalidError('A date range filter needs a start and an end.');
  return [localStart(String(values[0])), localEnd(String(values[1]))];
}

/** A filter value as the member's type: numbers as numbers, times as local timestamps, … */
function typed(v: string | number | boolean | null, type: DimensionType | 'measure'): BoundValue {
  if (v === null) return null;
  if (type === 'number' || type === 'measure') {
    const n = typeof v === 'number' ? v : Number(v);
    if (typeof v === 'boolean' || String(v).trim() === '' || !Number.isFinite(n)) {
      if (type === 'measure') return String(v);
      throw new QueryInvalidError(`"${String(v).slice(0, 40)}" is not a number.`);
    }
    return n;
  }
  if (type === 'boolean') {
    if (v === true || v === 'true' || v === 1 || v === '1') return true;
    if (v === false || v === 'false' || v === 0 || v === '0') return false;
    throw new QueryInvalidError(`"${String(v).slice(0, 40)}" is not true or false.`);
  }
  if (type === 'time') return localStart(String(v));
  return String(v);
}
