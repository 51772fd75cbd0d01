/**
 * The interpreter's logical form: what a question asks, typed, before any query is written.
 * Each kind compiles to a semantic query or, where the semantic layer cannot express it, to
 * governed SQL over the caller's cubes (see compile-sql.ts).
 */

/** Every kind of question the interpreter knows; the kinds compiled here are a subset so far. */
export const KINDS = [
  'aggregate',
  'lookup',
  'list',
  'rank',
  'share',
  'per_entity',
  'distribution',
  'comparison',
  'cumulative',
  'threshold',
  'cohort',
  'null_semantics',
] as const;
export type Kind = (typeof KINDS)[number];

/** A condition on one dimension of the measured cube. */
export type Condition =
  | { member: string; op: 'in'; values: string[] }
  | { member: string; op: 'is_true' | 'is_false' | 'is_null' | 'is_not_null' }
  | { member: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number };

/** One side of a cohort: rows of a cube, through its key to the entity, meeting conditions. */
export interface CohortSide {
  cube: string;
  key: string;
  filters: Condition[];
  time?: TimeFilter | undefined;
}

/** One condition of a cohort: on the head's own rows, or on rows of a cube keyed to the head. */
export interface CohortTerm {
  /** The head cube itself, or a cube whose `key` points at the head's primary key. */
  cube: string;
  key?: string | undefined;
  filters: Condition[];
  time?: TimeFilter | undefined;
  /** "never", "no", "without": the head rows with no such related row (or not meeting it). */
  negated: boolean;
}

/** The cohort form: head rows meeting every term, counted, listed or as a share of the scope. */
export interface CohortForm {
  kind: 'cohort';
  cube: string;
  entity: string;
  /** The head's primary key. */
  key: string;
  /** Terms that define who is counted at all ("among patients with diabetes"): a share's denominator. */
  scope: CohortTerm[];
  terms: CohortTerm[];
  output: 'count' | 'list' | 'share';
  /** Columns listed beside the key (a label, names when asked for and visible). */
  columns: string[];
  filters: Condition[];
  time?: TimeFilter | undefined;
  groupBy?: undefined;
  thenBy?: undefined;
}

/**
 * One side of a group comparison: the rows meeting a condition on a dimension of the measured cube,
 * or of a cube it points at through a key, named as the question named them ("women").
 */
export interface ComparedGroup {
  label: string;
  condition: Condition;
}

/** One side of a ratio of figures: a cube's rows counted, or the total or average of one of its number columns. */
export interface Figure {
  cube: string;
  agg: 'count' | 'sum' | 'avg';
  value?: string | undefined;
  filters: Condition[];
  time?: TimeFilter | undefined;
}

/** A closed range on the cube's time dimension, with how to say it ("2021"). */
export interface TimeFilter {
  member: string;
  from: string;
  to: string;
  label: string;
}

export type Stat =
  | { stat: 'median' }
  | { stat: 'percentile'; p: number }
  | { stat: 'min' }
  | { stat: 'max' }
  /** The sample standard deviation, and the sample variance (its square). */
  | { stat: 'stddev' }
  | { stat: 'variance' }
  /** Maximum minus minimum. */
  | { stat: 'range' }
  /** The 75th percentile minus the 25th. */
  | { stat: 'iqr' }
  /** Only beside another statistic ("average and median claim cost"): plain figures of the column. */
  | { stat: 'avg' }
  | { stat: 'sum' }
  | { stat: 'count' };

/** A breakdown: by a dimension of the measured cube, or by periods of its time dimension. */
export type GroupBy = { member: string } | { grain: 'day' | 'week' | 'month' | 'quarter' | 'year' };

/**
 * The measured rows kept to those whose `key` is a record of a cohort ("visits per patient among
 * patients with asthma": encounters whose patient is one of the patients with asthma).
 */
export interface Within {
  key: string;
  cohort: CohortForm;
}

interface Base {
  /** The cube whose rows are measured. */
  cube: string;
  filters: Condition[];
  within?: Within[] | undefined;
  time?: TimeFilter | undefined;
  /** Distribution, share, per-entity and running figures may be broken down. */
  groupBy?: GroupBy | undefined;
  /**
   * A second breakdown said with the first ("by class for each year"): one row per pair of groups.
   * A share broken down twice is each `groupBy` group's part of the whole of its `thenBy` group.
   */
  thenBy?: GroupBy | undefined;
}

