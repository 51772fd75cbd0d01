/**
 * The interpreter's logical form (logical-form.ts) as a tool a model endpoint fills in:
 * `submit_interpretation`. Its flat wire arguments (form-wire.ts) are read into the logical form's
 * own union (checked against its TypeScript type at compile time) and against the caller's lexicon
 * (form-check.ts), so a member they cannot see, a number where a date belongs or a field of another
 * kind is refused with the reason, before the interpreter's compiler writes SQL.
 */
import { z } from 'zod';
import { checkForm, InvalidInterpretation } from './form-check.ts';
import {
  cube,
  GRAINS,
  label,
  member,
  STATS,
  type SubmitInterpretationArgs,
  submitInterpretationArgs,
  text,
  type wireTerm,
  wireTime,
  type wireWithinCohort,
} from './form-wire.ts';
import type { Lexicon } from './lexicon.ts';
import type { LogicalForm } from './logical-form.ts';

export { InvalidInterpretation } from './form-check.ts';
export { FORM_KINDS, type SubmitInterpretationArgs, submitInterpretationArgs } from './form-wire.ts';

// The logical form's own union, strict per kind.
const condition = z.union([
  z.object({ member, op: z.literal('in'), values: z.array(text(500)).min(1).max(100) }).strict(),
  z.object({ member, op: z.enum(['is_true', 'is_false', 'is_null', 'is_not_null']) }).strict(),
  z.object({ member, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number().finite() }).strict(),
]);
const time = wireTime;
const side = z
  .object({ cube, key: member, filters: z.array(condition).max(10), time: time.optional() })
  .strict();
const term = z
  .object({
    cube,
    key: member.optional(),
    filters: z.array(condition).max(10),
    time: time.optional(),
    negated: z.boolean(),
  })
  .strict();
const cohortForm = z
  .object({
    kind: z.literal('cohort'),
    cube,
    entity: cube,
    key: z.string().max(200),
    scope: z.array(term).max(10),
    terms: z.array(term).max(10),
    output: z.enum(['count', 'list', 'share']),
    columns: z.array(member).max(10),
    filters: z.array(condition).max(20),
    time: time.optional(),
  })
  .strict();
const groupBy = z.union([z.object({ member }).strict(), z.object({ grain: z.enum(GRAINS) }).strict()]);
const base = {
  cube,
  filters: z.array(condition).max(20),
  within: z
    .array(z.object({ key: member, cohort: cohortForm }).strict())
    .max(3)
    .optional(),
  time: time.optional(),
  groupBy: groupBy.optional(),
  thenBy: groupBy.optional(),
};
const stat = z.union([
  z.object({ stat: z.enum(STATS).exclude(['percentile']) }).strict(),
  z.object({ stat: z.literal('percentile'), p: z.number().int().min(1).max(99) }).strict(),
]);
const comparison = {
  ...base,
  kind: z.literal('comparison'),
  agg: z.enum(['count', 'sum', 'avg']),
  value: member.optional(),
};
/** Each kind's strict schema; a kind with two shapes (comparison, cohort) has one per shape. */
const SHAPES = {
  aggregate: z
    .object({
      ...base,
      kind: z.literal('aggregate'),
      distinct: member.optional(),
      entity: cube.optional(),
      list: z.boolean().optional(),
    })
    .strict(),
  distribution: z
    .object({
      ...base,
      kind: z.literal('distribution'),
      value: member.optional(),
      less: member.optional(),
      stat: z.enum(STATS),
      p: z.number().int().min(1).max(99).optional(),
      also: z.array(stat).max(10).optional(),
      per: z.object({ key: member, entity: cube, distinct: member.optional() }).strict().optional(),
      unit: z
        .object({ from: z.number().positive(), to: z.number().positive(), name: label })
        .strict()
        .optional(),
    })
    .strict(),
  share: z
    .object({
      ...base,
      kind: z.literal('share'),
      condition: condition.optional(),
      value: member.optional(),
      part: member.optional(),
      whole: z.literal('all').optional(),
    })
    .strict(),
  per_entity: z
    .object({
      ...base,
      kind: z.literal('per_entity'),
      key: member,
      entity: cube,
      value: member.optional(),
      distinct: member.optional(),
      over: z.literal('all').optional(),
    })
    .strict(),
  threshold: z
    .object({
      ...base,
      kind: z.literal('threshold'),
      key: member,
      entity: cube,
      op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']),
      n: z.number().min(-1_000_000_000).max(1_000_000_000),
      list: z.boolean(),
      value: member.optional(),
      less: member.optional(),
      agg: z.enum(['sum', 'avg']).optional(),
      distinct: member.optional(),
      and: z
        .object({
          op: z.enum(['gt', 'gte', 'lt', 'lte']),
          n: z.number().min(-1_000_000_000).max(1_000_000_000),
        })
        .strict()
        .optional(),
    })
    .strict(),
  cumulative: z
    .object({
      ...base,
      kind: z.literal('cumulative'),
      value: member.optional(),
      distinct: member.optional(),
      entity: cube.optional(),
      less: member.optional(),
      grain: z.enum(GRAINS),
    })
    .strict(),
  cohort_sides: z
    .object({
      ...base,
      kind: z.literal('cohort'),
      entity: cube,
      combine: z.enum(['and', 'but_not']),
      first: side,
      second: side,
      list: z.boolean(),
    })
    .strict(),
  cohort_terms: cohortForm,
  comparison_periods: z
    .object({
      ...comparison,
      periods: z.tuple([time, time]),
      difference: z.boolean().optional(),
      rows: z.boolean().optional(),
    })
    .strict(),
  comparison_groups: z
    .object({
      ...comparison,
      distinct: member.optional(),
      entity: cube.optional(),
      groups: z.tuple([z.object({ label, condition }).strict(), z.object({ label, condition }).strict()]),
      output: z.enum(['difference', 'ratio', 'rows']),
      differences: z.boolean().optional(),
    })
    .strict(),
  lookup: z
    .object({
      ...base,
      kind: z.literal('lookup'),
      attributes: z.array(member).min(1).max(10),
      key: member,
      id: text(200),
    })
    .strict(),
};
type Shape = keyof typeof SHAPES;
type Parsed = z.infer<(typeof SHAPES)[Shape]>;

