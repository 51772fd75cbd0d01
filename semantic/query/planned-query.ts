import type { CustomGranularity, DimensionType } from '../compiler/index.ts';
import type { SmallCellPlan } from './small-cells.ts';

/** A member as the planner sees it: the cube member behind it and the key it is returned under. */
export interface PlannedMember {
  key: string;
  cube: string;
  member: string;
}

export interface PlannedDimension extends PlannedMember {
  type: DimensionType;
  /** A standard granularity (GRANULARITIES) or the name of a custom one. */
  granularity?: string | undefined;
  /** The dimension's definition of a custom granularity. */
  custom?: CustomGranularity | undefined;
}

export interface PlannedMeasure extends PlannedMember {
  /** False for measures computed only because a filter uses them. */
  output: boolean;
}

/** A filter leaf on one member; `raw` leaves (view row filters) read the unmasked value. */
export interface PlannedLeaf extends PlannedMember {
  kind: 'dimension' | 'measure';
  type: DimensionType | 'measure';
  operator: string;
  values: Array<string | number | boolean | null>;
  raw?: boolean;
  /** The dateRange of a time dimension (rolling windows widen it). */
  dateRange?: boolean;
}

export type PlannedFilter =
  | { leaf: PlannedLeaf }
  | { and: PlannedFilter[] }
  | { or: PlannedFilter[] }
  | { deny: true };

/** A validated query, ready for a dialect: everything resolved to cube members and checked against access. */
export interface PlannedQuery {
  /** The view whose join paths the query follows, if it queries a view. */
  view: string | null;
  dimensions: PlannedDimension[];
  measures: PlannedMeasure[];
  dimensionFilters: PlannedFilter[];
  measureFilters: PlannedFilter[];
  segments: Array<{ cube: string; member: string }>;
  order: Array<{ key: string; desc: boolean }>;
  limit: number;
  offset: number;
  total: boolean;
  ungrouped: boolean;
  timezone: string;
  /** The query's time dimensions (with a granularity or a date range): what time shifts move. */
  timeDimensions: Array<{ cube: string; member: string }>;
  /** Set when the caller's policy sets min_group_size: how the answer's cells are suppressed. */
  smallCells?: SmallCellPlan | undefined;
  /** The query echoed back in responses, Cube-style. */
  normalized: Record<string, unknown>;
}
