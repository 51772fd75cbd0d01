import {
  dimensionCubeRefs,
  type MeasureDef,
  readsMeasures,
  renderTemplate,
  type SemanticModel,
  type SqlTemplate,
} from '../compiler/index.ts';
import { QueryInvalidError, SemanticError } from '../errors.ts';
import type { PlannedDimension, PlannedFilter } from '../query/index.ts';
import { SubqueryHoist } from './hoist-subqueries.ts';
import { type JoinGraph, type JoinStep, joinTree, multipliesRoot } from './join-tree.ts';
import type { MemberRenderer, RenderEnv } from './member-renderer.ts';
import { renderLeaf } from './render-filter.ts';
import { matchRollup } from './rollup-match.ts';
import type { RollupPlan } from './rollup-plan.ts';
import { foldShifts } from './shift-fold.ts';

/** One grain of a query: the rows (dimensions, filters) and the measures computed at it. */
export interface StageSpec {
  dims: PlannedDimension[];
  measures: Array<{ cube: string; member: string }>;
  filters: PlannedFilter[];
  segments: Array<{ cube: string; member: string }>;
  /** The query's time dimensions: what a time shift without `time_dimension` moves. */
  timeDimensions: Array<{ cube: string; member: string }>;
  /** Count the distinct persons of each row as `__persons` (small-cell suppression). */
  persons?: { cube: string; member: string } | undefined;
}

/** The column holding a row's distinct persons when `persons` is asked. */
export const PERSONS_COLUMN = '__persons';

/** The column holding the distinct persons a measure with filters counts. */
export function personsColumn(member: string): string {
  return `${PERSONS_COLUMN}.${member}`;
}

/**
 * The plain measures (of `cube`) a measure is computed from: itself, or those its calculated SQL
 * reads, followed through. With `withFilters`, only those that have filters.
 */
export function leafMeasures(model: SemanticModel, cube: string, member: string): string[] {
  const m = model.cubes.get(cube)?.measures.get(member);
  if (!m) return [];
  const refs = (m.sql ?? []).filter(
    (p): p is Extract<typeof p, { t: 'member' }> =>
      p.t === 'member' && p.cube === cube && model.cubes.get(cube)!.measures.has(p.member),
  );
  if (m.type !== 'number' || refs.length === 0) return [member];
  return [...new Set(refs.flatMap((p) => leafMeasures(model, cube, p.member)))];
}

/** What building a stage needs: the renderer (bound values, access) and the join graph. */
export interface StageContext {
  env: RenderEnv & { unavailable: ReadonlyMap<string, string> };
  r: MemberRenderer;
  graph: JoinGraph;
  /** Current rollups a cube's aggregates may be read from (none: every part reads the lake). */
  rollups?: readonly RollupPlan[] | undefined;
}

/** How a measure is computed. */
type Kind = 'leaf' | 'calc' | 'rolling' | 'shift' | 'regroup' | 'addgroup' | 'rank';

/** The column a measure is returned under inside a stage. */
export function measureColumn(cube: string, member: string): string {
  return `${cube}.${member}`;
}

function def(ctx: StageContext, cube: string, member: string): MeasureDef {
  return ctx.env.model.cubes.get(cube)!.measures.get(member)!;
}

/** Whether a measure is more than an aggregate of its cube's rows (computed in stages). */
export function kindOf(ctx: StageContext, cube: string, member: string): Kind {
  const m = def(ctx, cube, member);
  // A measure the caller may only see masked is its mask, whatever its definition.
  if (ctx.r.state(cube, member) !== 'full') return 'leaf';
  const ms = m.multiStage;
  if (ms) {
    if (m.type === 'rank') return 'rank';
    if (ms.timeShift.length) return 'shift';
    if (ms.addGroupBy) return 'addgroup';
    if (ms.groupBy || ms.reduceBy) return 'regroup';
    return 'calc';
  }
  if (m.rollingWindow) return 'rolling';
  if (m.type === 'number' && readsMeasures(ctx.env.model, m.sql)) return 'calc';
  return 'leaf';
}

export interface Part {
  sql: string;
  cols: string[];
}

