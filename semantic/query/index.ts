/** Cube REST queries: schema, date ranges and resolution against the model and the caller's access. */
export { type LocalRange, localEnd, localStart, parseDateRange } from './date-range.ts';
export { type NormalizeContext, normalizeQuery } from './normalize-query.ts';
export type {
  PlannedDimension,
  PlannedFilter,
  PlannedLeaf,
  PlannedMeasure,
  PlannedMember,
  PlannedQuery,
} from './planned-query.ts';
export {
  type CubeFilter,
  type CubeLeafFilter,
  type CubeQuery,
  cubeFilterSchema,
  cubeQuerySchema,
  type FlatCubeQuery,
  GRANULARITIES,
  type Granularity,
} from './query-schema.ts';
export { type SmallCellPlan, suppressCells, type TableCell } from './small-cells.ts';
