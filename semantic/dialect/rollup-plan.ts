// Rollups (Cube's pre_aggregations of type rollup) resolved against the model: which columns a
// rollup table holds and how each measure is stored so that it can be combined again exactly
// (counts and sums are summed, averages kept as sum and count, distinct counts only at the grain
// they were counted at or over a distinct key the rollup keeps). Built with full access and no
// row policy: policies and masks are applied when a query reads the rollup, on its columns.
import { fullAccess } from '../access/index.ts';
import { readsMeasures, renderTemplate, type SemanticModel } from '../compiler/index.ts';
import type { Granularity } from '../query/index.ts';
import type { SqlDialect } from './dialect.ts';
import { joinTree, modelGraph, multipliesRoot } from './join-tree.ts';
import { MemberRenderer, type MemberTypes } from './member-renderer.ts';
import { ParamCollector } from './params.ts';

/** The lake schema rollup tables live in; no caller's SQL may name it (the gate refuses it). */
export const ROLLUP_SCHEMA = '_preagg';
/** The column holding a row's partition (the time bucket at `partition_granularity`). */
export const PARTITION_COLUMN = '__partition';

const ORDER: Granularity[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

/**
 * Whether buckets of `coarse` are unions of buckets of `fine` (a month of days, a year of
 * quarters); weeks only contain days and smaller.
 */
export function coarserOrEqual(coarse: string, fine: string): boolean {
  if (coarse === fine) return true;
  const c = ORDER.indexOf(coarse as Granularity);
  const f = ORDER.indexOf(fine as Granularity);
  if (c < 0 || f < 0 || c < f) return false;
  if (coarse === 'week') return f <= ORDER.indexOf('day');
  if (fine === 'week') return false;
  return true;
}

/** How one measure of a rollup is stored and combined again. */
export interface RollupMeasure {
  member: string;
  /** sum / min / max of the stored column; avg: sum of sums over sum of counts. */
  combine: 'sum' | 'count' | 'min' | 'max' | 'avg' | 'grain' | 'distinct';
  /** Stored columns: the value (or `sum`, `count` for avg). */
  columns: string[];
  /** For `distinct`: the rollup dimension column the measure counts distinct values of. */
  keyColumn?: string;
}

/** A rollup resolved against the model; `problem` says why it is not built or used. */
export interface RollupPlan {
  /** `cube.name`. */
  id: string;
  cube: string;
  name: string;
  /** The table inside ROLLUP_SCHEMA. */
  table: string;
  dims: Array<{ cube: string; member: string; column: string }>;
  time?: { cube: string; member: string; granularity: Granularity; column: string } | undefined;
  partition?: Granularity | undefined;
  measures: RollupMeasure[];
  /** Milliseconds; undefined: refreshed after each sync. */
  refreshEveryMs?: number | undefined;
  /** Lake tables the rollup reads (`schema.table`): the root cube's first. */
  sources: Array<{ schema: string; table: string }>;
  /** A fingerprint of the definition: a rollup built from another definition is rebuilt. */
  hash: string;
  problem?: string | undefined;
}

const UNITS: Record<string, number> = {
  second: 1e3,
  minute: 6e4,
  hour: 36e5,
  day: 864e5,
  week: 6048e5,
  month: 2592e6,
  year: 31536e6,
};

function intervalMs(text: string): number | undefined {
  const m = /^\s*(\d+)\s+(second|minute|hour|day|week|month|year)s?\s*$/i.exec(text);
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined;
}

/** Resolve every rollup of the model (those with a problem carry it and are never built). */
export function planRollups(model: SemanticModel, types: MemberTypes, dialect: SqlDialect): RollupPlan[] {
  const out: RollupPlan[] = [];
  for (const cube of model.cubes.values())
    for (const def of cube.preAggregations ?? []) {
      const plan: RollupPlan = {
        id: `${cube.name}.${def.name}`,
        cube: cube.name,
        name: def.name,
        table: `${cube.name}__${def.name}`,
        dims: [],
        measures: [],
        sources: [],
        hash: '',
        refreshEveryMs: def.refreshEvery === undefined ? undefined : intervalMs(def.refreshEvery),
      };
      const fail = (why: string) => {
        plan.problem = why;
      };
      const split = (ref: string) => {
        const i = ref.indexOf('.');
        return { cube: ref.slice(0, i), member: ref.slice(i + 1) };
      };
      for (const ref of def.dimensions) {
        const d = split(ref);
        const dim = model.cubes.get(d.cube)?.dimensions.get(d.member);
        if (!dim) fail(`${ref} is not a dimension`);
        else if (dim.type === 'time') fail(`${ref} is a time dimension: use time_dimension and granularity`);
        else plan.dims.push({ ...d, column: ref });
      }
      if (def.timeDimension) {
        const t = split(def.timeDimension);
        const dim = model.cubes.get(t.cube)?.dimensions.get(t.member);
        if (dim?.type !== 'time') fail(`${def.timeDimension} is not a time dimension`);
        else if (t.cube !== cube.name)
          fail(`time_dimension ${def.timeDimension} must be of cube ${cube.name}`);
        else
          plan.time = {
            ...t,
            granularity: def.granularity as Granularity,
            column: def.timeDimension,
          };
        if (def.partitionGranularity) {
          if (!coarserOrEqual(def.partitionGranularity, def.granularity!))
            fail(
              `partition_granularity ${def.partitionGranularity} is finer than granularity ${def.granularity}`,
            );
          plan.partition = def.partitionGranularity as Granularity;
        }
      }
      if (def.refreshEvery !== undefined && plan.refreshEveryMs === undefined)
        fail(`refresh_key.every "${def.refreshEvery}" is not an interval such as "1 hour"`);
      if (cube.source.kind !== 'table')
        fail(`cube ${cube.name} reads SQL, not a table: changes cannot be tracked`);
      const leaves = new Set<string>();
      const addLeaves = (member: string): void => {
        const m = cube.measures.get(member);
        if (!m) {
          fail(`${cube.name}.${member} is not a measure`);
          return;
        }
        if (m.multiStage || m.rollingWindow || m.type === 'rank') {
          fail(`${cube.name}.${member} is computed over groups of rows; it cannot be rolled up`);
          return;
        }
        if (m.type === 'number' && readsMeasures(model, m.sql)) {
          for (const p of m.sql ?? [])
            if (p.t === 'member' && model.cubes.get(p.cube)?.measures.has(p.member)) {
              if (p.cube !== cube.name) fail(`${cube.name}.${member} reads measures of ${p.cube}`);
              else addLeaves(p.member);
            }
          return;
        }
        leaves.add(member);
      };
      for (const ref of def.measures) {
        const m = split(ref);
        if (m.cube !== cube.name) fail(`${ref}: a rollup of ${cube.name} holds its own measures only`);
        else addLeaves(m.member);
      }
      if (plan.problem === undefined) {
        const env = { model, scope: fullAccess(model), types, dialect };
        const r = new MemberRenderer(env, new ParamCollector(dialect), 'UTC', null);
        const dimCubes = new Set(plan.dims.map((d) => d.cube));
        const tree = joinTree(
          modelGraph(model, () => true),
          cube.name,
          dimCubes,
        );
        if (multipliesRoot(tree))
          fail(`its dimensions join ${cube.name} one-to-many: its measures would be counted twice`);
        for (const step of tree) {
          const c = model.cubes.get(step.child)!;
          if (c.source.kind !== 'table')
            fail(`cube ${c.name} reads SQL, not a table: changes cannot be tracked`);
          else plan.sources.push({ schema: c.source.schema, table: c.source.table });
        }
        if (cube.source.kind === 'table')
          plan.sources.unshift({ schema: cube.source.schema, table: cube.source.table });
        for (const member of leaves) {
          const m = cube.measures.get(member)!;
          const col = `${cube.name}.${member}`;
          if (m.type === 'count' || m.type === 'sum' || m.type === 'min' || m.type === 'max')
            plan.measures.push({ member, combine: m.type, columns: [col] });
          else if (m.type === 'avg')
            plan.measures.push({ member, combine: 'avg', columns: [`${col}.sum`, `${col}.count`] });
          else {
            // A distinct count over a key the rollup keeps can be counted again at any coarser grain.
            const key =
              m.type === 'count_distinct' && m.filters.length === 0 && m.sql
                ? plan.dims.find(
                    (d) =>
                      d.cube === cube.name &&
                      r.rawDimension(d.cube, d.member) ===
                        renderTemplate(
                          m.sql!,
                          (c) => r.alias(c),
                          (c, n) => r.rawDimension(c, n),
                        ),
                  )
                : undefined;
            plan.measures.push(
              key
                ? { member, combine: 'distinct', columns: [], keyColumn: key.column }
                : { member, combine: 'grain', columns: [col] },
            );
          }
        }
      }
      plan.hash = JSON.stringify([
        def.measures,
        def.dimensions,
        def.timeDimension,
        def.granularity,
        def.partitionGranularity,
        cube.source,
      ]);
      out.push(plan);
    }
  return out;
}

/**
 * The SELECT computing a rollup's rows (all of them, or those of the partitions whose start is
 * listed, null standing for rows without a time), with its bound values.
 */
export function rollupSelect(
  plan: RollupPlan,
  model: SemanticModel,
  types: MemberTypes,
  dialect: SqlDialect,
  partitions?: Array<string | null>,
): { sql: string; params: unknown[] } {
  const q = (s: string) => dialect.quote(s);
  const env = { model, scope: fullAccess(model), types, dialect };
  const params = new ParamCollector(dialect);
  const r = new MemberRenderer(env, params, 'UTC', null);
  const select: string[] = plan.dims.map((d) => `${r.rawDimension(d.cube, d.member)} AS ${q(d.column)}`);
  const time = plan.time ? timeValue(plan, r, types, dialect) : null;
  if (plan.time && time)
    select.push(`${dialect.truncate(plan.time.granularity, time)} AS ${q(plan.time.column)}`);
  const partition = plan.partition && time ? dialect.truncate(plan.partition, time) : null;
  if (partition) select.push(`${partition} AS ${q(PARTITION_COLUMN)}`);
  const groups = select.length;
  for (const m of plan.measures) {
    if (m.combine === 'distinct') continue;
    if (m.combine === 'avg') {
      const { expr, filter } = r.measureInputs(plan.cube, m.member);
      select.push(`${dialect.aggregate('sum', expr, filter)} AS ${q(m.columns[0]!)}`);
      select.push(`${dialect.aggregate('count', expr, filter)} AS ${q(m.columns[1]!)}`);
    } else select.push(`${r.measure(plan.cube, m.member, true)} AS ${q(m.columns[0]!)}`);
  }
  const tree = joinTree(
    modelGraph(model, () => true),
    plan.cube,
    new Set(plan.dims.map((d) => d.cube)),
  );
  const from = [
    r.relation(plan.cube),
    ...tree.map((s) => `LEFT JOIN ${r.relation(s.child)} ON ${r.joinSql(s.edge.join)}`),
  ].join(' ');
  let where = '';
  if (partitions && partition) {
    const listed = partitions.filter((p): p is string => p !== null);
    const conds = [];
    if (listed.length)
      conds.push(
        `${partition} IN (${listed.map((p) => dialect.typedValue(params.add(p), 'time')).join(', ')})`,
      );
    if (partitions.includes(null)) conds.push(`${partition} IS NULL`);
    where = ` WHERE ${conds.length ? conds.join(' OR ') : 'FALSE'}`;
  }
  const groupBy = groups ? ` GROUP BY ${Array.from({ length: groups }, (_, i) => i + 1).join(', ')}` : '';
  return { sql: `SELECT ${select.join(', ')} FROM ${from}${where}${groupBy}`, params: params.values };
}

/** The rollup's time as a UTC timestamp over the root cube's alias (for its rows or its changes). */
export function timeValue(
  plan: RollupPlan,
  r: MemberRenderer,
  types: MemberTypes,
  dialect: SqlDialect,
): string | null {
  if (!plan.time) return null;
  const key = `${plan.time.cube}.${plan.time.member}`;
  return dialect.asTimestamp(r.rawDimension(plan.time.cube, plan.time.member), types.get(key), null);
}

/** SQL listing the distinct partitions of rows in `source` (a relation aliased as the root cube). */
export function partitionsOf(
  plan: RollupPlan,
  model: SemanticModel,
  types: MemberTypes,
  dialect: SqlDialect,
  source: string,
): string | null {
  if (!plan.partition) return null;
  const r = new MemberRenderer(
    { model, scope: fullAccess(model), types, dialect },
    new ParamCollector(dialect),
    'UTC',
    null,
  );
  const time = timeValue(plan, r, types, dialect)!;
  return `SELECT DISTINCT ${dialect.truncate(plan.partition, time)} AS p FROM ${source} AS ${r.alias(plan.cube)}`;
}
