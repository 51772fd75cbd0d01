/**
 * The validated model: what the compiler produces from YAML files and the dialect reads.
 * Everything here has been checked (names resolve, types are known, policies are well formed).
 */

/** A piece of member SQL: text, a cube's alias (`{CUBE}`, `{other}`), or another member. */
export type SqlPart =
  | { t: 'text'; s: string }
  | { t: 'cube'; cube: string }
  | { t: 'member'; cube: string; member: string };

export type SqlTemplate = readonly SqlPart[];

/** Where a definition is, for messages. */
export interface SourcePos {
  file: string;
  line: number;
}

export type DimensionType = 'string' | 'number' | 'time' | 'boolean';
export type MeasureType =
  | 'count'
  | 'count_distinct'
  | 'count_distinct_approx'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'number'
  | 'rank';

/** Safe Harbor helpers (45 CFR 164.514(b)(2)) usable as a member's mask. */
export type SafeHarborMask = 'year' | 'birth_year' | 'zip3' | 'age' | 'pseudonym';

/** What a masked member returns instead of its value. */
export type MaskDef =
  | { kind: 'null' }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'sql'; sql: SqlTemplate }
  | { kind: 'safe_harbor'; rule: SafeHarborMask };

interface MemberBase {
  name: string;
  cube: string;
  title: string;
  description?: string | undefined;
  meta?: Record<string, unknown> | undefined;
  public: boolean;
  pos: SourcePos;
}

export interface DimensionDef extends MemberBase {
  type: DimensionType;
  sql: SqlTemplate;
  primaryKey: boolean;
  format?: string | undefined;
  /** `currency`: the ISO 4217 code a `currency` format shows (shown in /meta). */
  currency?: string | undefined;
  mask?: MaskDef | undefined;
  /** Custom granularities (`granularities:`), by name. */
  granularities: Map<string, CustomGranularity>;
  /**
   * `type: switch`: a dimension with no column whose values are this list (Cube's calculation
   * groups). A query grouped or filtered by it runs once per value (see `switch-queries.ts`).
   */
  switchValues?: string[] | undefined;
}

/** A custom time granularity: buckets of `interval`, aligned on `origin` or shifted by `offset`. */
export interface CustomGranularity {
  name: string;
  title: string;
  /** A Cube interval: `1 year`, `3 months`. */
  interval: string;
  origin?: string | undefined;
  offset?: string | undefined;
}

/** A Cube interval (`3 months`, `1 year`) or `unbounded`. */
export type WindowBound = string | 'unbounded';

/** `rolling_window`: the rows of [bucket start - trailing, bucket end + leading) count for a bucket. */
export interface RollingWindow {
  trailing: WindowBound | null;
  leading: WindowBound | null;
  offset: 'start' | 'end';
  /**
   * `type: to_date` with `granularity`: from the start of that period (year, quarter, …) holding
   * the bucket to the bucket's end (year to date, month to date). Trailing and leading then unset.
   */
  toDate?: 'day' | 'week' | 'month' | 'quarter' | 'year' | undefined;
}

/** One `time_shift` entry of a multi-stage measure. */
export interface TimeShift {
  /** The time dimension shifted; absent: every time dimension of the query. */
  timeDimension?: { cube: string; member: string } | undefined;
  /** A Cube interval; `prior` looks back by it, `next` forward. */
  interval: string;
  type: 'prior' | 'next';
}

/** Multi-stage options (`multi_stage: true`). Dimensions are `cube.member`. */
export interface MultiStage {
  timeShift: TimeShift[];
  groupBy?: Array<{ cube: string; member: string }> | undefined;
  reduceBy?: Array<{ cube: string; member: string }> | undefined;
  addGroupBy?: Array<{ cube: string; member: string }> | undefined;
  /** For `type: rank`. */
  orderBy: Array<{ sql: SqlTemplate; desc: boolean }>;
}

/** A `case` measure: the measure of the branch whose `value` the switch dimension takes. */
export interface CaseMeasure {
  switch: { cube: string; member: string };
  when: Array<{ value: string; measure: { cube: string; member: string } }>;
  else?: { cube: string; member: string } | undefined;
}

export interface MeasureDef extends MemberBase {
  type: MeasureType;
  /** `case`: chosen by a switch dimension; never rendered itself (see `switch-queries.ts`). */
  caseOf?: CaseMeasure | undefined;
  /** Absent for a plain `count`. */
  sql?: SqlTemplate | undefined;
  filters: SqlTemplate[];
  format?: string | undefined;
  /** `currency`: the ISO 4217 code a `currency` format shows (shown in /meta). */
  currency?: string | undefined;
  drillMembers: string[];
  mask?: MaskDef | undefined;
  rollingWindow?: RollingWindow | undefined;
  /** Present when `multi_stage: true`. */
  multiStage?: MultiStage | undefined;
}