export type LogicalForm =
  /**
   * Rows of the cube meeting the filters, or distinct entities through `distinct` (a key): counted,
   * or with `list` the records themselves ("encounters costing over 10000": each one's key, label
   * and the figures compared; "which patients had a visit over 10000": the entities once each).
   */
  | (Base & {
      kind: 'aggregate';
      distinct?: string | undefined;
      entity?: string | undefined;
      list?: boolean | undefined;
    })
  /**
   * A statistic of a number column; `also`: more statistics of it asked for together ("min and
   * max"). With `per`: the statistic over entities (through the cube's key `key`) of each one's
   * rows counted, or of each one's sum of `value` ("median encounters per patient").
   */
  | (Base & {
      kind: 'distribution';
      value?: string | undefined;
      /** Another number column of the same rows taken from `value`, row by row ("claim cost minus payer coverage"). */
      less?: string | undefined;
      also?: Stat[] | undefined;
      per?: { key: string; entity: string; distinct?: string | undefined } | undefined;
      /**
       * The value said in another unit than it is kept in ("in hours" of minutes): `from` and `to`
       * are the seconds in one of each unit (60 and 3600), `name` the unit said ("hours").
       */
      unit?: { from: number; to: number; name: string } | undefined;
    } & Stat)
  /**
   * Share of the cube's rows (after filters) that meet `condition`, as a fraction; of the sum of
   * `value` when given ("share of claim cost from inpatient stays"). Without a condition, broken
   * down: each group's rows (or sum of `value`) over all of them ("percentage of visits by type").
   */
  | (Base & {
      kind: 'share';
      condition?: Condition | undefined;
      value?: string | undefined;
      /** Another number column of the rows: its sum over the sum of `value` ("cost payers covered"). */
      part?: string | undefined;
      /** Broken down twice in one phrase ("by payer and class"): each pair's part of all the rows. */
      whole?: 'all' | undefined;
    })
  /** Per `entity` (through the cube's key `key`): rows, or the sum of `value`, averaged over entities. */
  | (Base & {
      kind: 'per_entity';
      key: string;
      entity: string;
      value?: string | undefined;
      /** Distinct values of this member counted per entity ("distinct medications per patient"), not rows. */
      distinct?: string | undefined;
      /** `all`: over every record of the entity, those with no rows too ("including patients with none"). */
      over?: 'all' | undefined;
    })
  /**
   * Entities (through `key`) with a number of rows in the cube meeting the comparison, or with the
   * total or average of `value` over their rows meeting it ("providers whose average claim cost is
   * over 4000").
   */
  | (Base & {
      kind: 'threshold';
      key: string;
      entity: string;
      op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
      n: number;
      list: boolean;
      value?: string | undefined;
      /** Another number column of the same rows taken from `value`, row by row, before the sum or average. */
      less?: string | undefined;
      agg?: 'sum' | 'avg' | undefined;
      /** "at least 10 distinct diagnoses": each entity's distinct values of this member counted, not its rows. */
      distinct?: string | undefined;
      /** "between 5 and 10": a second bound the same figure must meet. */
      and?: { op: 'gt' | 'gte' | 'lt' | 'lte'; n: number } | undefined;
    })
  /**
   * A running total over periods of the cube's time dimension: rows, or the sum of `value`, or
   * with `distinct` (a key) the entities, each counted once in the period of its first row.
   */
  | (Base & {
      kind: 'cumulative';
      value?: string | undefined;
      distinct?: string | undefined;
      entity?: string | undefined;
      /** Another number column of the same rows taken from `value`, row by row. */
      less?: string | undefined;
      grain: 'day' | 'week' | 'month' | 'quarter' | 'year';
    })
  /**
   * Entities (through each side's key) with rows meeting `first`, combined with those meeting
   * `second`: both (`and`), or the first but not the second (`but_not`).
   */
  | (Base & {
      kind: 'cohort';
      entity: string;
      combine: 'and' | 'but_not';
      first: CohortSide;
      second: CohortSide;
      list: boolean;
    })
  /** Head rows kept by their own conditions and by related rows existing or not (cohort.ts). */
  | CohortForm
  /** One figure in two periods, side by side, with the change and the relative change. */
  | (Base & {
      kind: 'comparison';
      agg: 'count' | 'sum' | 'avg';
      value?: string | undefined;
      periods: [TimeFilter, TimeFilter];
      /** "more … in A than in B": the second period minus the first as said, not a change over time. */
      difference?: boolean | undefined;
      /** One row per period (its figure, then the change from the period before), not one wide row. */
      rows?: boolean | undefined;
      groups?: undefined;
      figures?: undefined;
    })
  /**
   * One figure for two groups of rows side by side ("inpatient vs emergency", "women or men"),
   * with the difference (first minus second) and the relative difference, or their ratio.
   */
  | (Base & {
      kind: 'comparison';
      agg: 'count' | 'sum' | 'avg';
      value?: string | undefined;
      /** Entities counted once each through this key of the cube ("patients with …"), not rows. */
      distinct?: string | undefined;
      entity?: string | undefined;
      groups: [ComparedGroup, ComparedGroup];
      /** `rows`: one row per group, its value and the figure ("A vs B" asks no difference). */
      output: 'difference' | 'ratio' | 'rows';
      /** With `rows`: each row also carries its difference from the other group (asked for). */
      differences?: boolean | undefined;
      periods?: undefined;
      figures?: undefined;
    })
  /**
   * One figure divided by another ("total claim cost divided by the number of encounters", "ratio
   * of payer coverage to claim cost"): each the rows of its cube counted, or a column's total or
   * average, with its own conditions and period; broken down only when both are of `cube`.
   */
  | (Base & {
      kind: 'comparison';
      figures: [Figure, Figure];
      output: 'ratio';
      agg?: undefined;
      value?: undefined;
      groups?: undefined;
      periods?: undefined;
    })
  /** Attributes of one record found by its key. */
  | (Base & { kind: 'lookup'; attributes: string[]; key: string; id: string });
