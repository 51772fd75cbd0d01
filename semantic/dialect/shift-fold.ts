// Time shifts computed in the same scan as the measures they compare with. A year-over-year change
// otherwise reads its cube twice: once for this period and once, shifted, for the previous one.
// On the lake each scan of a table has a fixed cost, so one scan with two sets of aggregates (each
// with its own FILTER) is cheaper, and exact: every row is counted where the separate stages
// would count it, and each bucket is relabelled by the shift.
import type { PlannedDimension } from '../query/index.ts';
import { joinTree, multipliesRoot } from './join-tree.ts';
import {
  dimensionCubes,
  fromClause,
  groupBy,
  measureColumn,
  type Part,
  renderOverColumns,
  type StageContext,
  type StageSpec,
  shiftsOf,
  whereClause,
} from './stage.ts';

/** The months a granularity's buckets span, or days for week and day (0: not foldable). */
const MONTHS: Record<string, number> = { year: 12, quarter: 3, month: 1 };
const DAYS: Record<string, number> = { week: 7, day: 1 };

/** The CTE the folded scan is read from (inside its stage's subquery, so nesting is safe). */
export const FOLD_CTE = '__fold';

/**
 * Whether shifting a row by `interval` moves it into the bucket shifted by the same interval, for
 * every row (truncating and shifting commute): whole years, quarters or months for calendar
 * granularities, whole weeks or days for week and day. Times are zone-less here (already in the
 * query's zone), so the arithmetic is the calendar's.
 */
function commutes(granularity: string | undefined, interval: string): boolean {
  if (granularity === undefined) return true;
  const m = /^\s*(\d+)\s+(year|quarter|month|week|day)s?\s*$/i.exec(interval);
  if (!m) return false;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const g = granularity.toLowerCase();
  if (MONTHS[g] !== undefined) {
    const months = unit === 'year' ? 12 * n : unit === 'quarter' ? 3 * n : unit === 'month' ? n : -1;
    return months >= 0 && months % MONTHS[g]! === 0;
  }
  if (DAYS[g] !== undefined) {
    const days = unit === 'week' ? 7 * n : unit === 'day' ? n : -1;
    return days >= 0 && days % DAYS[g]! === 0;
  }
  return false;
}

export interface FoldedShifts {
  /** The `WITH` clause to put before the stage's SELECT. */
  withClause: string;
  base: Part;
  joins: Array<Part & { on: string[] }>;
}

/**
 * The stage's plain measures (all of `cube`) and its time-shifted groups from one scan, or null
 * when that would not be exact or is not possible: measures of several cubes, masked or
 * SQL-aggregate measures (no FILTER can be added), persons counted for small cells, a join that
 * repeats the cube's rows, a custom granularity, or a shift that does not move whole buckets.
 */
