/**
 * The wire schema of `submit_interpretation`: the logical form (logical-form.ts) as one flat
 * object a model endpoint fills in. Provider schema dialects take no unions (Gemini refuses them),
 * so `kind` says which of the other fields apply and each kind's fields are optional here; the
 * reader (form-schema.ts) checks them per kind and against the caller's lexicon.
 */
import { z } from 'zod';
import type { LogicalForm, Stat } from './logical-form.ts';

/** The kinds the logical form defines (a subset of KINDS: lists and rankings are semantic queries). */
export const FORM_KINDS = [
  'aggregate',
  'distribution',
  'share',
  'per_entity',
  'threshold',
  'cumulative',
  'cohort',
  'comparison',
  'lookup',
] as const satisfies ReadonlyArray<LogicalForm['kind']>;
// Every kind of the logical form is offered: adding one there without here fails to compile.
type Unoffered = Exclude<LogicalForm['kind'], (typeof FORM_KINDS)[number]>;
const everyKind: [Unoffered] extends [never] ? true : never = true;
void everyKind;

export const GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export const STATS = [
  'median',
  'percentile',
  'min',
  'max',
  'stddev',
  'variance',
  'range',
  'iqr',
  'avg',
  'sum',
  'count',
] as const satisfies ReadonlyArray<Stat['stat']>;
// Every statistic of the logical form is offered.
const everyStat: [Exclude<Stat['stat'], (typeof STATS)[number]>] extends [never] ? true : never = true;
void everyStat;
export const member = z.string().min(3).max(200).describe('A member as cube.member, from the caller’s model');
export const cube = z.string().min(1).max(100).describe('A cube name');
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$/, 'a date as YYYY-MM-DD')
  .describe('YYYY-MM-DD');
/** Words a result is named by or a value is matched with: any text but a NUL, which SQL cannot quote. */
export const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'no NUL characters');
export const label = text(100);

const wireCondition = z
  .object({
    member,
    op: z.enum(['in', 'is_true', 'is_false', 'is_null', 'is_not_null', 'gt', 'gte', 'lt', 'lte']),
    values: z.array(text(500)).max(100).optional().describe('For op "in"'),
    value: z.number().finite().optional().describe('For gt, gte, lt, lte'),
  })
  .strict();
export const wireTime = z
  .object({
    member: member.describe('The cube’s time dimension'),
    from: day,
    to: day,
    label: label.describe('How to say the period, e.g. "2021"'),
  })
  .strict();
const wireSide = z
  .object({
    cube,
    key: member.describe('The dimension of this cube that points at the entity'),
    filters: z.array(wireCondition).max(10),
    time: wireTime.optional(),
  })
  .strict();
const wireStat = z
  .object({ stat: z.enum(STATS), p: z.number().int().min(1).max(99).optional().describe('For percentile') })
  .strict();
export const wireTerm = z
  .object({
    cube: cube.describe('The cohort’s cube itself, or a cube with a key pointing at it'),
    key: member.optional().describe('For another cube: its dimension that points at the cohort’s cube'),
    filters: z.array(wireCondition).max(10).optional(),
    time: wireTime.optional(),
    negated: z.boolean().optional().describe('"never", "no", "without": no such row'),
  })
  .strict();
// As the offline interpreter writes a cohort inside `within`; what it derives may be left out.
export const wireWithinCohort = z
  .object({
    cube: cube.describe('The records kept, e.g. the patients'),
    scope: z.array(wireTerm).max(10).optional(),
    terms: z.array(wireTerm).max(10).describe('The conditions each record kept meets'),
    kind: z.enum(['cohort']).optional(),
    entity: cube.optional().describe('Its cube again (may be left out)'),
    key: z.string().max(200).optional().describe('Its primary key (may be left out)'),
    output: z.enum(['list']).optional(),
    columns: z.array(member).max(0).optional(),
    filters: z.array(wireCondition).max(0).optional(),
  })
  .strict();

/**
 * Arguments of `submit_interpretation`, as the wire carries them: one flat object. `kind` says which
 * of the other fields apply (see the tool's description).
 */