/**
 * SQL returning one row per combination of `spec.dims` (columns named by the dimension keys) and
 * a column per measure (named `cube.member`). Aggregates of each cube are computed on their own
 * and merged, so a join that repeats rows never counts them twice; rolling windows, time shifts
 * and regrouped measures are stages of their own, joined on the dimensions; calculated measures
 * and ranks are computed over the merged rows.
 */
export function buildStage(ctx: StageContext, spec: StageSpec): string {
  const q = (s: string) => ctx.env.dialect.quote(s);
  const kinds = new Map<string, { cube: string; member: string; kind: Kind }>();
  const visit = (cube: string, member: string) => {
    const col = measureColumn(cube, member);
    if (kinds.has(col)) return;
    const kind = kindOf(ctx, cube, member);
    kinds.set(col, { cube, member, kind });
    const m = def(ctx, cube, member);
    const refs =
      kind === 'calc' ? (m.sql ?? []) : kind === 'rank' ? m.multiStage!.orderBy.flatMap((o) => o.sql) : [];
    for (const p of refs) if (p.t === 'member') visit(p.cube, p.member);
  };
  for (const m of spec.measures) visit(m.cube, m.member);
  const all = [...kinds.values()];
  const of = (k: Kind) => all.filter((x) => x.kind === k);

  const unionParts: Part[] = [];
  const joinParts: Array<Part & { on: string[] }> = [];
  // Measures shifted alike (previous year of a count and of a sum) share one stage: one more scan, not two.
  const shiftGroups = new Map<string, Array<{ cube: string; member: string }>>();
  for (const x of of('shift')) {
    const key = JSON.stringify([...shiftsOf(ctx, spec, x.cube, x.member)].sort());
    shiftGroups.set(key, [...(shiftGroups.get(key) ?? []), x]);
  }
  // Or none at all: the shifted groups from the same scan as the plain measures, when exact.
  const folded =
    of('rolling').length + of('addgroup').length + of('regroup').length === 0
      ? foldShifts(ctx, spec, of('leaf'), [...shiftGroups.values()], (c, m) => kindOf(ctx, c, m))
      : null;
  if (folded) {
    unionParts.push(folded.base);
    joinParts.push(...folded.joins);
    shiftGroups.clear();
  }
  const leafCubes = folded ? [] : [...new Set(of('leaf').map((x) => x.cube))];
  for (const cube of leafCubes)
    unionParts.push(
      leafPart(
        ctx,
        spec,
        cube,
        of('leaf')
          .filter((x) => x.cube === cube)
          .map((x) => x.member),
      ),
    );
  for (const x of of('rolling')) unionParts.push(rollingPart(ctx, spec, x.cube, x.member));
  for (const x of of('addgroup')) unionParts.push(addGroupPart(ctx, spec, x.cube, x.member));
  for (const group of shiftGroups.values())
    joinParts.push({ ...shiftPart(ctx, spec, group), on: keys(spec.dims) });
  for (const x of of('regroup')) {
    const ms = def(ctx, x.cube, x.member).multiStage!;
    const listed = (d: PlannedDimension, list: Array<{ cube: string; member: string }>) =>
      list.some((g) => g.cube === d.cube && g.member === d.member);
    const dims = ms.groupBy
      ? spec.dims.filter((d) => listed(d, ms.groupBy!))
      : spec.dims.filter((d) => !listed(d, ms.reduceBy ?? []));
    joinParts.push({ ...expressionStage(ctx, { ...spec, dims }, [x]), on: keys(dims) });
  }
  if (unionParts.length === 0) unionParts.push(leafPart(ctx, spec, null, []));

  const dimKeys = keys(spec.dims).map(q);
  let base: string;
  let baseCols: string[];
  if (unionParts.length === 1) {
    base = unionParts[0]!.sql;
    baseCols = unionParts[0]!.cols;
  } else {
    baseCols = unionParts.flatMap((p) => p.cols);
    const unions = unionParts.map((p) => {
      const cols = baseCols.map((c) => (p.cols.includes(c) ? q(c) : `NULL AS ${q(c)}`));
      return `SELECT ${[...dimKeys, ...cols].join(', ')} FROM (${p.sql}) AS ${q('__part')}`;
    });
    const merged = baseCols.map((c) => `max(${q(c)}) AS ${q(c)}`);
    base = `SELECT ${[...dimKeys, ...merged].join(', ')} FROM (${unions.join(' UNION ALL ')}) AS ${q('__parts')}${groupBy(dimKeys.length)}`;
  }
  if (dimKeys.length === 0 && baseCols.length === 0) base = `SELECT 1 AS ${q('__row')}`;

  let sql = base;
  if (joinParts.length) {
    const b = q('__b');
    const selects = [`${b}.*`];
    const joins = joinParts.map((p, i) => {
      const a = q(`__j${i}`);
      for (const c of p.cols) selects.push(`${a}.${q(c)}`);
      const on = p.on.map((k) => `${b}.${q(k)} IS NOT DISTINCT FROM ${a}.${q(k)}`).join(' AND ');
      return `LEFT JOIN (${p.sql}) AS ${a} ON ${on || 'TRUE'}`;
    });
    sql = `SELECT ${selects.join(', ')} FROM (${base}) AS ${b} ${joins.join(' ')}`;
  }
  if (folded) sql = `${folded.withClause} ${sql}`;

  const calcs = of('calc');
  if (calcs.length) {
    const c = q('__c');
    const col = (cube: string, member: string) => `${c}.${q(measureColumn(cube, member))}`;
    const hoist = new SubqueryHoist(q);
    const exprs = calcs.map(
      (x) =>
        `${calcExpression(ctx, x.cube, x.member, col, (t) => hoist.template(t))} AS ${q(measureColumn(x.cube, x.member))}`,
    );
    sql = `SELECT ${c}.*, ${exprs.join(', ')} FROM (${sql}) AS ${c}${hoist.crossJoin(SubqueryHoist.ALIAS)}`;
  }
  const ranks = of('rank');
  if (ranks.length) {
    const rk = q('__r');
    const col = (cube: string, member: string) => `${rk}.${q(measureColumn(cube, member))}`;
    const exprs = ranks.map((x) => {
      const ms = def(ctx, x.cube, x.member).multiStage!;
      const partition = ms.reduceBy
        ? spec.dims.filter((d) => !ms.reduceBy!.some((g) => g.cube === d.cube && g.member === d.member))
        : [];
      const over = [
        partition.length ? `PARTITION BY ${partition.map((d) => `${rk}.${q(d.key)}`).join(', ')}` : '',
        `ORDER BY ${ms.orderBy
          .map((o) => `${renderOverColumns(ctx, o.sql, col)} ${o.desc ? 'DESC' : 'ASC'} NULLS LAST`)
          .join(', ')}`,
      ]
        .filter(Boolean)
        .join(' ');
      return `rank() OVER (${over}) AS ${q(measureColumn(x.cube, x.member))}`;
    });
    sql = `SELECT ${rk}.*, ${exprs.join(', ')} FROM (${sql}) AS ${rk}`;
  }
  return sql;
}

