import { dimensionCubeRefs } from '../compiler/index.ts';
import { QueryInvalidError } from '../errors.ts';
import type { PlannedFilter, PlannedQuery } from '../query/index.ts';
import { type JoinGraph, joinTree, modelGraph, viewGraph } from './join-tree.ts';
import { MemberRenderer, type RenderEnv } from './member-renderer.ts';
import { type BoundValue, ParamCollector } from './params.ts';
import type { RollupPlan } from './rollup-plan.ts';
import { SharedScans } from './shared-scans.ts';
import {
  buildStage,
  filterSql,
  kindOf,
  leafMeasures,
  measureColumn,
  PERSONS_COLUMN,
  personsColumn,
  type StageContext,
  whereClause,
} from './stage.ts';

/** SQL for one query: the statement, its bound values, and the row count statement for `total`. */
export interface CompiledQuery {
  sql: string;
  params: BoundValue[];
  /** `SELECT count(*)` over the same rows, without limit and offset (only when `total` was asked). */
  totalSql?: string | undefined;
  /** The values `totalSql` binds (those of `sql` without limit and offset). */
  totalParams: BoundValue[];
  /** The keys of the returned columns, in order, with the member type. */
  columns: Array<{ key: string; type: 'number' | 'string' | 'time' | 'boolean' }>;
  /** The rollups (pre-aggregations, `cube.name`) the statement reads instead of the cube's rows. */
  rollups: string[];
}

/** Cubes the lake cannot serve are left out of join paths. */
export interface BuildEnv extends RenderEnv {
  unavailable: ReadonlyMap<string, string>;
  /** Rollups built from the lake as it is now: parts of a query may read them instead. */
  rollups?: readonly RollupPlan[] | undefined;
}

/**
 * Turn a planned query into one SQL statement. Measures of each cube are aggregated at the
 * requested grain on their own, then joined on the dimensions: rows repeated by a one_to_many
 * join are never counted twice (such a cube is aggregated over its distinct primary keys).
 */
export function buildQuery(
  pq: PlannedQuery,
  env: BuildEnv,
  options: { persons?: { cube: string; member: string } } = {},
): CompiledQuery {
  const d = env.dialect;
  const q = (s: string) => d.quote(s);
  const params = new ParamCollector(d);
  const r = new MemberRenderer(env, params, pq.timezone, pq.view);
  const scans = new SharedScans(q);
  r.shareScans(scans);
  const usable = (c: string) => !env.unavailable.has(c) && env.scope.cubes.get(c)?.allowed === true;
  const graph: JoinGraph = pq.view ? viewGraph(env.model, pq.view, usable) : modelGraph(env.model, usable);
  // Rollups hold UTC buckets of the model's own join paths: a query in another zone or through a
  // view's joins reads the lake.
  const rollups = pq.view === null && pq.timezone === 'UTC' && !pq.ungrouped ? env.rollups : undefined;
  const ctx: StageContext = { env, r, graph, rollups };

  let inner: string;
  if (pq.ungrouped) inner = ungroupedRows(ctx, pq);
  else
    inner = buildStage(ctx, {
      dims: pq.dimensions,
      measures: pq.measures.map((m) => ({ cube: m.cube, member: m.member })),
      filters: pq.dimensionFilters,
      segments: pq.segments,
      timeDimensions: pq.timeDimensions,
      persons: options.persons,
    });

  const qa = q('__q');
  const having = pq.measureFilters.map((f) =>
    filterSql(ctx, f, (leaf) => `${qa}.${q(measureColumn(leaf.cube, leaf.member))}`),
  );
  const outerWhere = having.length ? ` WHERE ${having.join(' AND ')}` : '';
  const columns: CompiledQuery['columns'] = [
    ...pq.dimensions.map((x) => ({ key: x.key, type: x.type })),
    ...pq.measures.filter((m) => m.output).map((m) => ({ key: m.key, type: 'number' as const })),
  ];
  if (options.persons) {
    const cube = options.persons.cube;
    columns.push({ key: PERSONS_COLUMN, type: 'number' });
    const leaves = new Set(
      pq.measures.filter((m) => m.cube === cube).flatMap((m) => leafMeasures(env.model, cube, m.member)),
    );
    for (const leaf of leaves)
      if (env.model.cubes.get(cube)!.measures.get(leaf)!.filters.length)
        columns.push({ key: personsColumn(leaf), type: 'number' });
  }
  const source = new Map(pq.measures.map((m) => [m.key, measureColumn(m.cube, m.member)]));
  const outputs = columns.map((c) => {
    const col = `${qa}.${q(source.get(c.key) ?? c.key)}`;
    return `${c.type === 'time' ? d.formatTimestamp(col) : col} AS ${q(c.key)}`;
  });
  // Grouped by nothing, the answer is one row: ordering it is a sort operator for nothing.
  const oneRow = !pq.ungrouped && pq.dimensions.length === 0;
  const order =
    pq.order.length && !oneRow
      ? ` ORDER BY ${pq.order.map((o) => `${q(o.key)} ${o.desc ? 'DESC' : 'ASC'}`).join(', ')}`
      : '';
  const totalSql = pq.total
    ? scans.resolve(`SELECT count(*) AS ${q('total')} FROM (${inner}) AS ${qa}${outerWhere}`)
    : undefined;
  const totalParams = params.values.slice();
  const limit = d.limitClause(params.add(pq.limit), params.add(pq.offset));
  const used = [...r.rollupsUsed].sort();
  // The answer's SQL says which rollups served it.
  const note = used.length ? `/* pre-aggregations: ${used.join(', ')} */ ` : '';
  const sql = `${note}${scans.resolve(`SELECT ${outputs.join(', ')} FROM (${inner}) AS ${qa}${outerWhere}${order} ${limit}`)}`;
  return { sql, params: params.values, totalSql, totalParams, columns, rollups: used };
}

