/**
 * A logical form a model submitted, checked against the caller's lexicon before anything is
 * compiled: every cube and member one the caller may see, on the cube it is used on, of the right
 * type, each key pointing where the form says, and no field the compiler would silently ignore.
 * Each refusal names the field and says what would be accepted, so the model can correct it.
 */
import type { Lexicon } from './lexicon.ts';
import type {
  CohortForm,
  CohortSide,
  CohortTerm,
  Condition,
  LogicalForm,
  TimeFilter,
} from './logical-form.ts';
import { unitConversion } from './unit.ts';

/** Why a model's interpretation cannot be used, in words it (and the audit record) can act on. */
export class InvalidInterpretation extends Error {}

const UNITS = ['second', 'minute', 'hour', 'day', 'week'] as const;

/**
 * Throws InvalidInterpretation when the form names what the caller may not see or does not hold
 * together; returns nothing otherwise.
 *
 * @example checkForm(form, lexicon); compileSql(form, lexicon)
 */
export function checkForm(f: LogicalForm, lexicon: Lexicon): void {
  const refuse = (message: string): never => {
    throw new InvalidInterpretation(message);
  };
  const cubeOf = (name: string, what: string) => {
    if (!lexicon.cubes.has(name)) refuse(`${what}: no cube "${name}" the caller may query`);
  };
  /**
   * `use`: `shown`, a column listed beside a record; `key`, a key rows are grouped, counted or
   * joined by. Neither is matched against a value, so a masked one may serve (the gate gives its
   * stand-in, as on the offline path); a masked column that is no key is never counted by value.
   * `year`: a date the caller sees as its year only, used for what the mask keeps (whole years,
   * whether there is one at all).
   */
  const memberOf = (
    name: string,
    onCube: string,
    what: string,
    types?: readonly string[],
    use?: 'shown' | 'key' | 'year',
  ) => {
    const m = lexicon.members.get(name);
    if (!m) return refuse(`${what}: no member "${name}" the caller may see`);
    // A masked column is shown, never matched or computed on: that would reveal what the mask hides.
    // A date kept to the year answers by whole years (checked where it is used).
    const yearOnly =
      m.kind === 'time' &&
      ((use === 'year' && m.yearOnly) ||
        (lexicon.cubes.get(m.cube)?.timeDimension === m.member && lexicon.cubes.get(m.cube)?.yearOnly));
    const unmatched = use === 'shown' || (use === 'key' && (m.primaryKey || m.references !== undefined));
    if (m.masked && !yearOnly && !unmatched) refuse(`${what}: "${name}" is masked for the caller`);
    if (m.cube !== onCube) refuse(`${what}: "${name}" is not a member of ${onCube}`);
    if (m.kind === 'measure' || m.kind === 'segment')
      refuse(`${what}: "${name}" is a ${m.kind}; name a dimension of ${onCube}`);
    if (types && !types.includes(m.type))
      refuse(`${what}: "${name}" is ${m.type}, not ${types.join(' or ')}`);
  };
  /** The key of `cube` that points at `target`, or a refusal naming what would. */
  const keyTo = (cube: string, target: string, key: string | undefined, what: string): string => {
    const expected = lexicon.cubes.get(cube)?.keys.get(target);
    if (!expected) return refuse(`${what}: ${cube} has no key the caller may see that points at ${target}`);
    if (key !== expected) refuse(`${what}: the key of ${cube} that points at ${target} is "${expected}"`);
    memberOf(expected, cube, what, undefined, 'key');
    return expected;
  };
  /**
   * A condition on a dimension of `onCube`; with `throughKey`, also of a cube it points at through
   * a key of its own ("visits by women": the member's sex), as the compiler reads it.
   */
  const conditionOn = (c: Condition, onCube: string, what: string, throughKey = false) => {
    const owner = lexicon.members.get(c.member)?.cube;
    const via =
      throughKey && owner && owner !== onCube && lexicon.cubes.get(onCube)?.keys.has(owner) ? owner : onCube;
    if (via !== onCube && !lexicon.cubes.get(via)?.primaryKey)
      refuse(`${what}: ${via} has no key the caller may see to reach it from ${onCube}`);
    const numeric = c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte';
    // Whether a date is recorded at all survives its mask to the year ("patients who have died").
    const recorded = c.op === 'is_null' || c.op === 'is_not_null';
    memberOf(
      c.member,
      via,
      `${what}.member`,
      numeric ? ['number'] : undefined,
      recorded ? 'year' : undefined,
    );
  };
  const timeOn = (t: TimeFilter, onCube: string, what: string) => {
    memberOf(t.member, onCube, what, ['time'], 'year');
    if (t.from > t.to) refuse(`${what}: from ${t.from} is after to ${t.to}`);
    if (
      lexicon.members.get(t.member)?.masked &&
      !(/-01-01/.test(t.from.slice(4, 10)) && /-12-31/.test(t.to.slice(4, 10)))
    )
      refuse(`${what}: ${t.member} is kept to the year for the caller; use whole years`);
  };
  const sideOn = (s: CohortSide, what: string) => {
    cubeOf(s.cube, `${what}.cube`);
    memberOf(s.key, s.cube, `${what}.key`, undefined, 'key');
    s.filters.forEach((c, i) => {
      conditionOn(c, s.cube, `${what}.filters.${i}`);
    });
    if (s.time) timeOn(s.time, s.cube, `${what}.time`);
  };
  /** A condition of a cohort: on the head's own rows (no key), or on rows of a cube keyed to it. */
  const termOn = (t: CohortTerm, head: string, what: string) => {
    cubeOf(t.cube, `${what}.cube`);
    if (t.cube === head) {
      if (t.key) refuse(`${what}.key: a term on ${head} itself takes no key`);
    } else keyTo(t.cube, head, t.key, `${what}.key`);
    t.filters.forEach((c, i) => {
      conditionOn(c, t.cube, `${what}.filters.${i}`);
    });
    if (t.time) timeOn(t.time, t.cube, `${what}.time`);
  };
  /** A cohort of head rows by terms; `nested`: a `within` cohort, the set of head keys it keeps. */
  const cohortOn = (c: CohortForm, what: string, nested: boolean) => {
    cubeOf(c.cube, `${what}cube`);
    if (c.entity !== c.cube) refuse(`${what}entity: a cohort's entity is its own cube, ${c.cube}`);
    const pk = lexicon.cubes.get(c.cube)?.primaryKey;
    if (nested && !pk) refuse(`${what}cube: ${c.cube} has no key the caller may see to keep records by`);
    if (c.key !== (pk ?? ''))
      refuse(`${what}key: the key of ${c.cube} is ${pk ? `"${pk}"` : 'none the caller may see'}`);
    if (c.filters.length || c.time)
      refuse(
        `${what}filters: a cohort's conditions go in its terms (a term on ${c.cube} itself for its own)`,
      );
    if (!c.scope.length && !c.terms.length) refuse(`${what}terms: a cohort needs at least one term`);
    c.scope.forEach((t, i) => {
      termOn(t, c.cube, `${what}scope.${i}`);
    });
    c.terms.forEach((t, i) => {
      termOn(t, c.cube, `${what}terms.${i}`);
    });
    if (nested && (c.output !== 'list' || c.columns.length))
      refuse(`${what}output: a within cohort is the list of its records, with no columns`);
    if (c.columns.length && c.output !== 'list') refuse(`${what}columns: only a listed cohort has columns`);
    c.columns.forEach((m, i) => {
      memberOf(m, c.cube, `${what}columns.${i}`, undefined, 'shown');
    });
  };

  if (f.kind === 'cohort' && 'terms' in f) {
    cohortOn(f, '', false);
    return;
  }
  cubeOf(f.cube, 'cube');
  f.filters.forEach((c, i) => {
    conditionOn(c, f.cube, `filters.${i}`);
  });
  if (f.time) timeOn(f.time, f.cube, 'time');
  (f.within ?? []).forEach((w, i) => {
    cohortOn(w.cohort, `within.${i}.cohort.`, true);
    keyTo(f.cube, w.cohort.cube, w.key, `within.${i}.key`);
  });
  for (const [what, g] of [
    ['groupBy', f.groupBy],
    ['thenBy', f.thenBy],
  ] as const) {
    // A breakdown by a dimension of the cube a row points at through its key ("by the member's sex").
    const owner = g && 'member' in g ? lexicon.members.get(g.member)?.cube : undefined;
    const through = owner && owner !== f.cube && lexicon.cubes.get(f.cube)?.keys.has(owner) ? owner : f.cube;
    if (g && 'member' in g) memberOf(g.member, through, `${what}.member`);
    if (g && 'grain' in g && !lexicon.cubes.get(f.cube)?.timeDimension)
      refuse(`${what}.grain: ${f.cube} has no time dimension the caller may see`);
    if (g && 'grain' in g && g.grain !== 'year' && lexicon.cubes.get(f.cube)?.yearOnly)
      refuse(`${what}.grain: dates of ${f.cube} are kept to the year for the caller`);
  }
  if (f.thenBy && !f.groupBy) refuse('thenBy: a second breakdown needs a groupBy');
  const grain =
    f.groupBy && 'grain' in f.groupBy ? f.groupBy.grain : f.kind === 'cumulative' ? f.grain : undefined;
  if (grain && grain !== 'year' && lexicon.cubes.get(f.cube)?.yearOnly)
    refuse(`grain: dates of ${f.cube} are kept to the year for the caller`);
  switch (f.kind) {
    case 'aggregate':
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct', undefined, 'key');
      if (f.entity) cubeOf(f.entity, 'entity');
      // Listed without its entity, the rows themselves would be listed, not the entities.
      if (f.list && f.distinct && !f.entity)
        refuse('entity: a list of distinct entities names the entity cube the key points at');
      return;
    case 'distribution': {
      // "earliest and latest visit dates": the first and last of a date the caller sees whole.
      const dated =
        f.value !== undefined &&
        lexicon.members.get(f.value)?.type === 'time' &&
        [f, ...(f.also ?? [])].every((s) => s.stat === 'min' || s.stat === 'max');
      if (dated && (f.less || f.per || f.unit || lexicon.members.get(f.value as string)?.masked))
        refuse(`value: the first and last of ${f.value} only, of dates the caller sees whole`);
      if (f.value) memberOf(f.value, f.cube, 'value', dated ? ['time'] : ['number']);
      else if (!f.per)
        refuse('value: a distribution needs the number it is of (or per, to count rows per entity)');
      if (f.less) memberOf(f.less, f.cube, 'less', ['number']);
      if (f.less && !f.value) refuse('less: taken from a value; give the value');
      if (f.per) {
        cubeOf(f.per.entity, 'per.entity');
        keyTo(f.cube, f.per.entity, f.per.key, 'per.key');
        if (f.per.distinct) memberOf(f.per.distinct, f.cube, 'per.distinct', undefined, 'key');
        if (f.per.distinct && f.value) refuse('per.distinct: counts values per entity, not a sum of value');
      }
      if (f.unit) {
        const m = f.value ? lexicon.members.get(f.value) : undefined;
        if (!f.value || !m?.unit)
          refuse(
            `unit: ${f.value ?? 'a count'} has no unit of time in the caller's model; answer as it is kept`,
          );
        if ([f, ...(f.also ?? [])].some((s) => s.stat === 'count')) refuse('unit: a count has no unit');
        const given = f.unit;
        const ok = UNITS.some((u) => {
          const c = unitConversion(m?.unit, u);
          return c && c.from === given.from && c.to === given.to && c.name === given.name;
        });
        if (!ok)
          refuse(
            `unit: ${f.value} is kept in ${m?.unit}s; give from = seconds in a ${m?.unit}, to = seconds in the unit asked, name = the unit in the plural (e.g. ${JSON.stringify(unitConversion(m?.unit, 'hour'))})`,
          );
      }
      return;
    }
    case 'share':
      if (f.condition) conditionOn(f.condition, f.cube, 'condition', true);
      else if (!f.groupBy && !f.part) refuse('condition: a share needs a condition or a breakdown');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.part) memberOf(f.part, f.cube, 'part', ['number']);
      if (f.part && !f.value) refuse('part: a part of a sum needs the value it is of');
      if (f.whole && !f.thenBy) refuse('whole: only a share broken down twice has a scope');
      return;
    case 'per_entity':
      cubeOf(f.entity, 'entity');
      memberOf(f.key, f.cube, 'key', undefined, 'key');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct', undefined, 'key');
      if (f.value && f.distinct) refuse('distinct: counts values, not a sum of value');
      return;
    case 'threshold':
      cubeOf(f.entity, 'entity');
      memberOf(f.key, f.cube, 'key', undefined, 'key');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.less) memberOf(f.less, f.cube, 'less', ['number']);
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct', undefined, 'key');
      if ((f.agg || f.less) && !f.value) refuse('value: a sum or average needs a value');
      if (f.value && f.distinct) refuse('distinct: counts values, not a figure of value');
      return;
    case 'cumulative':
      if (!lexicon.cubes.get(f.cube)?.timeDimension)
        refuse(`cube: ${f.cube} has no time dimension the caller may see`);
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.less) memberOf(f.less, f.cube, 'less', ['number']);
      if (f.less && !f.value) refuse('less: taken from a value; give the value');
      if (f.distinct) memberOf(f.distinct, f.cube, 'distinct', undefined, 'key');
      if (f.entity) cubeOf(f.entity, 'entity');
      if (f.distinct && f.value) refuse('distinct: counts entities, not a sum of value');
      return;
    case 'cohort':
      // Its conditions are its sides': anything on the form itself would not be applied.
      if (f.filters.length || f.time || f.within?.length)
        refuse('filters: a cohort combining first and second takes its conditions on each side');
      cubeOf(f.entity, 'entity');
      sideOn(f.first, 'first');
      sideOn(f.second, 'second');
      return;
    case 'comparison':
      // A ratio of two figures, each of its own cube with its own conditions and period.
      if (f.figures) {
        f.figures.forEach((g, i) => {
          cubeOf(g.cube, `figures.${i}.cube`);
          if (g.agg !== 'count' && !g.value) refuse(`figures.${i}.value: a sum or average needs a value`);
          if (g.agg === 'count' && g.value) refuse(`figures.${i}.value: a count takes no value`);
          if (g.value) memberOf(g.value, g.cube, `figures.${i}.value`, ['number']);
          g.filters.forEach((c, j) => {
            conditionOn(c, g.cube, `figures.${i}.filters.${j}`, true);
          });
          if (g.time) timeOn(g.time, g.cube, `figures.${i}.time`);
        });
        return;
      }
      if (f.agg !== 'count' && !f.value) refuse('value: a sum or average needs a value');
      if (f.agg === 'count' && f.value) refuse('value: a count takes no value; use agg sum or avg');
      if (f.value) memberOf(f.value, f.cube, 'value', ['number']);
      if (f.groups) {
        f.groups.forEach((g, i) => {
          conditionOn(g.condition, f.cube, `groups.${i}.condition`, true);
        });
        if (f.distinct || f.entity) {
          if (!f.entity || !f.distinct) refuse('entity: distinct and entity go together');
          cubeOf(f.entity as string, 'entity');
          keyTo(f.cube, f.entity as string, f.distinct, 'distinct');
          if (f.agg !== 'count') refuse('distinct: counts entities; agg is count');
        }
        if (f.differences && f.output !== 'rows') refuse('differences: only with output rows');
        return;
      }
      if (f.difference && f.rows) refuse('rows: the difference is one figure; give difference or rows');
      f.periods.forEach((t, i) => {
        timeOn(t, f.cube, `periods.${i}`);
      });
      return;
    case 'lookup':
      memberOf(f.key, f.cube, 'key');
      f.attributes.forEach((a, i) => {
        memberOf(a, f.cube, `attributes.${i}`, undefined, 'shown');
      });
      return;
  }
}