export interface SegmentDef extends MemberBase {
  sql: SqlTemplate;
}

export type Relationship = 'many_to_one' | 'one_to_many' | 'one_to_one';

/** A join declared on `from` towards `to`. */
export interface JoinDef {
  from: string;
  to: string;
  relationship: Relationship;
  sql: SqlTemplate;
  pos: SourcePos;
}

/** One row filter of a policy: Cube's REST filter format, values may hold `{ securityContext.x }`. */
export type PolicyFilter =
  | { member: string; operator: string; values: string[] }
  | { and: PolicyFilter[] }
  | { or: PolicyFilter[] };

/** One entry of `access_policy`. */
export interface PolicyDef {
  /** Roles (Cube groups) it applies to; `*` is everyone. */
  roles: string[];
  /**
   * What Cube groups policies by (its `role`, `group` or `groups` as written): the row filters of
   * policies with the same key are AND-ed, those of different keys OR-ed.
   */
  key: string;
  /** Security-context templates that must all be truthy for the policy to apply. */
  conditions: string[];
  memberLevel: { includes: string[] | '*'; excludes: string[] } | null;
  memberMasking: { includes: string[] | '*'; excludes: string[] } | null;
  /** null: every row. An empty list (`allow_all: false`) adds no rows of its own. */
  rowFilters: PolicyFilter[] | null;
  /**
   * Ours, not Cube's (`protect_columns`, default true): a member whose SQL reads a column that a
   * masked or hidden member reads is masked too, so `max(birthdate)` cannot reveal a masked
   * birthdate. Cube has no such rule; `protect_columns: false` on every matching policy turns it off.
   */
  protectColumns: boolean;
  /** Small-cell suppression: aggregated cells of fewer distinct persons come back suppressed. */
  minGroupSize: number | null;
  pos: SourcePos;
}

export interface CubeDef {
  name: string;
  title: string;
  description?: string | undefined;
  meta?: Record<string, unknown> | undefined;
  public: boolean;
  /** A lake table (schema defaults to main) or an SQL query. */
  source: { kind: 'table'; schema: string; table: string } | { kind: 'sql'; sql: string };
  dimensions: Map<string, DimensionDef>;
  measures: Map<string, MeasureDef>;
  segments: Map<string, SegmentDef>;
  joins: JoinDef[];
  /** null: no access_policy, the cube is open to everyone (Cube's default). */
  policies: PolicyDef[] | null;
  primaryKeys: string[];
  /** `hierarchies`: drill paths of this cube's dimensions (shown in /meta). */
  hierarchies: Array<{ name: string; title: string; levels: string[] }>;
  /** `pre_aggregations` of type rollup (others are reported and left out). */
  preAggregations?: PreAggregationDef[] | undefined;
  pos: SourcePos;
}

/**
 * A rollup (Cube's `pre_aggregations`, type rollup). Members are `cube.member`, not yet checked
 * against the model: a rollup that names an unknown member is reported and never built or used.
 */
export interface PreAggregationDef {
  name: string;
  measures: string[];
  dimensions: string[];
  timeDimension?: string | undefined;
  granularity?: string | undefined;
  partitionGranularity?: string | undefined;
  /** `every`: rebuilt when older than this interval; otherwise after each sync. */
  refreshEvery?: string | undefined;
  line: number;
}

/** A member of a view, pointing at the cube member it exposes. */
export interface ViewMember {
  name: string;
  kind: 'dimension' | 'measure' | 'segment';
  cube: string;
  member: string;
  title?: string | undefined;
}

export interface ViewDef {
  name: string;
  title: string;
  description?: string | undefined;
  meta?: Record<string, unknown> | undefined;
  public: boolean;
  /** Root cube, then each cube with the join it is reached through (parent cube, join). */
  root: string;
  edges: Array<{ parent: string; child: string }>;
  members: Map<string, ViewMember>;
  policies: PolicyDef[] | null;
  /** `folders`: groups of the view's members (shown in /meta); nested folders are flattened. */
  folders: Array<{ name: string; members: string[] }>;
  pos: SourcePos;
}

/** The compiled model. */
export interface SemanticModel {
  cubes: Map<string, CubeDef>;
  views: Map<string, ViewDef>;
}
