/**
 * One figure divided by another: "total claim cost divided by the number of encounters", "ratio of
 * payer coverage to claim cost", "patients over organizations". Each side is the rows of a cube
 * counted, or the total (average, when said) of a number column — a measure that is a column's
 * plain sum names that column — with its own conditions; the question's period applies to each
 * on its own date. Broken down only when both sides are of one cube.
 */
import { compileSql } from './compile-sql.ts';
import { describeForm } from './describe.ts';
import {
  choices,
  clarify,
  cubeConditions,
  type Interpretation,
  notPlaced,
  numberColumns,
  reading,
  tie,
  unplaced,
} from './interpret.ts';
import { type Lexicon, matchCubes, matchMembers } from './lexicon.ts';
import type { Figure, GroupBy, LogicalForm } from './logical-form.ts';
import type { TimeIntent } from './read-time.ts';
import { timeFilter } from './time-filter.ts';

/** "A divided by B", "A / B". */
const DIVIDED = /^(.*?)\s*(?:\bdivided\s+by\b|\s\/\s|÷)\s*(.*)$/;
/** "ratio of A to B", "the ratio between A and B". */
const RATIO_OF = /^(.*?)\bratio\s+(?:of|between)\s+(.+?)\s+(?:to|vs\.?|versus|against|and)\s+(.+)$/;
/** "A over B" — not "over time", "over 1000", "over the last year": read only when both sides place. */
const OVER =
  /^(.*?)\s+\bover\b\s+(?!(?:time|the|a|an|all|each|every|last|past|next|years?|months?|\d|\$)\b)(.+)$/;
const AVERAGE = new Set(['average', 'mean', 'avg']);
const COUNTING = new Set(['number', 'count', 'many']);
/** A breakdown at the end of the question: "… by encounter class", "… for each payer". */
const BY = /\s+\b(?:by|per|for\s+each|across)\s+([a-z][\w\s]*)$/;

type Side = Figure | Interpretation;

/** One side's words read as a figure, or what could not be placed in them. */
function figureOf(words: string, lexicon: Lexicon, near?: string): Side {
  const r = reading(words);
  const averaging = r.tokens.filter((t) => AVERAGE.has(t.word));
  const counting = r.tokens.filter((t) => COUNTING.has(t.word));
  r.use([...averaging, ...counting].map((t) => t.index));
  const named = matchCubes(r.tokens, r.free(), lexicon);
  // A column whose words are only a cube's name ("encounters") means that cube's rows.
  const columns = counting.length
    ? []
    : numberColumns(r, lexicon, undefined, true).filter(
        (m) => !named.some((c) => m.covered.every((i) => c.covered.includes(i))),
      );
  // Two columns of the same words: the one of the other side's rows ("payer coverage to claim cost").
  const tied = tie(columns);
  const beside = tied?.filter((m) => m.target.cube === near);
  if (tied && beside?.length !== 1) return choices(tied);
  const pick = beside?.[0];
  const value = pick ? columns.find((c) => c.target.member === pick.target.member) : columns[0];
  const cube = value?.target.cube ?? named[0]?.target.name;
  if (!cube) return notPlaced(unplaced(r).length ? unplaced(r) : [words.trim()]);
  if (value) r.use([...value.covered, ...value.cubeWords]);
  for (const c of named) if (c.target.name === cube) r.use(c.covered);
  r.use(r.tokens.filter((t) => t.word === 'total' || t.word === 'sum').map((t) => t.index));
  const filters = cubeConditions(r, lexicon, cube);
  const left = unplaced(r);
  if (left.length) return notPlaced(left);
  return {
    cube,
    agg: value ? (averaging.length ? 'avg' : 'sum') : 'count',
    value: value?.target.member,
    filters,
  };
}

const isFigure = (x: Side): x is Figure => 'cube' in x;

