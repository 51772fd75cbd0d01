import { canReach, type PlannerCatalog } from './catalog.ts';
import type { FlatCubeQuery } from './query.ts';
import type { Granularity } from './time.ts';

/** What a follow-up adds to the previous query. */
export interface FollowUpChanges {
  measure?: string | undefined;
  /** "and the total?": the aggregation to switch the previous measure to. */
  agg?: 'avg' | 'sum' | 'count' | undefined;
  dimensions: string[];
  filters: NonNullable<FlatCubeQuery['filters']>;
  segments: string[];
  dateRange?: string | [string, string] | undefined;
  granularity?: Granularity | undefined;
  top?: { limit: number; direction: 'asc' | 'desc' } | undefined;
}

/** The measure of the same cube and subject with another aggregation (avg claim cost → total claim cost). */
function sibling(catalog: PlannerCatalog, measure: string, agg: string): string | undefined {
  const info = catalog.members.get(measure);
  if (!info || info.aggType === agg) return undefined;
  const key = info.phrase.join(' ');
  for (const [name, m] of catalog.members) {
    if (m.kind === 'measure' && m.cube === info.cube && m.aggType === agg && m.phrase.join(' ') === key)
      return name;
  }
  return undefined;
}

/**
 * Apply a follow-up ("and by gender?", "only 2019", "what about immunizations?", "and the total?")
 * to the previous query: new members replace or join the old ones; a new subject cube takes its own
 * time dimension and drops what it cannot reach.
 */
export function mergeFollowUp(
  previous: FlatCubeQuery,
  add: FollowUpChanges,
  catalog: PlannerCatalog,
): FlatCubeQuery {
  const q: FlatCubeQuery = structuredClone(previous);
  const oldMeasure = q.measures?.[0];
  const newMeasure =
    add.measure ?? (oldMeasure && add.agg ? sibling(catalog, oldMeasure, add.agg) : undefined);
  if (newMeasure) {
    q.measures = [newMeasure];
    if (q.order) q.order = q.order.map(([m, d]) => [m === oldMeasure ? newMeasure : m, d]);
  }
  const cube = (q.measures?.[0] ?? q.dimensions?.[0] ?? '').split('.')[0] as string;
  const reachable = (member: string) => canReach(catalog, cube, member.split('.')[0] as string);
  if (add.dimensions.length) q.dimensions = [...new Set([...(q.dimensions ?? []), ...add.dimensions])];
  q.dimensions = q.dimensions?.filter(reachable);
  if (add.filters.length) {
    const replaced = new Set(add.filters.map((f) => f.member));
    q.filters = [...(q.filters ?? []).filter((f) => !replaced.has(f.member)), ...add.filters];
  }
  q.filters = q.filters?.filter((f) => reachable(f.member));
  if (add.segments.length) q.segments = [...new Set([...(q.segments ?? []), ...add.segments])];
  const prevTd = q.timeDimensions?.[0];
  const timeDimension =
    prevTd && reachable(prevTd.dimension) && prevTd.dimension.startsWith(`${cube}.`)
      ? prevTd.dimension
      : catalog.timeDimension.get(cube);
  if (timeDimension && (prevTd || add.dateRange || add.granularity)) {
    const td: NonNullable<FlatCubeQuery['timeDimensions']>[number] = { dimension: timeDimension };
    const g = add.granularity ?? prevTd?.granularity;
    const r = add.dateRange ?? prevTd?.dateRange;
    if (g) td.granularity = g;
    if (r) td.dateRange = r;
    q.timeDimensions = [td];
  } else if (!timeDimension) delete q.timeDimensions;
  if (add.top) {
    q.limit = add.top.limit;
    q.order = [[q.measures?.[0] ?? '', add.top.direction]];
  }
  for (const k of ['dimensions', 'filters', 'segments'] as const) if (q[k]?.length === 0) delete q[k];
  return q;
}
