/**
 * Group against group: one figure for two values of one dimension, side by side with their
 * difference ("is the average charge higher for urgent or routine visits", "women compared with
 * men"), or as a ratio ("ratio of urgent to routine visits", "how many urgent visits for every
 * routine one"). The two groups are values the model stores (or its value synonyms); the figure is
 * the rows counted, or the total or average of a number column, of the cube measured or of a cube
 * that points at the groups' cube through a key. Plain side-by-side wording ("A vs B") is one row
 * per group with its figure — read here, so "average cost for women vs men" stays the average of
 * the column said rather than a per-person figure the groups' words might suggest.
 */
import {
  choices,
  clarify,
  finish,
  type Interpretation,
  numberColumns,
  RELATIVE,
  type Reading,
  reading,
  tie,
} from './interpret.ts';
import {
  type Lexicon,
  type Match,
  matchCubes,
  matchMembers,
  matchValues,
  type ValueEntry,
  valueKey,
} from './lexicon.ts';
import type { ComparedGroup, LogicalForm } from './logical-form.ts';
import type { TimeIntent } from './read-time.ts';
import { freePhrase, isContent, type Token } from './text.ts';
import { type ValueRun, valueRuns } from './value-words.ts';

/** Words that ask how two groups relate: a difference, a direction, "compared to". */
const RELATION =
  /\bcompar\w*\b.*\bbetween\b|\b(?:differen(?:ce|ces|t)|differs?|gap|higher|lower|more|less|fewer|greater|bigger|larger|smaller|cheaper|costlier|pricier|dearer|longer|shorter|quicker|faster|slower|compar(?:e|es|ed|ing)\s+(?:to|with|against)|relative\s+to|than)\b/;
/**
 * Words that ask for one group as a multiple of the other ("for every", "for each" only between
 * the groups: "average cost for each" at the end asks the figure of each group).
 */
const RATIO = /\bratio\b|\btimes\s+(?:as|more)\b/;
/** Words that stand between the two groups. */
const BETWEEN = new Set([
  'vs',
  'v',
  'versus',
  'or',
  'and',
  'to',
  'than',
  'per',
  'every',
  'each',
  'compared',
  'against',
  'with',
  'for',
  'the',
  'a',
  'an',
]);
/** Words that set one group against the other (beside "and", which may join them in a cohort). */
const CONNECTIVES = ['or', 'vs', 'v', 'versus', 'to', 'than', 'per', 'every', 'each', 'compared', 'against'];
/** The relation's own words: placed by the comparison. */
const CUE = new Set([
  'between',
  'ratio',
  'difference',
  'differences',
  'different',
  'differ',
  'differs',
  'gap',
  'higher',
  'lower',
  'more',
  'less',
  'fewer',
  'greater',
  'bigger',
  'larger',
  'smaller',
  // Comparatives of money and time ("is urgent care cheaper than the ER").
  'cheaper',
  'costlier',
  'pricier',
  'dearer',
  'longer',
  'shorter',
  'quicker',
  'faster',
  'slower',
  'compared',
  'compare',
  'comparing',
  'relative',
  'than',
  // "… for each, respectively": the figure of each group, which the rows are.
  'respectively',
  'vs',
  'versus',
  'times',
  'every',
  'each',
]);
/** "how much more", "how many fewer", "how much higher": the difference itself is the figure. */
const HOW_MUCH =
  /\bhow\s+(?:much|many)\s+(?:more|fewer|less|higher|lower|greater|bigger|larger|smaller|cheaper|dearer)\b/;
const TIME_COMPARATIVE = /\b(?:longer|shorter|quicker|faster|slower)\b/;
const AMOUNT =
  /\bhow\s+much\b(?!\s+(?:more|fewer|less|higher|lower|greater|bigger|larger|smaller)\b)|\b(?:pay|paid|pays|spend|spent|spending|spends|dollars?|amount)\b/;
