import type { SemanticModel } from '../compiler/index.ts';
import { QueryInvalidError } from '../errors.ts';

/**
 * Cube's calculation groups: a `type: switch` dimension has no column, only a list of values, and a
 * `case` measure is, for each value, the measure of its branch. A query grouped by switch
 * dimensions (or filtered on them with equals / notEquals) is answered as one query per
 * combination of their values, with the case measures replaced by their branch, and the answers
 * set side by side. Only cube members, top-level filters: anything else that names a switch
 * dimension or case measure is refused by normalizeQuery.
 */
export interface SwitchPlan {
  /** The switch dimensions the answer is grouped by, in the query's order. */
  grouped: string[];
  /** Every switch dimension and case measure the query names (each must be visible to the caller). */
  named: string[];
  /** One run per combination of switch values. */
  runs: SwitchRun[];
  /** Members for policy narrowing: what the caller asked for, with every branch it reads. */
  narrowWith: string[];
  /** Branch measures the runs may name although `public: false`. */
  internal: Set<string>;
  /** Case measures asked for, with their titles. */
  caseTitles: Map<string, string>;
  offset: number;
  limit: number;
  order: Array<[string, 'asc' | 'desc']>;
  /** The values of each switch dimension, in the model's order (for ordering by it). */
  values: Map<string, string[]>;
}

export interface SwitchRun {
  /** The switch value of each grouped or filtered switch dimension. */
  values: Record<string, string>;
  query: Record<string, unknown>;
  /** Case measure key → the branch measure key it reads in this run (null: no branch, NULL). */
  branches: Map<string, string | null>;
}

const DEFAULT_LIMIT = 10_000;
const MAX_RUNS = 64;