function keys(dims: PlannedDimension[]): string[] {
  return dims.map((d) => d.key);
}

export function groupBy(n: number): string {
  return n ? ` GROUP BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}` : '';
}

/** A calculated measure over the columns of measures already computed (calculated ones inline). */
function calcExpression(
  ctx: StageContext,
  cube: string,
  member: string,
  col: (cube: string, member: string) => string,
  hoist: (tpl: SqlTemplate) => SqlTemplate = (tpl) => tpl,
): string {
  const m = def(ctx, cube, member);
  const inner = (c: string, n: string): string => {
    const k = kindOf(ctx, c, n);
    if (k === 'rank')
      throw new QueryInvalidError(
        `${cube}.${member} uses the rank ${c}.${n}; ranks cannot be combined further.`,
      );
    return k === 'calc' ? calcExpression(ctx, c, n, col, hoist) : col(c, n);
  };
  return `(${renderOverColumns(ctx, hoist(m.sql ?? []), inner)})`;
}

export function renderOverColumns(
  ctx: StageContext,
  sql: MeasureDef['sql'] & object,
  col: (cube: string, member: string) => string,
): string {
  return renderTemplate(sql, (c) => ctx.r.alias(c), col);
}

/** Cubes whose members the rows of a stage are filtered or grouped by. */
export function dimensionCubes(ctx: StageContext, spec: StageSpec): Set<string> {
  const out = new Set<string>();
  // A dimension reading another cube's dimension (`{users.city}`) needs that cube joined too.
  const add = (cube: string, member?: string) => {
    out.add(cube);
    if (member) for (const c of dimensionCubeRefs(ctx.env.model, cube, member)) out.add(c);
  };
  for (const x of spec.dims) add(x.cube, x.member);
  const walk = (f: PlannedFilter) => {
    if ('leaf' in f) add(f.leaf.cube, f.leaf.kind === 'dimension' ? f.leaf.member : undefined);
    else if ('and' in f) f.and.forEach(walk);
    else if ('or' in f) f.or.forEach(walk);
  };
  spec.filters.forEach(walk);
  for (const s of spec.segments) add(s.cube);
  return out;
}