export const submitInterpretationArgs = z
  .object({
    kind: z.enum(FORM_KINDS),
    cube: cube.describe('The cube whose rows are measured (cohort with terms: the records kept)'),
    filters: z
      .array(wireCondition)
      .max(20)
      .optional()
      .describe('Conditions on dimensions of the cube (not for cohort)'),
    time: wireTime.optional().describe('A period of the cube’s time dimension (not for cohort)'),
    within: z
      .array(
        z.object({ key: member.describe('The cube’s key to the cohort’s cube'), cohort: wireWithinCohort }),
      )
      .max(3)
      .optional()
      .describe(
        'Every kind but cohort: keep rows whose key is a record of a cohort ("visits per patient among patients with asthma")',
      ),
    groupBy: z
      .object({ member: member.optional(), grain: z.enum(GRAINS).optional() })
      .strict()
      .optional()
      .describe(
        'distribution, share, per_entity, cumulative: a dimension of the cube, or a grain of its time',
      ),
    thenBy: z
      .object({ member: member.optional(), grain: z.enum(GRAINS).optional() })
      .strict()
      .optional()
      .describe(
        'distribution, share, per_entity: a second breakdown said with the first ("by class for each year"): one row per pair',
      ),
    whole: z
      .enum(['all'])
      .optional()
      .describe('share broken down twice: "all" = each pair over all rows (default: over its thenBy group)'),
    part: member.optional().describe('share: another number column whose sum is taken over the sum of value'),
    less: member
      .optional()
      .describe('distribution, threshold, cumulative: a number column taken from value, row by row'),
    agg: z
      .enum(['count', 'sum', 'avg'])
      .optional()
      .describe(
        'comparison: rows counted, or sum or avg of value; threshold: sum or avg of value per entity',
      ),
    and: z
      .object({
        op: z.enum(['gt', 'gte', 'lt', 'lte']),
        n: z.number().min(-1_000_000_000).max(1_000_000_000),
      })
      .strict()
      .optional()
      .describe('threshold: a second bound the same figure must meet ("between 5 and 10")'),
    over: z
      .enum(['all'])
      .optional()
      .describe('per_entity: over every record of the entity, those with no rows too'),
    distinct: member
      .optional()
      .describe(
        'aggregate, cumulative, comparison of groups: count distinct values of this key (with entity); per_entity, threshold: distinct values of this member per entity',
      ),
    entity: cube
      .optional()
      .describe('aggregate, per_entity, threshold, cohort, comparison: the entity cube counted'),
    value: member
      .optional()
      .describe('distribution, share, per_entity, threshold, cumulative, comparison: the number measured'),
    stat: z.enum(STATS).optional().describe('distribution: the statistic of value'),
    p: z.number().int().min(1).max(99).optional().describe('distribution with stat percentile'),
    also: z
      .array(wireStat)
      .max(10)
      .optional()
      .describe('distribution: more statistics of the same value asked together ("min and max")'),
    per: z
      .object({
        key: member.describe('The cube’s key to the entity'),
        entity: cube,
        distinct: member.optional().describe('Count distinct values of this member per entity, not rows'),
      })
      .strict()
      .optional()
      .describe(
        'distribution: the statistic over entities of each one’s row count, or sum of value ("median visits per patient")',
      ),
    unit: z
      .object({
        from: z.number().positive().describe('Seconds in the unit value is kept in'),
        to: z.number().positive().describe('Seconds in the unit asked'),
        name: label.describe('The unit asked, plural: "hours"'),
      })
      .strict()
      .optional()
      .describe('distribution: value said in another unit of time ("in hours" of minutes)'),
    condition: wireCondition
      .optional()
      .describe('share: the rows counted in the share (a dimension of the cube or one it points at)'),
    key: z
      .string()
      .max(200)
      .optional()
      .describe(
        'per_entity, threshold, lookup: the key dimension; cohort with terms: its primary key (may be left out)',
      ),
    op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']).optional().describe('threshold'),
    n: z.number().min(-1_000_000_000).max(1_000_000_000).optional().describe('threshold'),
    list: z
      .boolean()
      .optional()
      .describe('aggregate, threshold, cohort: list the records or entities instead of counting them'),
    grain: z.enum(GRAINS).optional().describe('cumulative'),
    combine: z.enum(['and', 'but_not']).optional().describe('cohort of two sides'),
    first: wireSide.optional().describe('cohort of two sides'),
    second: wireSide.optional().describe('cohort of two sides'),
    scope: z
      .array(wireTerm)
      .max(10)
      .optional()
      .describe(
        'cohort with terms: who counts at all ("among patients with diabetes"), a share’s denominator',
      ),
    terms: z
      .array(wireTerm)
      .max(10)
      .optional()
      .describe(
        'cohort: records of cube meeting every term (on its own rows, or rows of a cube keyed to it)',
      ),
    output: z
      .enum(['count', 'list', 'share', 'difference', 'ratio', 'rows'])
      .optional()
      .describe(
        'cohort with terms: count, list or share (of scope); comparison of groups: difference (first minus second), ratio, or rows (one per group)',
      ),
    columns: z
      .array(member)
      .max(10)
      .optional()
      .describe('cohort with output list: dimensions of cube shown beside each record'),
    periods: z.array(wireTime).min(2).max(2).optional().describe('comparison: the two periods'),
    difference: z
      .boolean()
      .optional()
      .describe('comparison of periods: "more in A than in B", the second minus the first as said'),
    rows: z
      .boolean()
      .optional()
      .describe('comparison of periods: one row per period with the change from the one before'),
    groups: z
      .array(
        z
          .object({ label: label.describe('As the question said it: "women"'), condition: wireCondition })
          .strict(),
      )
      .min(2)
      .max(2)
      .optional()
      .describe('comparison: two groups of rows, each by a condition'),
    differences: z
      .boolean()
      .optional()
      .describe('comparison of groups with output rows: each row also with its difference from the other'),
    attributes: z.array(member).min(1).max(10).optional().describe('lookup: the attributes to show'),
    id: text(200).optional().describe('lookup: the record’s key value'),
  })
  .strict();
export type SubmitInterpretationArgs = z.infer<typeof submitInterpretationArgs>;