/** `ungrouped: true`: one row per row of the root cube, measures as their row values. */
function ungroupedRows(ctx: StageContext, pq: PlannedQuery): string {
  const { r, env } = ctx;
  const q = (s: string) => env.dialect.quote(s);
  for (const m of pq.measures) {
    const k = kindOf(ctx, m.cube, m.member);
    if (k !== 'leaf' && k !== 'calc')
      throw new QueryInvalidError(
        `${m.key} is computed over groups of rows (rolling window or multi-stage); it cannot be used in an ungrouped query.`,
      );
  }
  const measureCubes = [...new Set(pq.measures.map((m) => m.cube))];
  const cubes = new Set<string>(pq.dimensions.map((x) => x.cube));
  for (const x of pq.dimensions) for (const c of dimensionCubeRefs(env.model, x.cube, x.member)) cubes.add(c);
  const walk = (f: PlannedFilter) => {
    if ('leaf' in f) {
      cubes.add(f.leaf.cube);
      if (f.leaf.kind === 'dimension')
        for (const c of dimensionCubeRefs(env.model, f.leaf.cube, f.leaf.member)) cubes.add(c);
    } else if ('and' in f) f.and.forEach(walk);
    else if ('or' in f) f.or.forEach(walk);
  };
  pq.dimensionFilters.forEach(walk);
  for (const s of pq.segments) cubes.add(s.cube);
  // A calculated measure may read measures of other cubes: their rows must be joined too.
  const reach = (cube: string, member: string) => {
    cubes.add(cube);
    for (const p of env.model.cubes.get(cube)!.measures.get(member)!.sql ?? [])
      if (p.t === 'member' && env.model.cubes.get(p.cube)?.measures.has(p.member)) reach(p.cube, p.member);
  };
  for (const m of pq.measures) reach(m.cube, m.member);
  const root = measureCubes[0] ?? pq.dimensions[0]?.cube ?? [...cubes][0]!;
  const tree = joinTree(ctx.graph, root, cubes);
  const from = [
    r.relation(root),
    ...tree.map((s) => `LEFT JOIN ${r.relation(s.child)} ON ${r.joinSql(s.edge.join)}`),
  ].join(' ');
  const select = [
    ...pq.dimensions.map((x) => `${r.plannedDimension(x)} AS ${q(x.key)}`),
    ...pq.measures.map(
      (m) => `${r.measure(m.cube, m.member, false)} AS ${q(measureColumn(m.cube, m.member))}`,
    ),
  ];
  return `SELECT ${select.join(', ')} FROM ${from}${whereClause(ctx, pq.dimensionFilters, pq.segments)}`;
}