/** The WHERE clause of a stage's rows. */
export function whereClause(
  ctx: StageContext,
  filters: PlannedFilter[],
  segments: StageSpec['segments'],
): string {
  const { r } = ctx;
  const conditions = [
    ...filters.map((f) =>
      filterSql(ctx, f, (leaf) => r.dimension(leaf.cube, leaf.member, leaf.raw === true)),
    ),
    ...segments.map((s) => `(${r.segment(s.cube, s.member)})`),
  ];
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** A filter tree as SQL; `target` renders a leaf's member. */
export function filterSql(
  ctx: StageContext,
  f: PlannedFilter,
  target: (leaf: Extract<PlannedFilter, { leaf: unknown }>['leaf']) => string,
): string {
  if ('deny' in f) return 'FALSE';
  if ('and' in f)
    return f.and.length ? `(${f.and.map((x) => filterSql(ctx, x, target)).join(' AND ')})` : 'TRUE';
  if ('or' in f)
    return f.or.length ? `(${f.or.map((x) => filterSql(ctx, x, target)).join(' OR ')})` : 'FALSE';
  const leaf = f.leaf;
  return renderLeaf(
    { sql: target(leaf), type: leaf.type },
    leaf.operator,
    leaf.values,
    ctx.r.params,
    ctx.env.dialect,
  );
}

export function fromClause(ctx: StageContext, root: string, tree: JoinStep[]): string {
  const { r } = ctx;
  return [
    r.relation(root),
    ...tree.map((s) => `LEFT JOIN ${r.relation(s.child)} ON ${r.joinSql(s.edge.join)}`),
  ].join(' ');
}

/**
 * Aggregates of one cube at the stage's grain (or, with `cube` null, the stage's rows alone). A
 * cube whose rows a one_to_many join repeats is aggregated over its distinct primary keys.
 */
function leafPart(ctx: StageContext, spec: StageSpec, cube: string | null, members: string[]): Part {
  const { r } = ctx;
  const rollup = cube === null ? null : matchRollup(ctx, spec, cube, members);
  if (rollup) return ctx.r.withRollup(rollup, () => rollupPart(ctx, spec, cube!, members));
  const q = (s: string) => ctx.env.dialect.quote(s);
  const dimCubes = dimensionCubes(ctx, spec);
  const dimSelect = spec.dims.map((x) => `${r.plannedDimension(x)} AS ${q(x.key)}`);
  const rowsWhere = whereClause(ctx, spec.filters, spec.segments);
  const cols = members.map((m) => measureColumn(cube ?? '', m));
  if (cube === null) {
    const where = rowsWhere;
    const root = spec.dims[0]?.cube ?? [...dimCubes][0];
    if (!root) return { sql: `SELECT 1 AS ${q('__row')}`, cols: [] };
    const tree = joinTree(ctx.graph, root, dimCubes);
    return {
      sql: `SELECT ${dimSelect.join(', ') || '1'} FROM ${fromClause(ctx, root, tree)}${where}${groupBy(dimSelect.length)}`,
      cols,
    };
  }
  // Without dimensions the stage is one row whatever its WHERE keeps: when every measure applies
  // the same filter (inpatient stays only), it goes in the WHERE, so the rows it drops are never
  // projected (a FILTER clause still computes each row's inputs before it drops them).
  const shared = spec.persons?.cube === cube ? null : sharedMeasureFilter(ctx, spec, cube, members);
  const where = shared === null ? rowsWhere : rowsWhere ? `${rowsWhere} AND ${shared}` : ` WHERE ${shared}`;
  const measureSelect = members.map(
    (m) => `${r.measure(cube, m, true, shared !== null)} AS ${q(measureColumn(cube, m))}`,
  );
  if (spec.persons?.cube === cube) {
    // The unmasked person key: a cell is judged by the persons in it, whatever the caller sees;
    // a measure with filters (deaths, readmissions) by the persons it counts.
    const person = r.rawDimension(cube, spec.persons.member);
    measureSelect.push(`count(DISTINCT ${person}) AS ${q(PERSONS_COLUMN)}`);
    cols.push(PERSONS_COLUMN);
    for (const m of members) {
      const filter = r.measureFilter(cube, m);
      if (filter === null) continue;
      measureSelect.push(`count(DISTINCT ${person}) FILTER (WHERE ${filter}) AS ${q(personsColumn(m))}`);
      cols.push(personsColumn(m));
    }
  }
  const tree = joinTree(ctx.graph, cube, dimCubes);
  if (!multipliesRoot(tree)) {
    return {
      sql: `SELECT ${[...dimSelect, ...measureSelect].join(', ')} FROM ${fromClause(ctx, cube, tree)}${where}${groupBy(dimSelect.length)}`,
      cols,
    };
  }
  const c = r.cube(cube);
  if (c.primaryKeys.length === 0) {
    throw new SemanticError(
      'PRIMARY_KEY_REQUIRED',
      `Cube ${cube} needs a primary_key dimension: its measures are combined with a one_to_many join, and counting them correctly needs each row's key.`,
      { exitCode: 2 },
    );
  }
  const keySelect = c.primaryKeys.map((k, i) => `${r.rawDimension(cube, k)} AS ${q(`__pk${i}`)}`);
  const keysSql = `SELECT DISTINCT ${[...dimSelect, ...keySelect].join(', ')} FROM ${fromClause(ctx, cube, tree)}${where}`;
  const on = c.primaryKeys
    .map((k, i) => `${q('__keys')}.${q(`__pk${i}`)} = ${r.rawDimension(cube, k)}`)
    .join(' AND ');
  const outerDims = spec.dims.map((x) => `${q('__keys')}.${q(x.key)}`);
  return {
    sql: `SELECT ${[...outerDims, ...measureSelect].join(', ')} FROM (${keysSql}) AS ${q('__keys')} JOIN ${r.relation(cube)} ON ${on}${groupBy(outerDims.length)}`,
    cols,
  };
}

/** A cube's aggregates read from a rollup (bound on the renderer): no joins, its columns only. */
function rollupPart(ctx: StageContext, spec: StageSpec, cube: string, members: string[]): Part {
  const { r } = ctx;
  const q = (s: string) => ctx.env.dialect.quote(s);
  const select = [
    ...spec.dims.map((x) => `${r.plannedDimension(x)} AS ${q(x.key)}`),
    ...members.map((m) => `${r.measure(cube, m, true)} AS ${q(measureColumn(cube, m))}`),
  ];
  const cols = members.map((m) => measureColumn(cube, m));
  if (spec.persons?.cube === cube) {
    select.push(`count(DISTINCT ${r.rawDimension(cube, spec.persons.member)}) AS ${q(PERSONS_COLUMN)}`);
    cols.push(PERSONS_COLUMN);
  }
  const where = whereClause(ctx, spec.filters, spec.segments);
  return {
    sql: `SELECT ${select.join(', ')} FROM ${r.relation(cube)}${where}${groupBy(spec.dims.length)}`,
    cols,
  };
}

/**
 * The filter all of a cube's measures in a stage apply (as one condition), when the stage has no
 * dimensions and each measure is a plain aggregate the caller sees in full; otherwise null.
 */
function sharedMeasureFilter(
  ctx: StageContext,
  spec: StageSpec,
  cube: string,
  members: string[],
): string | null {
  if (spec.dims.length > 0 || members.length === 0) return null;
  let shared: string | null = null;
  for (const member of members) {
    const m = def(ctx, cube, member);
    if (m.type === 'number' || m.type === 'rank' || ctx.r.state(cube, member) !== 'full') return null;
    const filter = ctx.r.measureFilter(cube, member);
    if (filter === null || (shared !== null && filter !== shared)) return null;
    shared = filter;
  }
  return shared;
}

/**
 * A rolling window: for each bucket of the query's time dimension, the measure over the rows whose
 * time is in [end − trailing, end + leading), where end is the bucket's end (its start with
 * `offset: start`). Buckets cover the date range, or the data when there is none; the date range
 * does not cut the rows a window reaches back to.
 */
function rollingPart(ctx: StageContext, spec: StageSpec, cube: string, member: string): Part {
  const { r, env } = ctx;
  const d = env.dialect;
  const q = (s: string) => d.quote(s);
  const m = def(ctx, cube, member);
  const w = m.rollingWindow!;
  const td = spec.dims.find((x) => x.granularity);
  // Without a granularity there are no buckets: the measure is its aggregate over the rows.
  if (!td) return leafPart(ctx, spec, cube, [member]);
  const isRange = (f: PlannedFilter) =>
    'leaf' in f && f.leaf.dateRange === true && f.leaf.cube === td.cube && f.leaf.member === td.member;
  const range = spec.filters.find(isRange) as Extract<PlannedFilter, { leaf: unknown }> | undefined;
  const filters = spec.filters.filter((f) => !isRange(f));
  const rowSpec: StageSpec = { ...spec, filters };
  const tree = joinTree(ctx.graph, cube, dimensionCubes(ctx, rowSpec));
  if (multipliesRoot(tree))
    throw new QueryInvalidError(
      `${cube}.${member} is a rolling window; it cannot be grouped by members of a cube joined one_to_many.`,
    );
  const where = whereClause(ctx, filters, spec.segments);
  const t = r.dimension(td.cube, td.member);
  if (td.custom?.sql)
    throw new QueryInvalidError(
      `${cube}.${member} is a rolling window; the granularity ${td.granularity} is given by sql, so it has no fixed step to roll by.`,
    );
  const step = td.custom ? d.interval(td.custom.interval) : d.interval(`1 ${td.granularity}`);
  let buckets: string;
  if (range) {
    const [from, to] = range.leaf.values.map((v) => d.typedValue(r.params.add(v), 'time'));
    buckets = `SELECT unnest(generate_series(${r.truncate(td, from!)}, ${to}, ${step})) AS ${q('__b')}`;
  } else {
    buckets = `SELECT unnest(generate_series(${r.truncate(td, `min(${t})`)}, max(${t}), ${step})) AS ${q('__b')} FROM ${fromClause(ctx, cube, tree)}${where}`;
  }
  const b = `${q('__buckets')}.${q('__b')}`;
  // Bucket ends are exclusive (the next bucket's start), so windows line up with the calendar:
  // trailing 3 months by month is this month and the two before it.
  const start = w.offset === 'start' ? b : `(${b} + ${step})`;
  const conditions: string[] = [];
  if (w.toDate) {
    // From the start of the to-date period holding the bucket, to the bucket's end.
    conditions.push(`${t} >= ${d.truncate(w.toDate, b)}`, `${t} < (${b} + ${step})`);
  } else if (w.trailing !== 'unbounded')
    conditions.push(`${t} >= ${w.trailing ? `(${start} - ${d.interval(w.trailing)})` : start}`);
  if (!w.toDate && w.leading !== 'unbounded')
    conditions.push(`${t} < ${w.leading ? `(${start} + ${d.interval(w.leading)})` : start}`);
  const dimSelect = spec.dims.map((x) => `${x === td ? b : r.plannedDimension(x)} AS ${q(x.key)}`);
  const measure = `${r.measure(cube, member, true)} AS ${q(measureColumn(cube, member))}`;
  const cond = [where.replace(/^ WHERE /, ''), ...conditions].filter(Boolean).join(' AND ');
  return {
    sql: `SELECT ${[...dimSelect, measure].join(', ')} FROM (${buckets}) AS ${q('__buckets')}, ${fromClause(ctx, cube, tree)}${cond ? ` WHERE ${cond}` : ''}${groupBy(dimSelect.length)}`,
    cols: [measureColumn(cube, member)],
  };
}

/** Multi-stage measures' SQL computed over the measures they read, at a stage's grain. */
function expressionStage(
  ctx: StageContext,
  spec: StageSpec,
  members: Array<{ cube: string; member: string }>,
): Part {
  const q = (s: string) => ctx.env.dialect.quote(s);
  const defs = members.map((x) => ({ ...x, m: def(ctx, x.cube, x.member) }));
  const refs = defs.flatMap(({ m }) =>
    (m.sql ?? []).flatMap((p) => (p.t === 'member' ? [{ cube: p.cube, member: p.member }] : [])),
  );
  const inner = buildStage(ctx, { ...spec, measures: refs });
  const x = q('__x');
  const cols = defs.map(({ cube, member }) => measureColumn(cube, member));
  const exprs = defs.map(
    ({ m }, i) =>
      `(${renderOverColumns(ctx, m.sql ?? [], (c, n) => `${x}.${q(measureColumn(c, n))}`)}) AS ${q(cols[i]!)}`,
  );
  const dims = spec.dims.map((d) => `${x}.${q(d.key)}`);
  return { sql: `SELECT ${[...dims, ...exprs].join(', ')} FROM (${inner}) AS ${x}`, cols };
}

/** The time dimensions a time-shifted measure moves (`cube.member`) and by how much (interval SQL). */
export function shiftsOf(
  ctx: StageContext,
  spec: StageSpec,
  cube: string,
  member: string,
): Map<string, string> {
  const d = ctx.env.dialect;
  const shifts = new Map<string, string>();
  for (const ts of def(ctx, cube, member).multiStage!.timeShift) {
    const by = ts.type === 'prior' ? d.interval(ts.interval) : `(-${d.interval(ts.interval)})`;
    for (const t of ts.timeDimension ? [ts.timeDimension] : spec.timeDimensions)
      shifts.set(`${t.cube}.${t.member}`, by);
  }
  if (shifts.size === 0)
    throw new QueryInvalidError(
      `${cube}.${member} compares periods: the query needs a time dimension with a granularity or a date range.`,
    );
  return shifts;
}

/** `time_shift`: measures at the same grain, with the rows of another period. */
function shiftPart(
  ctx: StageContext,
  spec: StageSpec,
  members: Array<{ cube: string; member: string }>,
): Part {
  const first = members[0]!;
  const shifts = shiftsOf(ctx, spec, first.cube, first.member);
  return ctx.r.withShifts(shifts, () => expressionStage(ctx, spec, members));
}

/** `add_group_by`: the measure at a finer grain, then aggregated (avg, sum, …) back to the stage's. */
function addGroupPart(ctx: StageContext, spec: StageSpec, cube: string, member: string): Part {
  const d = ctx.env.dialect;
  const q = (s: string) => d.quote(s);
  const m = def(ctx, cube, member);
  if (m.type === 'number' || m.type === 'rank')
    throw new QueryInvalidError(
      `${cube}.${member} adds dimensions: its type must be an aggregate (avg, sum, …).`,
    );
  const extra: PlannedDimension[] = (m.multiStage!.addGroupBy ?? [])
    .filter((g) => !spec.dims.some((x) => x.cube === g.cube && x.member === g.member && !x.granularity))
    .map((g) => ({
      key: `__add.${g.cube}.${g.member}`,
      cube: g.cube,
      member: g.member,
      type: ctx.env.model.cubes.get(g.cube)!.dimensions.get(g.member)!.type,
    }));
  const inner = expressionStage(ctx, { ...spec, dims: [...spec.dims, ...extra] }, [{ cube, member }]);
  const x = q('__y');
  const col = measureColumn(cube, member);
  const dims = spec.dims.map((dim) => `${x}.${q(dim.key)}`);
  const agg = d.aggregate(m.type, `${x}.${q(col)}`, null);
  return {
    sql: `SELECT ${[...dims, `${agg} AS ${q(col)}`].join(', ')} FROM (${inner.sql}) AS ${x}${groupBy(dims.length)}`,
    cols: [col],
  };
}
