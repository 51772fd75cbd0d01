/**
 * The interpreter's logical form (logical-form.ts) as a tool a model endpoint fills in:
 * `submit_interpretation`. Provider schema dialects take no unions (Gemini refuses them), so the
 * wire schema is one flat object with `kind` and each kind's fields optional; the arguments are then
 * read into the logical form's own union (checked against its TypeScript type at compile time) and
 * against the caller's lexicon, so a member they cannot see, a number where a date belongs or a
 * field of another kind is refused with the reason, before the interpreter's compiler writes SQL.
 */
import { z } from 'zod';
import type { Lexicon } from './lexicon.ts';
import type { CohortSide, Condition, LogicalForm, TimeFilter } from './logical-form.ts';

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

const GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
const member = z.string().min(3).max(200).describe('A member as cube.member, from the caller’s model');
const cube = z.string().min(1).max(100).describe('A cube name');
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$/, 'a date as YYYY-MM-DD')
  .describe('YYYY-MM-DD');

const wireCondition = z
  .object({
    member,
    op: z.enum(['in', 'is_true', 'is_false', 'is_null', 'is_not_null', 'gt', 'gte', 'lt', 'lte']),
    values: z.array(z.string().min(1).max(500)).max(100).optional().describe('For op "in"'),
    value: z.number().finite().optional().describe('For gt, gte, lt, lte'),
  })
  .strict();
const wireTime = z
  .object({
    member: member.describe('The cube’s time dimension'),
    from: day,
    to: day,
    label: z.string().min(1).max(100).describe('How to say the period, e.g. "2021"'),
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

/**
 * Arguments of `submit_interpretation`, as the wire carries them: one flat object. `kind` says which
 * of the other fields apply (see the tool's description).
 */
export const submitInterpretationArgs = z
  .object({
    kind: z.enum(FORM_KINDS),
    cube: cube.describe('The cube whose rows are measured'),
    filters: z.array(wireCondition).max(20).optional(),
    time: wireTime.optional(),
    groupBy: z
      .object({ member: member.optional(), grain: z.enum(GRAINS).optional() })
      .strict()
      .optional()
      .describe('distribution, share, per_entity: a dimension of the cube, or a grain of its time'),
    thenBy: z
      .object({ member: member.optional(), grain: z.enum(GRAINS).optional() })
      .strict()
      .optional()
      .describe('A second breakdown said with the first ("by class for each year"): one row per pair'),
    whole: z
      .enum(['all'])
      .optional()
      .describe('share broken down twice: "all" = each pair over all rows (default: over its thenBy group)'),
    part: member.optional().describe('share: another number column whose sum is taken over the sum of value'),
    less: member
      .optional()
      .describe('distribution, threshold, cumulative: a number column taken from value, row by row'),
    agg: z.enum(['count', 'sum', 'avg']).optional().describe('comparison; threshold: sum or avg of value'),
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
        'aggregate, cumulative: count distinct values of this key; per_entity, threshold: distinct values of this member per entity',
      ),
    entity: cube.optional().describe('aggregate, per_entity, threshold, cohort: the entity cube counted'),
    value: member
      .optional()
      .describe('distribution, per_entity, cumulative, comparison: the number measured'),
    stat: z.enum(['median', 'percentile', 'min', 'max']).optional().describe('distribution'),
    p: z.number().int().min(1).max(99).optional().describe('distribution with stat percentile'),
    condition: wireCondition.optional().describe('share: the rows counted in the share'),
    key: member.optional().describe('per_entity, threshold, lookup: the key dimension'),
    op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']).optional().describe('threshold'),
    n: z.number().min(-1_000_000_000).max(1_000_000_000).optional().describe('threshold'),
    list: z.boolean().optional().describe('threshold, cohort: list the entities instead of counting them'),
    grain: z.enum(GRAINS).optional().describe('cumulative'),
    combine: z.enum(['and', 'but_not']).optional().describe('cohort'),
    first: wireSide.optional().describe('cohort'),
    second: wireSide.optional().describe('cohort'),
    periods: z.array(wireTime).min(2).max(2).optional().describe('comparison: the two periods'),
    attributes: z.array(member).min(1).max(10).optional().describe('lookup: the attributes to show'),
    id: z.string().min(1).max(200).optional().describe('lookup: the record’s key value'),
  })
  .strict();
export type SubmitInterpretationArgs = z.infer<typeof submitInterpretationArgs>;

// The logical form's own union, strict per kind.
const condition = z.union([
  z
    .object({ member, op: z.literal('in'), values: z.array(z.string().min(1).max(500)).min(1).max(100) })
    .strict(),
  z.object({ member, op: z.enum(['is_true', 'is_false', 'is_null', 'is_not_null']) }).strict(),
  z.object({ member, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number().finite() }).strict(),
]);
const time = wireTime;
const side = z
  .object({ cube, key: member, filters: z.array(condition).max(10), time: time.optional() })
  .strict();
const groupBy = z.union([z.object({ member }).strict(), z.object({ grain: z.enum(GRAINS) }).strict()]);
const base = {
  cube,
  filters: z.array(condition).max(20),
  time: time.optional(),
  groupBy: groupBy.optional(),
  thenBy: groupBy.optional(),
};
const stat = z.union([
  z.object({ stat: z.enum(['median', 'min', 'max']) }),
  z.object({ stat: z.literal('percentile'), p: z.number().int().min(1).max(99) }),
]);
export const logicalFormSchema = z.discriminatedUnion('kind', [
  z
    .object({ ...base, kind: z.literal('aggregate'), distinct: member.optional(), entity: cube.optional() })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('distribution'),
      value: member,
      less: member.optional(),
      stat: z.enum(['median', 'min', 'max', 'percentile']),
      p: z.number().int().min(1).max(99).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('share'),
      condition: condition.optional(),
      value: member.optional(),
      part: member.optional(),
      whole: z.literal('all').optional(),
    })
    .strict(),
  z
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
  z
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
  z
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
  z
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
  z
    .object({
      ...base,
      kind: z.literal('comparison'),
      agg: z.enum(['count', 'sum', 'avg']),
      value: member.optional(),
      periods: z.tuple([time, time]),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('lookup'),
      attributes: z.array(member).min(1).max(10),
      key: member,
      id: z.string().min(1).max(200),
    })
    .strict(),
]);