/** A distribution's statistics as the logical form types them. */
function withStat(f: Extract<Parsed, { kind: 'distribution' }>): LogicalForm {
  const { stat: s, p, ...rest } = f;
  const st = stat.safeParse(s === 'percentile' ? { stat: s, p } : { stat: s });
  if (!st.success || (s !== 'percentile' && p !== undefined))
    throw new InvalidInterpretation('p: only a percentile takes p, from 1 to 99');
  return { ...rest, ...st.data } as LogicalForm;
}
// Every other parsed form is a LogicalForm as it is: this fails to compile if the two drift apart.
const asForm: (f: Exclude<Parsed, { kind: 'distribution' }>) => LogicalForm = (f) => f;

/** What each shape takes beside kind, cube, filters and time (the wire object is flat). */
const FIELDS: Record<Shape, readonly string[]> = {
  aggregate: ['distinct', 'entity', 'list', 'within'],
  distribution: ['value', 'less', 'stat', 'p', 'also', 'per', 'unit', 'groupBy', 'thenBy', 'within'],
  share: ['condition', 'value', 'part', 'whole', 'groupBy', 'thenBy', 'within'],
  per_entity: ['key', 'entity', 'value', 'distinct', 'over', 'groupBy', 'thenBy', 'within'],
  threshold: ['key', 'entity', 'op', 'n', 'list', 'value', 'less', 'agg', 'distinct', 'and', 'within'],
  cumulative: ['value', 'distinct', 'entity', 'less', 'grain', 'groupBy', 'within'],
  cohort_sides: ['entity', 'combine', 'first', 'second', 'list'],
  cohort_terms: ['entity', 'key', 'scope', 'terms', 'output', 'columns'],
  comparison_periods: ['agg', 'value', 'periods', 'difference', 'rows', 'within'],
  comparison_groups: ['agg', 'value', 'distinct', 'entity', 'groups', 'output', 'differences', 'within'],
  lookup: ['attributes', 'key', 'id', 'within'],
};

