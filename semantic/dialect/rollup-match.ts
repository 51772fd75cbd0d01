// Which rollup, if any, answers one cube's aggregates in a stage exactly. A rollup is used only
// when every value the stage computes from rows can be computed from the rollup's rows: its
// dimensions are columns of the rollup (masked the same way), its time buckets are unions of the
// rollup's, its filters and the caller's row policy read rollup columns only, and each measure is
// stored in a form that combines again (a distinct count only at its own grain, or over a key the
// rollup keeps). Anything else reads the lake, as before.
import type { BoundFilter } from '../access/index.ts';
import type { PlannedFilter } from '../query/index.ts';
import { localEnd, localStart } from '../query/index.ts';
import type { RollupBinding } from './member-renderer.ts';
import { coarserOrEqual, ROLLUP_SCHEMA, type RollupPlan } from './rollup-plan.ts';
import type { StageContext, StageSpec } from './stage.ts';

/** Start of the UTC bucket of `g` holding `ms` (weeks start on Monday, as date_trunc). */
function truncUtc(ms: number, g: string): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (g) {
    case 'year':
      return Date.UTC(y, 0, 1);
    case 'quarter':
      return Date.UTC(y, mo - (mo % 3), 1);
    case 'month':
      return Date.UTC(y, mo, 1);
    case 'week': {
      const day = Date.UTC(y, mo, d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * 864e5;
    }
    case 'day':
      return Date.UTC(y, mo, d.getUTCDate());
    case 'hour':
      return ms - (ms % 36e5);
    case 'minute':
      return ms - (ms % 6e4);
    default:
      return ms - (ms % 1e3);
  }
}

/** Whether a bound is a bucket start (`start`) or a bucket's last millisecond (`end`). */
function aligned(value: string, g: string, edge: 'start' | 'end'): boolean {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) return false;
  const at = edge === 'start' ? ms : ms + 1;
  return truncUtc(at, g) === at;
}

/** Whether a time filter on the rollup's time dimension keeps the same rows over its buckets. */
function timeFilterExact(operator: string, values: ReadonlyArray<unknown>, g: string): boolean {
  const v = (i: number) => String(values[i]);
  switch (operator) {
    case 'set':
    case 'notSet':
      return true;
    case 'inDateRange':
    case 'notInDateRange':
      return (
        values.length === 2 && aligned(localStart(v(0)), g, 'start') && aligned(localEnd(v(1)), g, 'end')
      );
    case 'beforeDate':
    case 'afterOrOnDate':
      return aligned(localStart(v(0)), g, 'start');
    case 'beforeOrOnDate':
    case 'afterDate':
      return aligned(localEnd(v(0)), g, 'end');
    default:
      return false;
  }
}

/**
 * The rollup that answers `members` of `cube` at the stage's grain, bound for rendering, or null.
 * `ctx.rollups` holds the rollups that are current (built from the lake as it is).
 */
export function matchRollup(
  ctx: StageContext,
  spec: StageSpec,
  cube: string,
  members: string[],
): RollupBinding | null {
  const candidates = (ctx.rollups ?? []).filter((p) => p.cube === cube && p.problem === undefined);
  if (candidates.length === 0 || members.length === 0 || spec.segments.length) return null;
  // Coarsest first: fewer dimensions, then coarser time.
  const order = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
  const sorted = [...candidates].sort(
    (a, b) =>
      a.dims.length - b.dims.length ||
      order.indexOf(b.time?.granularity ?? 'year') - order.indexOf(a.time?.granularity ?? 'year'),
  );
  for (const plan of sorted) if (fits(ctx, spec, plan, members)) return bind(ctx, plan);
  return null;
}

function bind(ctx: StageContext, plan: RollupPlan): RollupBinding {
  return { plan, table: ctx.env.dialect.table(ROLLUP_SCHEMA, plan.table) };
}