const MONEY_COMPARATIVE = /\b(?:cheaper|costlier|pricier|dearer)\b/;
const AVERAGE = new Set(['average', 'mean', 'avg', 'typical']);
const TOTAL = new Set(['total', 'sum', 'overall', 'combined']);
const COMPARATIVE = new Set(['more', 'fewer', 'less', 'greater']);

/** One group as the question names it: the words, the cube whose rows it selects, the condition. */
interface Side {
  covered: number[];
  cube: string;
  group: ComparedGroup;
  score: number;
}

interface Pair {
  a: Side;
  b: Side;
  /** Groups said by what the model says an empty (or filled) member means ("living", "deceased"). */
  byNull: boolean;
}

/** The two sides in the order said, when only joining words stand between them. */
function ordered(r: Reading, lexicon: Lexicon, x: Side, y: Side): [Side, Side] | undefined {
  const [a, b] = [x, y].sort((p, q) => Math.min(...p.covered) - Math.min(...q.covered)) as [Side, Side];
  const gap = r.tokens.filter((t) => t.index > Math.max(...a.covered) && t.index < Math.min(...b.covered));
  // Only joining words between them ("emergency or inpatient", "women compared with men", "2021
  // lower than for wellness"), or the name of the rows ("emergency visits or inpatient visits").
  const joining = (t: Token) =>
    BETWEEN.has(t.word) || CUE.has(t.word) || !isContent(t) || isCubeWord(r, lexicon, t.index);
  if (!gap.length || !gap.every(joining)) return undefined;
  return [a, b];
}

/**
 * Two values of one dimension, named apart with a word between them ("inpatient vs emergency");
 * or, failing that, the two things the model says an empty member means and a filled one does
 * ("living or deceased").
 */
function twoGroups(r: Reading, lexicon: Lexicon): Pair | 'many' | undefined {
  const byMember = new Map<string, Array<Match<ValueEntry>>>();
  for (const m of matchValues(r.tokens, r.free(), lexicon, (v) => !v.local)) {
    const list = byMember.get(m.target.member) ?? [];
    list.push(m);
    byMember.set(m.target.member, list);
  }
  let best: (Pair & { score: number }) | undefined;
  let many = false;
  for (const list of byMember.values()) {
    // The best reading of each stretch of words, one per value, no two sharing a word.
    const picked: Array<Match<ValueEntry>> = [];
    for (const m of [...list].sort((x, y) => y.score - x.score || y.covered.length - x.covered.length)) {
      if (picked.some((p) => p.covered.some((i) => m.covered.includes(i)))) continue;
      if (picked.some((p) => valueKey(p.target.value) === valueKey(m.target.value))) continue;
      picked.push(m);
    }
    if (picked.length > 2) many = true;
    if (picked.length !== 2) continue;
    const sides = picked.map((m) => ({
      covered: m.covered,
      cube: m.target.cube,
      group: group(r, m),
      score: m.score,
    }));
    const pair = ordered(r, lexicon, sides[0] as Side, sides[1] as Side);
    if (!pair) continue;
    const score = pair[0].score + pair[1].score;
    if (!best || score > best.score) best = { a: pair[0], b: pair[1], byNull: false, score };
  }
  if (best) return best;
  if (many) return 'many';
  const split = splitAcross(r, lexicon);
  if (split) return split;
  const inside = valueWordGroups(r, lexicon);
  if (inside) return inside;
  // "living vs deceased": an empty member and a filled one, each said in the model's words.
  for (const empty of lexicon.nulls) {
    if (!empty.isNull) continue;
    const filled = lexicon.nulls.find((n) => n.member === empty.member && !n.isNull);
    const x = filled && freePhrase(r.tokens, r.free(), empty.stems);
    const y = filled && freePhrase(r.tokens, r.free(), filled.stems);
    if (!filled || !x || !y || x.some((i) => y.includes(i))) continue;
    const side = (at: number[], op: 'is_null' | 'is_not_null'): Side => ({
      covered: at,
      cube: empty.cube,
      group: { label: said(r, at), condition: { member: empty.member, op } },
      score: at.length,
    });
    const pair = ordered(r, lexicon, side(x, 'is_null'), side(y, 'is_not_null'));
    if (pair) return { a: pair[0], b: pair[1], byNull: true };
  }
  return undefined;
}