/** How a refusal names a shape: "a comparison of groups". */
const SHAPE_NAMES: Record<Shape, string> = {
  aggregate: 'an aggregate',
  distribution: 'a distribution',
  share: 'a share',
  per_entity: 'a per_entity interpretation',
  threshold: 'a threshold',
  cumulative: 'a cumulative interpretation',
  cohort_sides: 'a cohort of first and second (combine)',
  cohort_terms: 'a cohort with terms',
  comparison_periods: 'a comparison of periods',
  comparison_groups: 'a comparison of groups',
  lookup: 'a lookup',
};

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'interpretation'}: ${i.message}`)
    .join('; ');
}

type WireTerm = z.infer<typeof wireTerm>;
type WireCohort = z.infer<typeof wireWithinCohort>;

/** A cohort term with what may be left out filled in (no conditions, not negated). */
function readTerm(t: WireTerm) {
  return { ...t, filters: t.filters ?? [], negated: t.negated ?? false };
}

/** A `within` cohort as the logical form has it: its own cube's records, listed by their key. */
function readWithinCohort(c: WireCohort, lexicon: Lexicon) {
  return {
    kind: 'cohort',
    cube: c.cube,
    entity: c.entity ?? c.cube,
    key: c.key ?? lexicon.cubes.get(c.cube)?.primaryKey ?? '',
    scope: (c.scope ?? []).map(readTerm),
    terms: c.terms.map(readTerm),
    output: c.output ?? 'list',
    columns: c.columns ?? [],
    filters: c.filters ?? [],
  };
}

/** Which of a kind's shapes the arguments are, by the fields only that shape has. */
function shapeOf(w: SubmitInterpretationArgs): Shape {
  if (w.kind === 'comparison') {
    if (w.groups && w.periods)
      throw new InvalidInterpretation('groups: compare two periods or two groups, not both');
    if (!w.groups && !w.periods)
      throw new InvalidInterpretation('periods: a comparison needs two periods, or two groups');
    return w.groups ? 'comparison_groups' : 'comparison_periods';
  }
  if (w.kind === 'cohort') return w.terms || w.scope ? 'cohort_terms' : 'cohort_sides';
  return w.kind;
}

/**
 * Read `submit_interpretation` arguments into the logical form and check it against the caller's
 * lexicon: every member one they may see, of the cube it is used on, of the right type. Throws
 * InvalidInterpretation with the reason.
 *
 * @example const form = readInterpretation(call.args, lexicon); compileSql(form, lexicon)
 */
export function readInterpretation(args: unknown, lexicon: Lexicon): LogicalForm {
  const wire = submitInterpretationArgs.safeParse(args);
  if (!wire.success) throw new InvalidInterpretation(describe(wire.error));
  const w = wire.data;
  const shape = shapeOf(w);
  const kept: Record<string, unknown> = { kind: w.kind, cube: w.cube, filters: w.filters ?? [] };
  if (w.time) kept.time = w.time;
  for (const k of FIELDS[shape]) {
    const v = (w as Record<string, unknown>)[k];
    if (v !== undefined) kept[k] = v;
  }
  if (w.within && 'within' in kept)
    kept.within = w.within.map((x) => ({ key: x.key, cohort: readWithinCohort(x.cohort, lexicon) }));
  if (shape === 'threshold' || shape === 'cohort_sides') kept.list = w.list ?? false;
  if (shape === 'comparison_groups') kept.output = w.output ?? 'rows';
  let listed = false;
  if (shape === 'cohort_terms') {
    // A cohort's own cube is its entity, counted unless the output says otherwise ("list": true says list).
    kept.entity = w.entity ?? w.cube;
    kept.key = w.key ?? lexicon.cubes.get(w.cube)?.primaryKey ?? '';
    kept.scope = (w.scope ?? []).map(readTerm);
    kept.terms = (w.terms ?? []).map(readTerm);
    kept.columns = w.columns ?? [];
    if (w.list && w.output && w.output !== 'list')
      throw new InvalidInterpretation(
        `list: the output is ${w.output}; give output list to list the records`,
      );
    kept.output = w.output ?? (w.list ? 'list' : 'count');
    listed = w.list !== undefined;
  }
  for (const k of Object.keys(w))
    if (!(k in kept) && !(k === 'filters' || (k === 'list' && listed)))
      throw new InvalidInterpretation(`${k}: not a field of ${SHAPE_NAMES[shape]}`);
  const parsed = SHAPES[shape].safeParse(kept);
  if (!parsed.success) throw new InvalidInterpretation(describe(parsed.error));
  const f = parsed.data as Parsed;
  const form = f.kind === 'distribution' ? withStat(f) : asForm(f);
  checkForm(form, lexicon);
  return form;
}