function fits(ctx: StageContext, spec: StageSpec, plan: RollupPlan, members: string[]): boolean {
  const { r, env } = ctx;
  const isTime = (c: string, m: string) => plan.time?.cube === c && plan.time.member === m;
  const isDim = (c: string, m: string) => plan.dims.some((d) => d.cube === c && d.member === m);
  const G = plan.time?.granularity;
  // A masked value must be a function of the stored value: Safe Harbor rules, constants, null.
  const maskOk = (c: string, m: string) => {
    const mask = env.model.cubes.get(c)!.dimensions.get(m)!.mask;
    if (!mask || mask.kind === 'null' || mask.kind === 'value') return true;
    if (mask.kind !== 'safe_harbor') return false;
    // A year of a bucket is the year of its rows when buckets lie within a year.
    return isTime(c, m) ? mask.rule === 'year' && G !== undefined && coarserOrEqual('year', G) : true;
  };
  const dimOk = (c: string, m: string) =>
    (isDim(c, m) || isTime(c, m)) && (r.state(c, m) === 'full' || maskOk(c, m));

  let exactGrain = true;
  for (const d of spec.dims) {
    if (!dimOk(d.cube, d.member) || d.custom) return false;
    const full = r.state(d.cube, d.member) === 'full';
    if (isTime(d.cube, d.member)) {
      if (full && (!d.granularity || !coarserOrEqual(d.granularity, G!))) return false;
      if (!full || d.granularity !== G) exactGrain = false;
    } else if (d.granularity) return false;
    else if (!full) exactGrain = false;
  }
  const covered = (c: string, m: string) =>
    spec.dims.some((d) => d.cube === c && d.member === m && (!isTime(c, m) || d.granularity === G));
  if (
    !plan.dims.every((d) => covered(d.cube, d.member)) ||
    (plan.time && !covered(plan.time.cube, plan.time.member))
  )
    exactGrain = false;

  const filterOk = (f: PlannedFilter): boolean => {
    if ('deny' in f) return true;
    if ('and' in f) return f.and.every(filterOk);
    if ('or' in f) return f.or.every(filterOk);
    const l = f.leaf;
    if (l.kind !== 'dimension' || !dimOk(l.cube, l.member)) return false;
    if (l.cube !== plan.cube && r.filtersRows(l.cube)) return false;
    if (isTime(l.cube, l.member) && (l.raw === true || r.state(l.cube, l.member) === 'full'))
      return timeFilterExact(l.operator, l.values, G!);
    return true;
  };
  if (!spec.filters.every(filterOk)) return false;

  // The caller's row policy is applied to the rollup's rows: it must read stored dimensions.
  // A joined cube's policy would empty its columns (a LEFT JOIN), not drop rows: not expressible.
  const policyOk = (f: BoundFilter): boolean => {
    if ('deny' in f) return true;
    if ('and' in f) return f.and.every(policyOk);
    if ('or' in f) return f.or.every(policyOk);
    return isDim(plan.cube, f.member);
  };
  const rowFilter = env.scope.cubes.get(plan.cube)?.rowFilter ?? null;
  if (rowFilter !== null && !policyOk(rowFilter)) return false;
  for (const d of spec.dims) if (d.cube !== plan.cube && r.filtersRows(d.cube)) return false;

  for (const m of members) {
    const stored = plan.measures.find((x) => x.member === m);
    if (!stored || r.state(plan.cube, m) !== 'full') return false;
    if (stored.combine === 'grain' && !exactGrain) return false;
  }
  if (spec.persons) {
    // Persons per cell: counted again over a person key the rollup keeps; not for measures with
    // their own filters (each counts the persons it keeps).
    if (spec.persons.cube !== plan.cube || !isDim(plan.cube, spec.persons.member)) return false;
    if (members.some((m) => env.model.cubes.get(plan.cube)!.measures.get(m)!.filters.length)) return false;
  }
  return true;
}