/**
 * "between Medicare and Medicaid" where the model also knows "Medicare and Medicaid" as one value
 * (a synonym of another): asked how two groups relate, the words either side of the joining word
 * are read apart, one value each of the same dimension.
 */
function splitAcross(r: Reading, lexicon: Lexicon): Pair | undefined {
  const free = r.free();
  for (const m of matchValues(r.tokens, free, lexicon, (v) => !v.local)) {
    const lo = Math.min(...m.covered);
    const hi = Math.max(...m.covered);
    const join = r.tokens.find(
      (t) => t.index > lo && t.index < hi && (t.word === 'and' || CONNECTIVES.includes(t.word)),
    );
    if (!join) continue;
    const part = (keep: (i: number) => boolean) =>
      matchValues(r.tokens, new Set([...free].filter(keep)), lexicon, (v) => !v.local).sort(
        (x, y) => y.score - x.score,
      );
    for (const x of part((i) => i < join.index))
      for (const y of part((i) => i > join.index)) {
        if (x.target.member !== y.target.member || valueKey(x.target.value) === valueKey(y.target.value))
          continue;
        const side = (v: Match<ValueEntry>): Side => ({
          covered: v.covered,
          cube: v.target.cube,
          group: group(r, v),
          score: v.score,
        });
        const pair = ordered(r, lexicon, side(x), side(y));
        if (pair) return { a: pair[0], b: pair[1], byNull: false };
      }
  }
  return undefined;
}

/**
 * "insulin vs metformin": two runs of words inside stored values of one dimension (value-words.ts),
 * named apart: each group is every value holding its words, labelled as said — never the two
 * merged into one condition.
 */
function valueWordGroups(r: Reading, lexicon: Lexicon): Pair | undefined {
  const named = new Set(matchCubes(r.tokens, r.free(), lexicon).map((c) => c.target.name));
  const { runs } = valueRuns(
    lexicon,
    r.tokens,
    r.free(),
    () => true,
    (c) => named.has(c),
  );
  const side = (v: ValueRun): Side => ({
    covered: v.covered,
    cube: v.cube,
    group: { label: v.said, condition: { member: v.member, op: 'in', values: v.values } },
    score: v.covered.length,
  });
  for (const [i, x] of runs.entries())
    for (const y of runs.slice(i + 1)) {
      if (x.member !== y.member || x.values.join('\n') === y.values.join('\n')) continue;
      const pair = ordered(r, lexicon, side(x), side(y));
      if (pair) return { a: pair[0], b: pair[1], byNull: false };
    }
  return undefined;
}

/** A word naming a cube ("emergency visits or inpatient visits"): it may stand between the groups. */
function isCubeWord(r: Reading, lexicon: Lexicon, i: number): boolean {
  return matchCubes(r.tokens, new Set([i]), lexicon).length > 0;
}

/** The words at these positions, in order. */
function said(r: Reading, at: number[]): string {
  return [...at]
    .sort((x, y) => x - y)
    .map((i) => r.tokens[i]?.word ?? '')
    .join(' ');
}

/** How the question names a group: the value stored, or the words said for it ("women"). */
function group(r: Reading, m: Match<ValueEntry>): ComparedGroup {
  const label = m.target.synonym ? said(r, m.covered) : m.target.value;
  return { label, condition: { member: m.target.member, op: 'in', values: [m.target.value] } };
}

/**
 * Read a question that sets two groups against each other into a comparison form, or undefined
 * when it is not one (no relating words, or no two values of one dimension between them).
 *
 * @example groupComparison('is the average charge higher for urgent or routine visits', readTime(…), lexicon, now)
 * // { kind: 'form', form: { kind: 'comparison', agg: 'avg', groups: [urgent, routine], output: 'difference', … } }
 */