type Parsed = z.infer<typeof logicalFormSchema>;
/** A distribution's statistic as the logical form types it. */
function withStat(f: Extract<Parsed, { kind: 'distribution' }>): LogicalForm {
  const { stat: s, p, ...rest } = f;
  const st = stat.safeParse(s === 'percentile' ? { stat: s, p } : { stat: s });
  if (!st.success) throw new InvalidInterpretation('p: a percentile needs p, from 1 to 99');
  return { ...rest, ...st.data } as LogicalForm;
}
// Every other parsed form is a LogicalForm as it is: this fails to compile if the two drift apart.
const asForm: (f: Exclude<Parsed, { kind: 'distribution' }>) => LogicalForm = (f) => f;

/** Drop what a kind does not use (the wire object is flat), so the strict union can check the rest. */
const FIELDS: Record<(typeof FORM_KINDS)[number], readonly string[]> = {
  aggregate: ['distinct', 'entity'],
  distribution: ['value', 'less', 'stat', 'p', 'groupBy', 'thenBy'],
  share: ['condition', 'value', 'part', 'whole', 'groupBy', 'thenBy'],
  per_entity: ['key', 'entity', 'value', 'distinct', 'over', 'groupBy', 'thenBy'],
  threshold: ['key', 'entity', 'op', 'n', 'list', 'value', 'less', 'agg', 'distinct', 'and'],
  cumulative: ['value', 'distinct', 'entity', 'less', 'grain', 'groupBy'],
  cohort: ['entity', 'combine', 'first', 'second', 'list'],
  comparison: ['agg', 'value', 'periods'],
  lookup: ['attributes', 'key', 'id'],
};