/** The plan for a query that uses switch dimensions or case measures; null when it uses none. */
export function planSwitchQuery(model: SemanticModel, query: unknown): SwitchPlan | null {
  if (!query || typeof query !== 'object' || Array.isArray(query)) return null;
  const q = query as Record<string, unknown>;
  const list = (k: string): unknown[] => (Array.isArray(q[k]) ? (q[k] as unknown[]) : []);
  const member = (name: unknown) => {
    if (typeof name !== 'string') return undefined;
    const [c, m, ...rest] = name.split('.');
    if (!c || !m || rest.length) return undefined;
    const cube = model.cubes.get(c);
    return cube ? { cube, name: m } : undefined;
  };
  const switchOf = (name: unknown) => {
    const ref = member(name);
    return ref?.cube.dimensions.get(ref.name)?.switchValues;
  };
  const caseOf = (name: unknown) => {
    const ref = member(name);
    return ref?.cube.measures.get(ref.name)?.caseOf;
  };
  const dims = list('dimensions');
  const grouped = dims.filter((d) => switchOf(d)) as string[];
  const cases = list('measures').filter((m) => caseOf(m)) as string[];
  // Top-level equals / notEquals filters on a switch dimension pick its values.
  const picked = new Map<string, Set<string>>();
  const otherFilters: unknown[] = [];
  for (const f of list('filters')) {
    const o = (f ?? {}) as Record<string, unknown>;
    const key = o.member ?? o.dimension;
    const values = switchOf(key);
    if (!values || !['equals', 'notEquals'].includes(o.operator as string) || !Array.isArray(o.values)) {
      otherFilters.push(f);
      continue;
    }
    const asked = new Set((o.values as unknown[]).map(String));
    const keep = values.filter((v) => (o.operator === 'equals' ? asked.has(v) : !asked.has(v)));
    const before = picked.get(key as string);
    picked.set(key as string, new Set(keep.filter((v) => !before || before.has(v))));
  }
  if (grouped.length === 0 && cases.length === 0 && picked.size === 0) return null;

  const values = new Map<string, string[]>();
  const valuesOf = (key: string) => {
    const all = switchOf(key)!;
    const p = picked.get(key);
    return p ? all.filter((v) => p.has(v)) : all;
  };
  const axes = [...new Set([...grouped, ...picked.keys()])];
  for (const key of axes) values.set(key, switchOf(key)!);
  const narrowWith = [...grouped, ...picked.keys(), ...cases];
  const internal = new Set<string>();
  const caseTitles = new Map<string, string>();
  for (const key of cases) {
    const c = caseOf(key)!;
    const sw = `${c.switch.cube}.${c.switch.member}`;
    if (!grouped.includes(sw) && valuesOf(sw).length !== 1 && !picked.has(sw))
      throw new QueryInvalidError(
        `${key} is chosen by the switch dimension ${sw}: group by it, or filter it to one value with equals.`,
      );
    if (!grouped.includes(sw) && valuesOf(sw).length > 1)
      throw new QueryInvalidError(`${key}: filter ${sw} to one value, or group by it.`);
    if (!axes.includes(sw)) axes.push(sw);
    values.set(sw, switchOf(sw)!);
    for (const b of [...c.when.map((w) => w.measure), ...(c.else ? [c.else] : [])]) {
      const bk = `${b.cube}.${b.member}`;
      internal.add(bk);
      narrowWith.push(bk);
    }
    const ref = member(key)!;
    caseTitles.set(key, ref.cube.measures.get(ref.name)!.title);
  }
  // Combinations of the switch values the answer has rows for.
  let combos: Array<Record<string, string>> = [{}];
  for (const key of axes) {
    const vs = grouped.includes(key) || cases.some((c) => sameSwitch(caseOf(c)!, key)) ? valuesOf(key) : [];
    if (!grouped.includes(key) && !cases.some((c) => sameSwitch(caseOf(c)!, key))) {
      // Filtered only, and nothing reads it: the rows are those of any value, or none.
      if (valuesOf(key).length === 0) combos = [];
      continue;
    }
    combos = combos.flatMap((c) => vs.map((v) => ({ ...c, [key]: v })));
  }
  if (combos.length > MAX_RUNS)
    throw new QueryInvalidError(
      `The switch dimensions make ${combos.length} combinations; at most ${MAX_RUNS}.`,
    );

  const orderIn: Array<[string, 'asc' | 'desc']> = Array.isArray(q.order)
    ? (q.order as Array<[string, 'asc' | 'desc']>)
    : Object.entries((q.order ?? {}) as Record<string, 'asc' | 'desc'>);
  const offset = typeof q.offset === 'number' ? q.offset : 0;
  const limit =
    typeof q.limit === 'number' ? q.limit : typeof q.rowLimit === 'number' ? q.rowLimit : DEFAULT_LIMIT;
  const runs: SwitchRun[] = combos.map((combo) => {
    const branches = new Map<string, string | null>();
    for (const key of cases) {
      const c = caseOf(key)!;
      const v = combo[`${c.switch.cube}.${c.switch.member}`];
      const b = c.when.find((w) => w.value === v)?.measure ?? c.else;
      branches.set(key, b ? `${b.cube}.${b.member}` : null);
    }
    const measures = [
      ...new Set(
        list('measures').flatMap((m) => (cases.includes(m as string) ? [branches.get(m as string)] : [m])),
      ),
    ].filter((m) => m !== null && m !== undefined);
    const rename = (k: string) => (branches.has(k) ? branches.get(k) : k);
    const sub: Record<string, unknown> = {
      ...q,
      dimensions: dims.filter((d) => !switchOf(d)),
      measures,
      filters: otherFilters,
      order: orderIn.flatMap(([k, dir]) => {
        if (switchOf(k)) return [];
        const to = rename(k);
        return to ? [[to, dir]] : [];
      }),
      // Every run answers up to offset + limit rows; the merged answer is cut once.
      limit: Math.min(offset + limit, 50_000),
      offset: 0,
    };
    delete sub.rowLimit;
    return { values: combo, query: sub, branches };
  });
  const named = [...new Set([...grouped, ...picked.keys(), ...cases])];
  return { grouped, named, runs, narrowWith, internal, caseTitles, offset, limit, order: orderIn, values };
}

function sameSwitch(c: { switch: { cube: string; member: string } }, key: string): boolean {
  return `${c.switch.cube}.${c.switch.member}` === key;
}

/** Sort merged rows by the query's order (switch dimensions by their listed order). */
export function orderRows(
  rows: Array<Record<string, unknown>>,
  plan: SwitchPlan,
): Array<Record<string, unknown>> {
  if (plan.order.length === 0) return rows;
  const isNull = (v: unknown) => v === null || v === undefined;
  // Nulls last in either direction, as the lake orders each run.
  return [...rows].sort((x, y) => {
    for (const [key, dir] of plan.order) {
      const [a, b] = [x[key], y[key]];
      if (isNull(a) || isNull(b)) {
        if (isNull(a) && isNull(b)) continue;
        return isNull(a) ? 1 : -1;
      }
      const vs = plan.values.get(key);
      const c = vs
        ? vs.indexOf(String(a)) - vs.indexOf(String(b))
        : (a as number | string) < (b as number | string)
          ? -1
          : (a as number | string) > (b as number | string)
            ? 1
            : 0;
      if (c !== 0) return dir === 'desc' ? -c : c;
    }
    return 0;
  });
}