export function groupComparison(
  text: string,
  time: TimeIntent,
  lexicon: Lexicon,
  now: Date,
): Interpretation | undefined {
  // "more than 3 encounters" is a threshold, not a relation between groups.
  const lower = text.toLowerCase().replace(/\b(?:more|fewer|less|greater|higher|lower)\s+than\s+\$?\d/g, ' ');
  const relation = RELATION.test(lower);
  const ratioWords = RATIO.test(lower);
  if (!relation && !ratioWords && !/\b(?:per|vs|versus|or|and)\b|\bfor\s+(?:every|each)\b/.test(lower))
    return undefined;
  const r = reading(time.rest);
  const pair = twoGroups(r, lexicon);
  if (pair === 'many' || !pair) return undefined;
  const { a, b } = pair;
  const between = r.tokens.filter(
    (t) => t.index > Math.max(...a.covered) && t.index < Math.min(...b.covered),
  );
  // "patients with diabetes and hypertension …": two values joined by "and" are a cohort's, unless
  // the question asks how they differ or compare.
  const joined = new Set(between.map((t) => t.word));
  const onlyAnd = joined.has('and') && !CONNECTIVES.some((w) => joined.has(w));
  if (onlyAnd && !pair.byNull && !/\b(?:differen\w*|differs?|gap|compar\w*|ratio|between)\b/.test(lower))
    return undefined;
  // "emergency visits per inpatient visit": "per" between the groups divides them.
  // "urgent visits for every routine one": "per", or "for each/every" between the groups.
  const per = between.some(
    (t) =>
      t.word === 'per' ||
      ((t.word === 'every' || t.word === 'each') && r.tokens[t.index - 1]?.word === 'for'),
  );
  // Groups said by empty or filled members have no other reading: "living vs deceased" too.
  // "A vs B" with no word of a difference: the figure for each group, one row each.
  const output =
    ratioWords || per
      ? 'ratio'
      : relation || (pair.byNull && /\b(?:vs|versus|or|and)\b/.test(lower))
        ? 'difference'
        : /\b(?:vs|versus)\b/.test(lower)
          ? 'rows'
          : undefined;
  if (!output) return undefined;
  const sideCube = a.cube;
  const first = Math.min(...a.covered);
  // "how many patients had more emergency than inpatient visits": entities compared one by one
  // (a cohort's question), not two groups of rows.
  const comparative = r.tokens.find((t) => COMPARATIVE.has(t.word) && t.index < first);
  const entityFirst = matchCubes(r.tokens, r.free(), lexicon).find(
    (c) =>
      c.target.name !== sideCube &&
      lexicon.cubes.get(sideCube)?.keys.has(c.target.name) &&
      Math.max(...c.covered) < (comparative?.index ?? -1),
  );
  if (comparative && entityFirst && /^\s*(?:how many|which|who|list|number of)\b/.test(lower))
    return undefined;

  // The joining words are placed; a name of the rows between the groups is read with the figure.
  r.use([
    ...a.covered,
    ...b.covered,
    ...between.filter((t) => !isCubeWord(r, lexicon, t.index)).map((t) => t.index),
  ]);
  r.use(r.tokens.filter((t) => CUE.has(t.word)).map((t) => t.index));
  const averaging = r.tokens.filter((t) => AVERAGE.has(t.word));
  const totals = r.tokens.filter((t) => TOTAL.has(t.word));
  r.use([...averaging, ...totals].map((t) => t.index));

  // The cube measured: one that is the groups' cube, or points at it through a key.
  const reaches = (cube: string) => cube === sideCube || lexicon.cubes.get(cube)?.keys.has(sideCube) === true;
  const named = matchCubes(r.tokens, r.free(), lexicon);
  const columns = numberColumns(r, lexicon, (m) => reaches(m.cube)).filter(
    (m) => !named.some((c) => m.covered.every((i) => c.covered.includes(i))),
  );
  // A column of the groups' own cube before the same words in a cube pointing at it.
  const own = columns.find((m) => m.target.cube === sideCube && m.score >= (columns[0]?.score ?? 0) * 0.9);
  let value = own ?? columns[0];
  const tied = own ? undefined : tie(columns);
  if (value && tied) return choices(tied);
  // "are inpatient stays longer than emergency visits": a comparative of time compares durations
  // (the groups' number the model keeps in a unit of time); one of money names no number by itself.
  if (!value && TIME_COMPARATIVE.test(lower)) {
    const timed = [...lexicon.members.values()].filter(
      (m) => m.cube === sideCube && m.kind === 'dimension' && m.type === 'number' && m.unit,
    );
    const only = timed.length === 1 ? timed[0] : undefined;
    if (!only) return clarify('Longer or shorter by which number? Name the duration to compare.');
    value = { target: only, covered: [], score: 1, completeness: 1, cubeWords: [] };
    averaging.push(...r.tokens.filter((t) => TIME_COMPARATIVE.test(t.word)));
  }
  // "how much did each pay", "what did they spend": an amount asked with no number named is
  // never answered with a count of rows.
  if (!value && AMOUNT.test(lower))
    return clarify(
      'Which amount should I compare? Name the cost or payment (e.g. the total payer coverage).',
    );
  if (!value && MONEY_COMPARATIVE.test(lower))
    return clarify(
      'Cheaper or dearer by which amount? Name the cost to compare (e.g. the average claim cost).',
    );
  let cube = value?.target.cube;
  let distinct: string | undefined;
  let entity: string | undefined;
  if (!cube) {
    const ordered = [...named].sort((x, y) => Math.min(...x.covered) - Math.min(...y.covered));
    const pointing = ordered.find((c) => c.target.name !== sideCube && reaches(c.target.name));
    // "patients with emergency vs inpatient visits": the entities the groups' rows point at.
    const pointedAt = ordered.find(
      (c) => c.target.name !== sideCube && lexicon.cubes.get(sideCube)?.keys.has(c.target.name),
    );
    if (pointing) cube = pointing.target.name;
    else if (pointedAt) {
      cube = sideCube;
      entity = pointedAt.target.name;
      distinct = lexicon.cubes.get(sideCube)?.keys.get(entity);
    } else cube = sideCube;
  }
  if (value) r.use([...value.covered, ...value.cubeWords]);
  for (const c of named)
    if (c.target.name === cube || c.target.name === sideCube || c.target.name === entity) r.use(c.covered);
  if (!lexicon.cubes.get(cube)) return undefined;
  // "fewer … for A than for B" asks B minus A.
  const down = /\b(?:fewer|less|lower|smaller)\b.*\bthan\b/.test(lower);
  // A difference asked about ("difference between A and B", "A compared with B", "is A higher
  // than B") is one row per group with its difference from the other; "how much more/higher …"
  // and a percent asks the difference itself, one figure.
  const itself = HOW_MUCH.test(lower) || RELATIVE.test(lower);
  const rows = output === 'difference' && !itself;
  // "male vs female patients …, by gender": the breakdown the two groups already are, said again.
  const dim = a.group.condition.member;
  if (dim === b.group.condition.member)
    for (const t of r.tokens) {
      if (!['by', 'per', 'across'].includes(t.word) || !r.free().has(t.index)) continue;
      const near = new Set([t.index + 1, t.index + 2].filter((i) => r.free().has(i)));
      const again = matchMembers(r.tokens, near, lexicon, (m) => m.member === dim).find((m) =>
        m.covered.includes(t.index + 1),
      );
      if (again) r.use([t.index, ...again.covered]);
    }
  const form: LogicalForm = {
    kind: 'comparison',
    cube,
    agg: value ? (averaging.length ? 'avg' : 'sum') : 'count',
    value: value?.target.member,
    distinct,
    entity,
    groups: down && !rows ? [b.group, a.group] : [a.group, b.group],
    output: rows ? 'rows' : output,
    ...(rows ? { differences: true } : {}),
    filters: [],
  };
  return finish(r, lexicon, now, time, form);
}