/** Why a model's interpretation cannot be used, in words it (and the audit record) can act on. */
export class InvalidInterpretation extends Error {}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'interpretation'}: ${i.message}`)
    .join('; ');
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
  const kept: Record<string, unknown> = { kind: w.kind, cube: w.cube, filters: w.filters ?? [] };
  if (w.time) kept.time = w.time;
  for (const k of FIELDS[w.kind]) {
    const v = (w as Record<string, unknown>)[k];
    if (v !== undefined) kept[k] = v;
  }
  if (w.kind === 'threshold' || w.kind === 'cohort') kept.list = w.list ?? false;
  for (const k of Object.keys(w))
    if (!(k in kept) && !['filters', 'list'].includes(k))
      throw new InvalidInterpretation(`${k}: not a field of a ${w.kind} interpretation`);
  const parsed = logicalFormSchema.safeParse(kept);
  if (!parsed.success) throw new InvalidInterpretation(describe(parsed.error));
  const f = parsed.data;
  const form = f.kind === 'distribution' ? withStat(f) : asForm(f);
  checkMembers(form, lexicon);
  return form;
}

function checkMembers(f: LogicalForm, lexicon: Lexicon): void {
  const cubeOf = (name: string, what: string) => {
    if (!lexicon.cubes.has(name))
      throw new InvalidInterpretation(`${what}: no cube "${name}" the caller may query`);
  };
  const memberOf = (name: string, onCube: string, what: string, types?: readonly string[]) => {
    const m = lexicon.members.get(name);
    if (!m) throw new InvalidInterpretation(`${what}: no member "${name}" the caller may see`);
    // A masked column is shown, never matched or computed on: that would reveal what the mask hides.
    // A date kept to the year answers by whole years (checked where it is used).
    const yearOnly =
      m.kind === 'time' &&
      lexicon.cubes.get(m.cube)?.timeDimension === m.member &&
      lexicon.cubes.get(m.cube)?.yearOnly;
    if (m.masked && !yearOnly && !what.startsWith('attributes'))
      throw new InvalidInterpretation(`${what}: "${name}" is masked for the caller`);
    if (m.cube !== onCube) throw new InvalidInterpretation(`${what}: "${name}" is not a member of ${onCube}`);
    if (m.kind === 'measure' || m.kind === 'segment')
      throw new InvalidInterpretation(`${what}: "${name}" is a ${m.kind}; name a dimension of ${onCube}`);
    if (types && !types.includes(m.type))
      throw new InvalidInterpretation(`${what}: "${name}" is ${m.type}, not ${types.join(' or ')}`);
  };
  const conditionOn = (c: Condition, onCube: string, what: string) =>
    memberOf(
      c.member,
      onCube,
      what,
      c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte' ? ['number'] : undefined,
    );
  const timeOn = (t: TimeFilter, onCube: string, what: string) => {
    memberOf(t.member, onCube, what, ['time']);
    if (t.from > t.to) throw new InvalidInterpretation(`${what}: from ${t.from} is after to ${t.to}`);
    if (
      lexicon.members.get(t.member)?.masked &&
      !(/-01-01/.test(t.from.slice(4, 10)) && /-12-31/.test(t.to.slice(4, 10)))
    )
      throw new InvalidInterpretation(
        `${what}: ${t.member} is kept to the year for the caller; use whole years`,
      );
  };
  const sideOn = (s: CohortSide, what: string) => {
    cubeOf(s.cube, `${what}.cube`);
    memberOf(s.key, s.cube, `${what}.key`);
    s.filters.forEach((c, i) => {
      conditionOn(c, s.cube, `${what}.filters.${i}`);
    });
    if (s.time) timeOn(s.time, s.cube, `${what}.time`);
  };
  cubeOf(f.cube, 'cube');
  f.filters.forEach((c, i) => {
    conditionOn(c, f.cube, `filters.${i}`);
  });
  if (f.time) timeOn(f.time, f.cube, 'time');
  for (const [what, g] of [
    ['groupBy', f.groupBy],
    ['thenBy', f.thenBy],
  ] as const) {
    // A breakdown by a dimension of the cube a row points at through its key ("by the member's sex").
    const owner = g && 'member' in g ? lexicon.members.get(g.member)?.cube : undefined;
    const through = owner && owner !== f.cube && lexicon.cubes.get(f.cube)?.keys.has(owner) ? owner : f.cube;
    if (g && 'member' in g) memberOf(g.member, through, `${what}.member`);
    if (g && 'grain' in g && !lexicon.cubes.get(f.cube)?.timeDimension)
      throw new InvalidInterpretation(`${what}.grain: ${f.cube} has no time dimension the caller may see`);
    if (g && 'grain' in g && g.grain !== 'year' && lexicon.cubes.get(f.cube)?.yearOnly)
      throw new InvalidInterpretation(
        `${what}.grain: dates of ${f.cube} are kept to the year for the caller`,
      );
  }
  if (f.thenBy && !f.groupBy) throw new InvalidInterpretation('thenBy: a second breakdown needs a groupBy');
  const grain =
    f.groupBy && 'grain' in f.groupBy ? f.groupBy.grain : f.kind === 'cumulative' ? f.grain : undefined;
  if (grain && grain !== 'year' && lexicon.cubes.get(f.cube)?.yearOnly)
    throw new InvalidInterpretation(`grain: dates of ${f.cube} are kept to the year for the caller`);
  switch (f.kind) {
    case 'aggregate':
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct');
      if (f.entity) cubeOf(f.entity, 'entity');
      return;
    case 'distribution':
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      else if (!f.per) throw new InvalidInterpretation('value: a distribution needs the number it is of');
      if (f.less) memberOf(f.less, f.cube, 'less', ['number']);
      if (f.per) {
        cubeOf(f.per.entity, 'per.entity');
        memberOf(f.per.key, f.cube, 'per.key');
      }
      return;
    case 'share':
      if (f.condition) conditionOn(f.condition, f.cube, 'condition');
      else if (!f.groupBy && !f.part)
        throw new InvalidInterpretation('condition: a share needs a condition or a breakdown');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.part) memberOf(f.part, f.cube, 'part', ['number']);
      if (f.part && !f.value)
        throw new InvalidInterpretation('part: a part of a sum needs the value it is of');
      if (f.whole && !f.thenBy)
        throw new InvalidInterpretation('whole: only a share broken down twice has a scope');
      return;
    case 'per_entity':
      cubeOf(f.entity, 'entity');
      memberOf(f.key, f.cube, 'key');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct');
      if (f.value && f.distinct)
        throw new InvalidInterpretation('distinct: counts values, not a sum of value');
      return;
    case 'threshold':
      cubeOf(f.entity, 'entity');
      memberOf(f.key, f.cube, 'key');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.less) memberOf(f.less, f.cube, 'less', ['number']);
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct');
      if ((f.agg || f.less) && !f.value)
        throw new InvalidInterpretation('value: a sum or average needs a value');
      if (f.value && f.distinct)
        throw new InvalidInterpretation('distinct: counts values, not a figure of value');
      return;
    case 'cumulative':
      if (!lexicon.cubes.get(f.cube)?.timeDimension)
        throw new InvalidInterpretation(`cube: ${f.cube} has no time dimension the caller may see`);
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.less) memberOf(f.less, f.cube, 'less', ['number']);
      if (f.less && !f.value) throw new InvalidInterpretation('less: taken from a value; give the value');
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct');
      if (f.entity) cubeOf(f.entity, 'entity');
      if (f.distinct && f.value)
        throw new InvalidInterpretation('distinct: counts entities, not a sum of value');
      return;
    case 'cohort':
      cubeOf(f.entity, 'entity');
      if ('terms' in f) return;
      sideOn(f.first, 'first');
      sideOn(f.second, 'second');
      return;
    case 'comparison':
      if (f.agg !== 'count' && !f.value)
        throw new InvalidInterpretation('value: a sum or average needs a value');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      f.periods?.forEach((t, i) => {
        timeOn(t, f.cube, `periods.${i}`);
      });
      return;
    case 'lookup':
      memberOf(f.key, f.cube, 'key');
      f.attributes.forEach((a, i) => {
        memberOf(a, f.cube, `attributes.${i}`);
      });
      return;
  }
}
