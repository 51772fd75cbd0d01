import type { AccessScope } from '../access/index.ts';
import type { SemanticModel } from '../compiler/index.ts';
import { PolicyRefusedError } from '../errors.ts';
import type { PlannedDimension, PlannedFilter, PlannedQuery } from './planned-query.ts';

/** How a query is answered under small-cell suppression. */
export interface SmallCellPlan {
  /** Cells of fewer distinct persons than this are suppressed. */
  minGroupSize: number;
  /** The dimension whose distinct values are the persons a cell counts. */
  person: { cube: string; member: string };
  /** The user's filters: each picks one cell value of a dimension of the table. */
  cells: Array<{ dimension: PlannedDimension; value: string; filter: PlannedFilter }>;
}

const MAX_TABLE_DIMENSIONS = 2;

/**
 * For a caller whose policy sets `min_group_size`, check that the query is one the suppression can
 * protect and plan it; otherwise refuse (fail closed). The answer is a cell table: its dimensions
 * are the query's plus those its filters pick a value of, at most two, over one cube that names its
 * person (`meta.person_key`); measures are that cube's aggregates (no multi-stage, rolling or
 * cross-cube measures, no measure filters, segments, date ranges or ungrouped rows). Each filter is
 * `equals` with one value, so a filtered answer is a cell of the same table a grouped query shows,
 * and both get the same suppression (no difference of two answers isolates a suppressed cell).
 */
export function planSmallCells(
  model: SemanticModel,
  scope: AccessScope,
  pq: PlannedQuery,
  userFilters: PlannedFilter[],
): SmallCellPlan | undefined {
  const touched = new Set<string>([
    ...pq.measures.map((m) => m.cube),
    ...pq.dimensions.map((d) => d.cube),
    ...pq.segments.map((s) => s.cube),
  ]);
  for (const f of userFilters) if ('leaf' in f) touched.add(f.leaf.cube);
  const k = Math.max(
    0,
    ...[...touched].map((c) => scope.cubes.get(c)?.minGroupSize ?? 0),
    pq.view ? (scope.views.get(pq.view)?.minGroupSize ?? 0) : 0,
  );
  if (k === 0) return undefined;
  const refuse = (why: string): never => {
    throw new PolicyRefusedError(
      `Your role sees aggregates of at least ${k} persons only; ${why} (see docs/cube-features.md).`,
    );
  };
  if (pq.ungrouped) refuse('ungrouped rows are not available');
  if (pq.measures.length === 0) refuse('a query needs a measure');
  if (pq.measureFilters.length) refuse('filters on measures are not available');
  if (pq.segments.length) refuse('segments are not available; filter a dimension with equals');
  const cubes = new Set(pq.measures.map((m) => m.cube));
  if (cubes.size !== 1) refuse('measures of one cube at a time');
  const cube = model.cubes.get([...cubes][0]!)!;
  const personDim = [...cube.dimensions.values()].find((d) => d.meta?.person_key === true);
  if (!personDim)
    refuse(`${cube.name} does not say which dimension is the person, so cells cannot be counted`);
  const plainMeasure = (c: string, n: string): boolean => {
    const m = model.cubes.get(c)?.measures.get(n);
    if (!m || m.multiStage || m.rollingWindow || m.type === 'rank') return false;
    return (m.sql ?? []).every(
      (p) =>
        p.t !== 'member' ||
        !model.cubes.get(p.cube)?.measures.has(p.member) ||
        (p.cube === c && plainMeasure(p.cube, p.member)),
    );
  };
  for (const m of pq.measures)
    if (!plainMeasure(m.cube, m.member))
      refuse(`${m.key} combines several cells (multi-stage, rolling or other cubes' measures)`);
  const cells: SmallCellPlan['cells'] = [];
  for (const f of userFilters) {
    if (!('leaf' in f)) refuse('filters are one dimension equal to one value (no and/or groups)');
    const leaf = (f as Extract<PlannedFilter, { leaf: unknown }>).leaf;
    if (leaf.dateRange) refuse('date ranges are not available; group by a time granularity instead');
    if (
      leaf.kind !== 'dimension' ||
      leaf.operator !== 'equals' ||
      leaf.values.length !== 1 ||
      leaf.values[0] === null
    )
      refuse(`the filter on ${leaf.key} must be equals with one value`);
    if (leaf.type === 'time') refuse('filters on time dimensions are not available; group by a granularity');
    cells.push({
      dimension: {
        key: leaf.key,
        cube: leaf.cube,
        member: leaf.member,
        type: leaf.type as PlannedDimension['type'],
      },
      value: String(leaf.values[0]),
      filter: f,
    });
  }
  const tableDims = new Set([
    ...pq.dimensions.map((d) => `${d.cube}.${d.member}`),
    ...cells.map((c) => `${c.dimension.cube}.${c.dimension.member}`),
  ]);
  if (tableDims.size > MAX_TABLE_DIMENSIONS)
    refuse(`a query groups or filters by at most ${MAX_TABLE_DIMENSIONS} dimensions`);
  return { minGroupSize: k, person: { cube: cube.name, member: personDim!.name }, cells };
}

/** A cell of the answer table: its dimension values (by key), persons, and whether it is shown. */
export interface TableCell {
  dims: Record<string, unknown>;
  persons: number;
  suppressed: boolean;
}

/**
 * Primary and complementary suppression on one table: cells of fewer than `k` persons are
 * suppressed; then, in every line of the table (the cells that differ in one dimension only), a
 * lone suppressed cell takes the smallest other cell with it, until no line has exactly one. So a
 * line's total (a cell of the coarser table) minus its shown cells is always a sum of two or more
 * suppressed cells.
 */
export function suppressCells(cells: TableCell[], dimKeys: string[], k: number): void {
  for (const c of cells) c.suppressed = c.persons < k;
  const key = (c: TableCell, skip: string) =>
    JSON.stringify(dimKeys.filter((d) => d !== skip).map((d) => c.dims[d] ?? null));
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of dimKeys) {
      const lines = new Map<string, TableCell[]>();
      for (const c of cells) {
        const kk = key(c, d);
        lines.set(kk, [...(lines.get(kk) ?? []), c]);
      }
      for (const line of lines.values()) {
        if (line.length < 2 || line.filter((c) => c.suppressed).length !== 1) continue;
        const next = line.filter((c) => !c.suppressed).sort((a, b) => a.persons - b.persons)[0];
        if (next) {
          next.suppressed = true;
          changed = true;
        }
      }
    }
  }
}