export function foldShifts(
  ctx: StageContext,
  spec: StageSpec,
  leaves: Array<{ cube: string; member: string }>,
  groups: Array<Array<{ cube: string; member: string }>>,
  kindOf: (cube: string, member: string) => string,
): FoldedShifts | null {
  if (groups.length === 0 || leaves.length === 0 || spec.persons) return null;
  const cube = leaves[0]!.cube;
  const model = ctx.env.model;
  const plain = (c: string, member: string) => {
    const m = model.cubes.get(c)?.measures.get(member);
    return (
      c === cube &&
      m !== undefined &&
      m.type !== 'number' &&
      m.type !== 'rank' &&
      !m.multiStage &&
      !m.rollingWindow &&
      ctx.r.state(c, member) === 'full' &&
      kindOf(c, member) === 'leaf'
    );
  };
  if (!leaves.every((x) => plain(x.cube, x.member))) return null;
  const refsOf = (x: { cube: string; member: string }) =>
    (model.cubes.get(x.cube)!.measures.get(x.member)!.sql ?? []).flatMap((p) =>
      p.t === 'member' ? [{ cube: p.cube, member: p.member }] : [],
    );
  for (const group of groups) {
    for (const x of group) {
      const refs = refsOf(x);
      if (refs.length === 0 || !refs.every((p) => plain(p.cube, p.member))) return null;
      for (const ts of model.cubes.get(x.cube)!.measures.get(x.member)!.multiStage!.timeShift) {
        const targets = ts.timeDimension ? [ts.timeDimension] : spec.timeDimensions;
        for (const t of targets)
          for (const d of spec.dims)
            if (
              d.cube === t.cube &&
              d.member === t.member &&
              (d.custom || !commutes(d.granularity, ts.interval))
            )
              return null;
      }
    }
  }
  const tree = joinTree(ctx.graph, cube, dimensionCubes(ctx, spec));
  if (multipliesRoot(tree)) return null;

  const { r, env } = ctx;
  const d = env.dialect;
  const q = (s: string) => d.quote(s);
  const strip = (w: string) => (w ? w.replace(/^ WHERE /, '') : 'TRUE');
  const baseWhere = strip(whereClause(ctx, spec.filters, spec.segments));
  const shifted = groups.map((group) => {
    const shifts = shiftsOf(ctx, spec, group[0]!.cube, group[0]!.member);
    return {
      group,
      shifts,
      where: r.withShifts(shifts, () => strip(whereClause(ctx, spec.filters, spec.segments))),
    };
  });
  const dimSelect = spec.dims.map((x) => `${r.plannedDimension(x)} AS ${q(x.key)}`);
  const select = [...dimSelect];
  const inBase = '__in_base';
  select.push(`count(*) FILTER (WHERE ${baseWhere}) AS ${q(inBase)}`);
  for (const x of leaves)
    select.push(
      `${r.measure(cube, x.member, true, false, baseWhere)} AS ${q(measureColumn(cube, x.member))}`,
    );
  const shiftedCol = (g: number, c: string, member: string) => `__shift${g}.${measureColumn(c, member)}`;
  shifted.forEach(({ group, shifts, where }, g) => {
    select.push(`count(*) FILTER (WHERE ${where}) AS ${q(`__in_shift${g}`)}`);
    const refs = new Map(group.flatMap(refsOf).map((p) => [measureColumn(p.cube, p.member), p]));
    for (const p of refs.values())
      select.push(
        `${r.withShifts(shifts, () => r.measure(cube, p.member, true, false, where))} AS ${q(shiftedCol(g, p.cube, p.member))}`,
      );
  });
  const anyRow = [baseWhere, ...shifted.map((s) => s.where)].map((w) => `(${w})`).join(' OR ');
  // Each shifted time appears in every FILTER: computed once per row, it is also planned once.
  let selectText = select.join(', ');
  let whereText = anyRow;
  let from = fromClause(ctx, cube, tree);
  const computed: string[] = [];
  for (const key of tree.length === 0 ? new Set(shifted.flatMap((s) => [...s.shifts.keys()])) : []) {
    const dot = key.indexOf('.');
    if (key.slice(0, dot) !== cube) continue;
    const expr = r.dimension(cube, key.slice(dot + 1));
    // A bound value (a time zone) is numbered where it is rendered: such text never repeats.
    if (expr.includes('$') || `${selectText} ${whereText}`.split(expr).length < 3) continue;
    const col = `${r.alias(cube)}.${q(`__time${computed.length}`)}`;
    computed.push(`${expr} AS ${q(`__time${computed.length}`)}`);
    selectText = selectText.split(expr).join(col);
    whereText = whereText.split(expr).join(col);
  }
  if (computed.length) from = r.relationWithColumns(cube, computed);
  const body = `SELECT ${selectText} FROM ${from} WHERE ${whereText}`;
  const withClause = `WITH ${q(FOLD_CTE)} AS MATERIALIZED (${body}${groupBy(dimSelect.length)})`;

  const f = q(FOLD_CTE);
  // Without dimensions every stage is one row, whatever its rows; with them, a bucket exists in a
  // stage only when some row of that stage falls in it.
  const only = (col: string) => (spec.dims.length ? ` WHERE ${f}.${q(col)} > 0` : '');
  const dimCols = spec.dims.map((x) => `${f}.${q(x.key)}`);
  const baseCols = leaves.map((x) => measureColumn(cube, x.member));
  const base: Part = {
    sql: `SELECT ${[...dimCols, ...baseCols.map((c) => `${f}.${q(c)}`)].join(', ')} FROM ${f}${only(inBase)}`,
    cols: baseCols,
  };
  const joins = shifted.map(({ group, shifts }, g) => {
    const relabel = (x: PlannedDimension) => {
      const by = shifts.get(`${x.cube}.${x.member}`);
      return `${by ? `(${f}.${q(x.key)} + ${by})` : `${f}.${q(x.key)}`} AS ${q(x.key)}`;
    };
    const cols = group.map((x) => measureColumn(x.cube, x.member));
    const exprs = group.map((x, i) => {
      const m = model.cubes.get(x.cube)!.measures.get(x.member)!;
      const sql = renderOverColumns(ctx, m.sql ?? [], (c, n) => `${f}.${q(shiftedCol(g, c, n))}`);
      return `(${sql}) AS ${q(cols[i]!)}`;
    });
    return {
      sql: `SELECT ${[...spec.dims.map(relabel), ...exprs].join(', ')} FROM ${f}${only(`__in_shift${g}`)}`,
      cols,
      on: spec.dims.map((x) => x.key),
    };
  });
  return { withClause, base, joins };
}