/**
 * A question that divides one figure by another, read into a ratio form; undefined when it does
 * not divide ("over" is read only when both sides place), or a question back naming what could
 * not be placed.
 *
 * @example figureRatio(readTime('total charge divided by number of visits', now), lexicon, now)
 * // { kind: 'form', form: { kind: 'comparison', output: 'ratio', figures: [sum charge, count visits] } }
 */
export function figureRatio(time: TimeIntent, lexicon: Lexicon, now: Date): Interpretation | undefined {
  const lower = time.rest.toLowerCase().replace(/[?.!]+\s*$/, '');
  const divided = DIVIDED.exec(lower);
  const ratio = divided ? undefined : RATIO_OF.exec(lower);
  const over = divided || ratio ? undefined : OVER.exec(lower);
  const hit = divided ?? over;
  const said = ratio ? [ratio[2] ?? '', ratio[3] ?? ''] : hit ? [hit[1] ?? '', hit[2] ?? ''] : undefined;
  if (!said) return undefined;
  // A measure of the model named by the whole question ("payer coverage ratio") answers as itself.
  const whole = reading(lower);
  const own = matchMembers(whole.tokens, whole.free(), lexicon, (m) => m.kind === 'measure')[0];
  if (own && own.completeness === 1) {
    whole.use(own.covered);
    if (!unplaced(whole).filter((w) => w !== 'ratio').length) return undefined;
  }
  let [top, bottom] = said as [string, string];
  // The breakdown said at the end is the ratio's, not the second figure's.
  const by = BY.exec(bottom);
  if (by) bottom = bottom.slice(0, by.index);
  top = top.replace(/^(?:what\s+(?:is|was|are)\s+)?(?:the\s+)?/, '');
  let a = figureOf(top, lexicon);
  const b = figureOf(bottom, lexicon, isFigure(a) ? a.cube : undefined);
  if (!isFigure(a) && isFigure(b)) a = figureOf(top, lexicon, b.cube);
  if (!isFigure(a) || !isFigure(b)) return over ? undefined : isFigure(a) ? (b as Interpretation) : a;
  // The question's period, on each side's own date.
  for (const x of [a, b]) {
    if (!time.dateRange) break;
    const date = lexicon.cubes.get(x.cube)?.timeDimension;
    if (!date)
      return clarify(`${lexicon.cubes.get(x.cube)?.title ?? x.cube} has no date to keep to that period.`);
    x.time = timeFilter(date, time.dateRange, now, lexicon.latestDate);
  }
  let groupBy: GroupBy | undefined;
  if (time.granularity || by) {
    if (a.cube !== b.cube)
      return clarify(
        `The two figures are of different records (${lexicon.cubes.get(a.cube)?.title} and ${lexicon.cubes.get(b.cube)?.title}), so I can give their ratio as a whole but not broken down. Ask without the breakdown?`,
      );
    if (time.granularity) {
      const grain = time.granularity as 'day' | 'week' | 'month' | 'quarter' | 'year';
      if (
        !lexicon.cubes.get(a.cube)?.timeDimension ||
        !['day', 'week', 'month', 'quarter', 'year'].includes(grain)
      )
        return clarify(
          `${lexicon.cubes.get(a.cube)?.title ?? a.cube} has no date to break the ratio down by.`,
        );
      groupBy = { grain };
    } else if (by) {
      const r = reading(by[1] ?? '');
      const m = matchMembers(
        r.tokens,
        r.free(),
        lexicon,
        (x) => x.kind === 'dimension' && x.cube === a.cube && !x.primaryKey,
      )[0];
      if (!m || m.completeness < 1) return notPlaced([(by[1] ?? '').trim()]);
      r.use(m.covered);
      if (unplaced(r).length) return notPlaced(unplaced(r));
      groupBy = { member: m.target.member };
    }
  }
  const form: LogicalForm = {
    kind: 'comparison',
    cube: a.cube,
    figures: [a, b],
    output: 'ratio',
    filters: [],
    ...(groupBy ? { groupBy } : {}),
  };
  return { kind: 'form', form, sql: compileSql(form, lexicon), interpretation: describeForm(form, lexicon) };
}
