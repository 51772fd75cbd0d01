import { readCohort, stateWords } from './cohort.ts';
import { groupComparison } from './compare.ts';
import { compileSql } from './compile-sql.ts';
import { describeForm } from './describe.ts';
import { type EntityQualifier, entityQualifiers, measureColumn } from './entity-cohort.ts';
import { figureRatio } from './figure-ratio.ts';
import {
  type CubeEntry,
  type Lexicon,
  type Match,
  type MemberEntry,
  matchCubes,
  matchMembers,
  matchValues,
  type ValueEntry,
} from './lexicon.ts';
import type { CohortForm, Condition, LogicalForm, Stat, TimeFilter } from './logical-form.ts';
import {
  askedAttributes,
  asksFigure,
  CHOICE,
  findNamedRecord,
  lookupByRecordName,
  valueAsAttribute,
  whichRecord,
} from './lookup-person.ts';
import { periodBeside, periodPair } from './period-pairs.ts';
import { headOnly, namedByDimension, narrowRun } from './query-form.ts';
import { readTime } from './read-time.ts';
import { recordsOfId } from './records-of-id.ts';
import { dropRestating } from './restating.ts';
import { fromFirstRecord, runningPeriod } from './running-period.ts';
import { extremeForOne, perEntityWords, statPerEntity } from './stat-per-entity.ts';
import {
  boundsAsSaid,
  contentStems,
  deniedAt,
  freePhrase,
  isContent,
  normalizeQuestion,
  type Token,
  tokenize,
  UUID,
} from './text.ts';
import { dateFor, namedDates, recordedBefore } from './time-dimension.ts';
import { timeFilter, wholeYears } from './time-filter.ts';
import { type AskedUnit, inUnit, unitAsked, unitConversion, unitName } from './unit.ts';
import { descriptive, incidental, personNouns, valueHasStem, valueRuns, valueWords } from './value-words.ts';

/** What the interpreter made of a question. */
export type Interpretation =
  /** A logical form, its governed SQL and what it computes, in words. */
  | { kind: 'form'; form: LogicalForm; sql: string; interpretation: string }
  /** A question back that names what could not be placed, with choices when two readings tie. */
  | {
      kind: 'clarify';
      message: string;
      unplaced: string[];
      options: Array<{ label: string; question: string }>;
    }
  /** Not allowed for this caller (a record looked up by an id they only see masked). */
  | { kind: 'refuse'; message: string }
  /** Not a kind this interpreter compiles (plain aggregates, lists, rankings): answered elsewhere. */
  | { kind: 'none' };

/** Words that say how to compute, not what: they need no member of their own. */
const GENERIC = new Set(
  `average mean typical number count total value amount overall record row entry exist
  ever recorded data compute calculate figure level receive received get got saw see seen
  undergo underwent happen happened occur occurred none any also only did does how started start
  began begin begun still yet performed perform done given administered written prescribed provided
  conducted taken made used delivered place took cover covers covered paid pay pays billed serve served
  treat treated visited work works worked working located based situated fall falls belong belongs
  under where`.split(/\s+/),
);

/** Two readings whose scores are this close are asked about, not chosen between. */
const CLOSE = 0.9;

type Op = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';

export interface Reading {
  tokens: Token[];
  used: Set<number>;
  free(): Set<number>;
  use(indices: readonly number[]): void;
}

export function reading(text: string): Reading {
  const tokens = tokenize(text);
  const used = new Set<number>();
  return {
    tokens,
    used,
    free: () => new Set(tokens.filter((t) => !used.has(t.index)).map((t) => t.index)),
    use: (ix) => {
      for (const i of ix) used.add(i);
    },
  };
}

function at(r: Reading, i: number): Token | undefined {
  return r.tokens[i];
}

/** The statistic a question asks for ("median", "90th percentile", "p95", "maximum"). */
function findStat(r: Reading): (Stat & { at: number[] }) | undefined {
  for (const t of r.tokens) {
    const s = statAt(r, t.index);
    if (s && !s.wide) {
      const { wide: _wide, ...stat } = s;
      return stat;
    }
  }
  return undefined;
}

const DATE_WORDS = new Set(['date', 'dates', 'day', 'days', 'when']);
const RANGE_WORDS = new Set(['max', 'maximum', 'min', 'minimum', 'minus']);

const RANKISH = new Set(['highest', 'largest', 'biggest', 'lowest', 'smallest']);

/** One word (or two) naming a statistic, where it is; `wide` words count only beside another. */
function statAt(r: Reading, i: number): (Stat & { at: number[]; wide?: boolean }) | undefined {
  const t = at(r, i);
  if (!t) return undefined;
  const w = t.word;
  if (w === 'median') return { stat: 'median', at: [i] };
  if (w === 'minimum' || w === 'min') return { stat: 'min', at: [i] };
  if (w === 'highest' || w === 'largest' || w === 'biggest') return { stat: 'max', at: [i], wide: true };
  if (w === 'lowest' || w === 'smallest') return { stat: 'min', at: [i], wide: true };
  // "earliest" and "latest" ask for a date: a statistic by themselves only beside a date word.
  const dated = r.tokens.some((x) => DATE_WORDS.has(x.word));
  if (w === 'earliest' || w === 'oldest') return { stat: 'min', at: [i], wide: !dated };
  // "the first … and the most recent": only beside another statistic, of a date.
  if ((w === 'first' || w === 'last') && dated)
    return { stat: w === 'first' ? 'min' : 'max', at: [i], wide: true };
  if (w === 'latest' || w === 'newest' || (w === 'most' && at(r, i + 1)?.word === 'recent'))
    return { stat: 'max', at: w === 'most' ? [i, i + 1] : [i], wide: !dated };
  // "the range of claim cost" ("max minus min" said too), "max minus min".
  if ((w === 'range' || w === 'spread') && at(r, i + 1)?.word === 'of')
    return { stat: 'range', at: [i, ...r.tokens.filter((x) => RANGE_WORDS.has(x.word)).map((x) => x.index)] };
  if (
    (w === 'max' || w === 'maximum') &&
    at(r, i + 1)?.word === 'minus' &&
    ['min', 'minimum'].includes(at(r, i + 2)?.word ?? '')
  )
    return { stat: 'range', at: [i, i + 1, i + 2] };
  if (w === 'maximum' || w === 'max') return { stat: 'max', at: [i] };
  // "standard deviation", "std dev", "stdev", "sample std dev" (the sample's: stddev_samp), "variance".
  const sample = at(r, i - 1)?.word === 'sample' ? [i - 1] : [];
  if (
    (w === 'standard' || w === 'std') &&
    ['deviation', 'dev', 'deviations'].includes(at(r, i + 1)?.word ?? '')
  )
    return { stat: 'stddev', at: [...sample, i, i + 1] };
  if (w === 'stddev' || w === 'stdev' || w === 'std') return { stat: 'stddev', at: [...sample, i] };
  if (w === 'variance') return { stat: 'variance', at: [...sample, i] };
  if (['average', 'mean', 'avg'].includes(w)) return { stat: 'avg', at: [i], wide: true };
  if (['total', 'sum'].includes(w)) return { stat: 'sum', at: [i], wide: true };
  if (['count', 'number'].includes(w)) return { stat: 'count', at: [i], wide: true };
  // Superlatives of money and time ("cheapest and most expensive visit", "shortest and longest
  // stay"): the minimum and maximum of the number named, when asked for together.
  const extreme = superlativeAt(r, i);
  if (extreme) return extreme;
  // "interquartile range", "IQR": the 75th percentile minus the 25th.
  if (w === 'iqr' || (w === 'interquartile' && at(r, i + 1)?.word === 'range'))
    return { stat: 'iqr', at: w === 'iqr' ? [i] : [i, i + 1] };
  if (w === 'inter' && at(r, i + 1)?.stem === 'quartil' && at(r, i + 2)?.word === 'range')
    return { stat: 'iqr', at: [i, i + 1, i + 2] };
  const quantile = quantileAt(r, i);
  if (quantile) return quantile;
  const p = /^p(\d{1,2})$/.exec(w);
  if (p) return { stat: 'percentile', p: Number(p[1]), at: [i] };
  const n = /^(\d{1,2})(st|nd|rd|th)?$/.exec(w);
  if (n && at(r, i + 1)?.stem === 'percentile')
    return { stat: 'percentile', p: Number(n[1]), at: [i, i + 1] };
  return undefined;
}

const LOW_WORDS = new Set(['cheapest', 'shortest', 'quickest']);
const HIGH_WORDS = new Set(['priciest', 'costliest', 'longest', 'slowest']);
const GRADED = new Set(['expensive', 'costly', 'pricey']);

/** "cheapest", "most expensive", "least costly", "longest": the min or max, only beside another. */
function superlativeAt(r: Reading, i: number): (Stat & { at: number[]; wide?: boolean }) | undefined {
  const w = at(r, i)?.word ?? '';
  if (LOW_WORDS.has(w)) return { stat: 'min', at: [i], wide: true };
  if (HIGH_WORDS.has(w)) return { stat: 'max', at: [i], wide: true };
  if ((w === 'most' || w === 'least') && GRADED.has(at(r, i + 1)?.word ?? ''))
    return { stat: w === 'most' ? 'max' : 'min', at: [i, i + 1], wide: true };
  return undefined;
}

/** The side of a distribution a word names: "top decile" is where its top tenth begins. */
const QUANTILE_SIDE: Record<string, 'upper' | 'lower'> = {
  top: 'upper',
  upper: 'upper',
  highest: 'upper',
  third: 'upper',
  bottom: 'lower',
  lower: 'lower',
  lowest: 'lower',
  first: 'lower',
};

/**
 * "top decile", "upper quartile", "bottom quintile": the cut point of that part of the
 * distribution ("the top decile of claim cost" begins at its 90th percentile).
 */
function quantileAt(r: Reading, i: number): (Stat & { at: number[] }) | undefined {
  const size = { decile: 10, quintile: 20, quartile: 25 }[at(r, i + 1)?.word.replace(/s$/, '') ?? ''];
  const side = QUANTILE_SIDE[at(r, i)?.word ?? ''];
  if (!size || !side) return undefined;
  // "first quartile" is the lower one; "third quartile" the upper; "first decile" the lowest tenth.
  if (at(r, i)?.word === 'third' && size !== 25) return undefined;
  return { stat: 'percentile', p: side === 'upper' ? 100 - size : size, at: [i, i + 1] };
}

/**
 * Several statistics of one column asked for together: "min and max claim cost", "average,
 * median and 90th percentile", "count and total". Only words joined by "and" (or a comma) count.
 */
function findStats(r: Reading): Array<Stat & { at: number[] }> | undefined {
  // "the quartiles of claim cost": its three cut points, the 25th, 50th and 75th percentiles (not
  // "the top quartile", one cut point, nor "the interquartile range").
  const quartiles = r.tokens.find(
    (t) =>
      (t.word === 'quartiles' || t.word === 'quartile') &&
      QUANTILE_SIDE[at(r, t.index - 1)?.word ?? ''] === undefined,
  );
  if (quartiles && !(quartiles.word === 'quartile' && at(r, quartiles.index + 1)?.word !== 'values'))
    return [
      { stat: 'percentile', p: 25, at: [quartiles.index] },
      { stat: 'median', at: [] },
      { stat: 'percentile', p: 75, at: quartiles.word === 'quartile' ? [quartiles.index + 1] : [] },
    ];
  const JOIN = new Set(['and', 'or', 'the', 'its', 'their', 'plus', 'also', 'as', 'well']);
  for (let i = 0; i < r.tokens.length; i++) {
    const first = statAt(r, i);
    if (!first) continue;
    const list = [first];
    let k = Math.max(...first.at) + 1;
    for (;;) {
      let j = k;
      while (JOIN.has(at(r, j)?.word ?? '')) j++;
      const next = statAt(r, j);
      // Side by side without "and" ("mean, median": the comma is gone) only when neither is a
      // plain total or count: "average total claim cost" is one figure.
      // Nor a ranking word: "the highest average claim cost" ranks by the average.
      const plain = (x: (Stat & { at: number[] }) | undefined) =>
        x?.stat === 'sum' || x?.stat === 'count' || RANKISH.has(at(r, x?.at[0] ?? -1)?.word ?? '');
      if (next && j === k && (plain(next) || plain(list.at(-1)))) break;
      if (!next) break;
      list.push(next);
      k = Math.max(...next.at) + 1;
    }
    const kinds = new Set(list.map((s) => (s.stat === 'percentile' ? `p${s.p}` : s.stat)));
    if (kinds.size >= 2)
      return list.map((s) => {
        const { wide: _wide, ...stat } = s;
        // The joining words are placed with the statistics they join.
        return stat;
      });
    i = Math.max(i, k - 1);
  }
  return undefined;
}

/**
 * Entities asked for by name rather than counted: "which patients …", "list the providers …", or
 * the entities named with no counting words at all ("providers with over 100 encounters").
 */
function listed(question: string): boolean {
  if (/^\s*(which|list|show|who|name|give|find|display|identify|what are)\b/i.test(question)) return true;
  return !/\b(how many|number|count|total|percent(age)?|share|proportion|fraction|average|mean)\b/i.test(
    question,
  );
}

/**
 * "what is the address of <organization name>", "which city is <provider name> in", "what
 * category is the <description> allergy": attributes of the records a stored name or description
 * names whole, of that record's own cube.
 */
function lookupByName(r: Reading, lexicon: Lexicon, question: string): LogicalForm | undefined {
  // Words that name the kind of record ("the allergy …") say which cube, not which record: a value
  // holding them ("Allergy to substance") names the record less than one said beside them.
  const kindWords = new Map<string, Set<number>>();
  for (const c of matchCubes(r.tokens, r.free(), lexicon))
    kindWords.set(c.target.name, new Set([...(kindWords.get(c.target.name) ?? []), ...c.covered]));
  const own = (m: Match<ValueEntry>) => m.covered.filter((i) => !kindWords.get(m.target.cube)?.has(i)).length;
  const label = (m: Match<ValueEntry>) => lexicon.cubes.get(m.target.cube)?.label === m.target.member;
  const named = matchValues(r.tokens, r.free(), lexicon, (v) => {
    const m = lexicon.members.get(v.member);
    return !v.synonym && m !== undefined && descriptive(lexicon, m) && !m.masked;
  }).sort(
    (a, b) =>
      own(b) - own(a) ||
      b.covered.length - a.covered.length ||
      // A value that is a record's own label ("Prediabetes" of a diagnosis) names that record, not
      // a record that only refers to it (a care plan whose reason it is).
      Number(label(b)) - Number(label(a)) ||
      b.score - a.score,
  );
  const value = named[0];
  if (!value) return undefined;
  const cube = value.target.cube;
  const free = new Set([...r.free()].filter((i) => !value.covered.includes(i)));
  const { attrs, used } = askedAttributes(
    r,
    free,
    lexicon,
    cube,
    // A key into another cube ("which organization does … work for") lists that cube's label on
    // the semantic query path.
    (m) => m.member !== value.target.member && !m.references,
  );
  // "is <payer> a government or private payer": an attribute asked as a choice of its values.
  if (!attrs.length && CHOICE.test(question)) {
    const asked = valueAsAttribute(r, free, lexicon, cube, (m) => m !== value.target.member);
    if (asked) {
      attrs.push(asked.member);
      used.push(...asked.used);
    }
  }
  if (!attrs.length) return undefined;
  // Words of a figure or of many records, outside the name and the attributes asked ("by" of
  // "ACTIVATED BY WELLNESS LLC" is the name's own).
  if (asksFigure(r, [...value.covered, ...used])) return undefined;
  r.use([...value.covered, ...used]);
  return {
    kind: 'lookup',
    cube,
    attributes: attrs,
    key: value.target.member,
    id: value.target.value,
    filters: [],
  };
}

/**
 * The question as the cohort reader should split it: a time phrase whose own "and" or "or"
 * ("between February and May 2019", "in or after 2020") is no second group of records, so it is
 * said again without them.
 */
function cohortText(text: string, time: ReturnType<typeof readTime>): string {
  const joins = (x: string) => (x.toLowerCase().match(/\b(?:and|or)\b/g) ?? []).length;
  // "in both 2020 and 2021" is two periods, each its own group: left as said.
  if (!Array.isArray(time.dateRange) || time.granularity || joins(time.rest) === joins(text)) return text;
  return `${time.rest} from ${time.dateRange[0]} to ${time.dateRange[1]}`;
}

const DISTINCT = new Set(['distinct', 'unique', 'different', 'individual', 'separate']);

/**
 * Conditions by words inside a cube's descriptive values ("flu" in "Influenza, seasonal …",
 * "diabetes" in "Diabetes mellitus type 2"): every value holding the words, of the dimension the
 * words fit best.
 */
function insideConditions(
  r: Reading,
  lexicon: Lexicon,
  cube: string,
  /** Positions never read as a value's word; `named`: only values the words name (headValues). */
  options: { skip?: ReadonlySet<number>; named?: boolean } = {},
): Condition[] {
  const index = valueWords(lexicon);
  const out: Condition[] = [];
  for (const t of r.tokens) {
    if (!r.free().has(t.index) || !isContent(t) || GENERIC.has(t.word) || t.stem.length < 4) continue;
    if (options.skip?.has(t.index)) continue;
    const hits = (index.get(t.stem) ?? []).filter(
      (h) => lexicon.members.get(h.member)?.cube === cube && !incidental(lexicon, t.stem, h.value),
    );
    if (!hits.length) continue;
    const { run, hits: narrowed } = narrowRun(r.tokens, r.free(), t.index, hits);
    const said = run.map((k) => (r.tokens[k] as Token).stem);
    const byDim = options.named
      ? namedByDimension(narrowed, said, lexicon)
      : narrowed.reduce(
          (m, h) => m.set(h.member, [...new Set([...(m.get(h.member) ?? []), h.value])]),
          new Map<string, string[]>(),
        );
    if (!byDim.size) continue;
    const label = lexicon.cubes.get(cube)?.label;
    const member = [...byDim.keys()].sort(
      (a, b) => Number(b === label) - Number(a === label) || a.localeCompare(b),
    )[0] as string;
    r.use(run);
    const values = byDim.get(member) as string[];
    out.push({ member, op: 'in', values: options.named ? headOnly(values, said) : values });
  }
  return out;
}

/**
 * A count of distinct records, and a breakdown said after it ("unique patients for each facility",
 * "number of distinct patients per organization", "… by gender"): the breakdown's words are held
 * out while the count is read — they name the groups, not the records counted through — and then
 * read as its breakdown (distinctBrokenDown).
 */
function distinctOf(r: Reading, lexicon: Lexicon, d: number, now: Date): LogicalForm | Interpretation {
  const held = breakdownAfter(r, d);
  r.use(held);
  const read = distinctCount(r, lexicon, d, now);
  for (const i of held) r.used.delete(i);
  if (!held.length || read.kind !== 'aggregate') return read;
  return distinctBrokenDown(r, lexicon, read, held);
}

/** Words that end the phrase a breakdown names ("per site with …", "by sex in 2020"). */
const BREAKDOWN_END = new Set(
  'with who that which whose having had have has where in during among and or from since'.split(' '),
);
/** Words before "each" or "every" that make it a breakdown ("for each", "at every"). */
const EACH_LEAD = new Set(['for', 'in', 'of', 'within', 'at']);

/**
 * The words of a breakdown said after position `d`: its lead ("by", "across", "per", "for each",
 * "each", "split by") and the words it names, up to a word that starts another phrase. None when
 * "by" says who did it ("patients seen by providers").
 */
function breakdownAfter(r: Reading, d: number): number[] {
  for (const t of r.tokens) {
    if (t.index <= d || !r.free().has(t.index)) continue;
    const before = at(r, t.index - 1)?.word ?? '';
    const next = at(r, t.index + 1)?.word ?? '';
    const lead =
      t.word === 'by' ||
      t.word === 'across' ||
      t.word === 'per' ||
      ((t.word === 'each' || t.word === 'every') && !['by', 'per', 'across'].includes(before));
    if (!lead) continue;
    if (
      t.word === 'by' &&
      /(?:ed|en|id)$/.test(before) &&
      !BREAKDOWN_VERBS.has(before) &&
      !['each', 'every'].includes(next)
    )
      continue;
    const out = [t.index];
    for (let k = t.index - 1; k > d; k--) {
      const w = at(r, k)?.word ?? '';
      const saysBreakdown =
        BREAKDOWN_VERBS.has(w) || (t.word !== 'by' && k === t.index - 1 && EACH_LEAD.has(w));
      if (!r.free().has(k) || !saysBreakdown) break;
      out.push(k);
    }
    let named = 0;
    for (let k = t.index + 1; k < r.tokens.length; k++) {
      const w = at(r, k);
      if (!w || !r.free().has(k) || BREAKDOWN_END.has(w.word) || /^\d/.test(w.word)) break;
      out.push(k);
      if (isContent(w) && !['each', 'every'].includes(w.word)) named++;
    }
    return named ? out : [];
  }
  return [];
}

/**
 * A distinct count broken down by what its breakdown words name: records of another entity
 * ("per organization", "for each facility") — counted through the rows that point at both (the
 * activity the model names for either first, a question back when several fit), grouped by the
 * records' key and label when several share a label, by the label when it is unique, by the key
 * when they have none — or a dimension the counted rows reach ("by gender").
 */
function distinctBrokenDown(
  r: Reading,
  lexicon: Lexicon,
  f: Extract<LogicalForm, { kind: 'aggregate' }>,
  held: number[],
): LogicalForm | Interpretation {
  const words = held.filter(
    (i) =>
      r.free().has(i) &&
      !['each', 'every', 'per', 'by', 'across', 'for', 'at', 'of', 'in', 'within'].includes(
        at(r, i)?.word ?? '',
      ) &&
      !BREAKDOWN_VERBS.has(at(r, i)?.word ?? ''),
  );
  const after = new Set(words);
  const first = Math.min(...words);
  const counted = lexicon.cubes.get(f.cube);
  const entity = f.entity ?? (f.distinct === counted?.primaryKey ? f.cube : undefined);
  const hit = perEntityAt(r, lexicon, first)
    ? matchCubes(r.tokens, after, lexicon).find((c) => c.covered.includes(first))
    : undefined;
  if (hit && hit.target.name !== entity && hit.target.primaryKey) {
    const p = hit.target;
    let rows = counted;
    if (!rows?.keys.has(p.name)) {
      if (!entity || entity !== f.cube) return f;
      const both = [...lexicon.cubes.values()].filter(
        (c) => c.name !== entity && c.name !== p.name && c.keys.has(entity) && c.keys.has(p.name),
      );
      const e = lexicon.cubes.get(entity) as CubeEntry;
      const preferred = [p.activity, e.activity].find((a) => a && both.some((c) => c.name === a));
      if (!preferred && both.length > 1)
        return clarify(
          `Counted through which records? ${both.map((c) => c.title).join(' or ')}?`,
          [],
          both.slice(0, 3).map((c) => ({ label: c.title, question: `${e.title} through ${c.title}` })),
        );
      rows = lexicon.cubes.get(preferred ?? both[0]?.name ?? '');
      if (!rows) return f;
    }
    const key = rows.keys.get(p.name) as string;
    const label = p.label ? lexicon.members.get(p.label) : undefined;
    const shown = label && !label.masked && label.phi !== 'direct' ? label : undefined;
    // A record with no name to show ("per patient"): the average per record, or one row for each?
    if (!shown && held.some((i) => at(r, i)?.word !== 'by')) {
      const what = describeForm(f, lexicon)
        .replace(/^Number of /, '')
        .toLowerCase();
      const one = p.title.toLowerCase().replace(/s$/, '');
      return clarify(
        `Do you mean the average number of ${what} per ${one}, or the number for every ${one}?`,
        [],
        [
          { label: `Average per ${one}`, question: `average number of ${what} per ${one}` },
          { label: `For every ${one}`, question: `number of ${what} by ${one}` },
        ],
      );
    }
    r.use(held);
    const out: LogicalForm = {
      ...f,
      cube: rows.name,
      distinct: entity
        ? rows.name === entity
          ? f.distinct
          : (rows.keys.get(entity) ?? f.distinct)
        : f.distinct,
      entity: entity && rows.name !== entity ? entity : f.entity,
    };
    if (!shown) out.groupBy = { member: key };
    else if (shown.unique === false) {
      out.groupBy = { member: key };
      out.thenBy = { member: shown.member };
    } else out.groupBy = { member: shown.member };
    return out;
  }
  const dim = counted ? dimensionIn(r, lexicon, counted.name, after) : undefined;
  if (!dim) return f;
  r.use(held);
  return { ...f, groupBy: { member: dim.target.member } };
}

/**
 * "how many distinct patients had an emergency visit", "number of unique medications", "how many
 * different encounter classes": distinct entities through the key of the rows named with them,
 * distinct kinds of a cube's rows (its label) when it has no key of its own, or distinct values of
 * the dimension named.
 */
function distinctCount(r: Reading, lexicon: Lexicon, d: number, now: Date): LogicalForm | Interpretation {
  r.use([d]);
  let next = r.tokens.find((t) => t.index > d && isContent(t) && !GENERIC.has(t.word))?.index;
  if (next === undefined) return notPlaced(unplaced(r));
  // "unique female patients": values of the records' own dimensions said before them keep the
  // records counted to those values.
  const qualifier = qualifiedEntity(r, lexicon, next);
  if (qualifier) next = qualifier.at;
  const read = distinctEntity(r, lexicon, d, now, next);
  if (!qualifier || !('kind' in read) || read.kind !== 'aggregate') return read;
  return { ...read, filters: [...qualifier.filters, ...read.filters] };
}

/**
 * Values of one cube's own dimensions said right before the cube's name ("female patients"): the
 * conditions they state, and where the cube's name starts. Their words are placed.
 */
function qualifiedEntity(
  r: Reading,
  lexicon: Lexicon,
  next: number,
): { at: number; filters: Condition[] } | undefined {
  if (matchCubes(r.tokens, r.free(), lexicon).some((c) => c.covered.includes(next))) return undefined;
  const cube = matchCubes(r.tokens, r.free(), lexicon)
    .filter((c) => Math.min(...c.covered) > next)
    .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
  if (!cube) return undefined;
  const at = Math.min(...cube.covered);
  const words = r.tokens.filter((t) => t.index >= next && t.index < at && r.free().has(t.index));
  if (!words.length || words.some((t) => !isContent(t))) return undefined;
  const hits = matchValues(
    r.tokens,
    new Set(words.map((t) => t.index)),
    lexicon,
    (v) => v.cube === cube.target.name,
  );
  if (!words.every((t) => hits.some((h) => h.completeness === 1 && h.covered.includes(t.index))))
    return undefined;
  const byMember = new Map<string, string[]>();
  for (const h of hits)
    if (h.completeness === 1)
      byMember.set(h.target.member, [...new Set([...(byMember.get(h.target.member) ?? []), h.target.value])]);
  if (byMember.size !== 1) return undefined;
  r.use(words.map((t) => t.index));
  return { at, filters: [...byMember].map(([member, values]) => ({ member, op: 'in' as const, values })) };
}

function distinctEntity(
  r: Reading,
  lexicon: Lexicon,
  d: number,
  now: Date,
  next: number,
): LogicalForm | Interpretation {
  const entity = matchCubes(r.tokens, r.free(), lexicon).find((c) => c.covered.includes(next));
  const dims = matchMembers(
    r.tokens,
    r.free(),
    lexicon,
    (m) => m.kind === 'dimension' && m.type === 'string' && !m.masked && !m.primaryKey,
  )
    // Said together ("encounter class"), not words of the name scattered through the question.
    .filter(
      (m) =>
        m.covered.includes(next) &&
        m.completeness === 1 &&
        Math.max(...m.covered) - Math.min(...m.covered) < m.covered.length + 1,
    );
  const dim = dims[0];
  if (entity && !(dim && dim.covered.length > entity.covered.length)) {
    r.use(entity.covered);
    const e = entity.target;
    const keyed = (cube: string) => cube !== e.name && lexicon.cubes.get(cube)?.keys.has(e.name) === true;
    const through = throughOther(r, lexicon, now, e, d);
    if (through) return through;
    // A whole value ("flu shot") before a cube named by one of its words ("shots"); a value of
    // the same words ("medication" of an allergy's category) does not hide the cube they name.
    const value = matchValues(r.tokens, r.free(), lexicon, (v) => keyed(v.cube))[0];
    const other = matchCubes(r.tokens, r.free(), lexicon).find(
      (c) =>
        keyed(c.target.name) &&
        !(
          value &&
          value.covered.length > c.covered.length &&
          c.covered.every((i) => value.covered.includes(i))
        ),
    );
    let cube = other?.target.name ?? value?.target.cube;
    if (other) r.use(other.covered);
    // Or by words inside a value of theirs ("have diabetes"): the rows whose value the words say most of.
    cube ??= bestInside(r, lexicon, keyed);
    if (cube) {
      const key = lexicon.cubes.get(cube)?.keys.get(e.name) as string;
      const filters = insideAfterWhole(r, lexicon, cube);
      return { kind: 'aggregate', cube, distinct: key, entity: e.name, filters };
    }
    // Only the entity named: its records (by key) when other rows point at it ("unique patients"),
    // else the kinds of its rows (by label: "unique medications").
    const pointedAt = [...lexicon.cubes.values()].some((c) => c.name !== e.name && c.keys.has(e.name));
    const member = (pointedAt ? e.primaryKey : undefined) ?? e.label ?? e.primaryKey;
    if (!member) return notPlaced(unplaced(r));
    return {
      kind: 'aggregate',
      cube: e.name,
      distinct: member,
      filters: insideAfterWhole(r, lexicon, e.name),
    };
  }
  if (!dim) return notPlaced(unplaced(r).length ? unplaced(r) : [r.tokens[d]?.word ?? 'distinct']);
  // The same dimension in several cubes ("description"): the cube the question names.
  const named = new Set(matchCubes(r.tokens, r.free(), lexicon).map((c) => c.target.name));
  const pick = dims.find((m) => named.has(m.target.cube)) ?? dim;
  const ties = dims.filter((m) => m.score >= pick.score * CLOSE && m.target.cube !== pick.target.cube);
  if (!named.has(pick.target.cube) && ties.length) return choices([pick, ...ties].slice(0, 2));
  r.use(pick.covered);
  return {
    kind: 'aggregate',
    cube: pick.target.cube,
    distinct: pick.target.member,
    filters: insideAfterWhole(r, lexicon, pick.target.cube),
  };
}

/**
 * "how many different providers saw patients with diabetes": the counted entity and another
 * entity named after it, joined by rows keyed to both (the other entity's activity when the model
 * names one, else the one such cube; a question back when several fit). The words from the other
 * entity on are read as a cohort of its records; the rows are kept to them.
 */
function throughOther(
  r: Reading,
  lexicon: Lexicon,
  now: Date,
  e: CubeEntry,
  d: number,
): LogicalForm | Interpretation | undefined {
  // The first named after the counted entity ("… patients with a care plan": patients).
  const second = matchCubes(r.tokens, r.free(), lexicon)
    .filter(
      (c) =>
        c.target.name !== e.name &&
        c.target.primaryKey !== undefined &&
        Math.min(...c.covered) > d &&
        lexicon.cubes.get(c.target.name)?.keys.has(e.name) !== true,
    )
    .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
  if (!second) return undefined;
  const p = second.target;
  const both = [...lexicon.cubes.values()].filter(
    (c) => c.name !== e.name && c.name !== p.name && c.keys.has(e.name) && c.keys.has(p.name),
  );
  if (!both.length) return undefined;
  const preferred = [p.activity, e.activity].find((a) => a && both.some((c) => c.name === a));
  if (!preferred && both.length > 1)
    return clarify(
      `Counted through which records? ${both.map((c) => c.title).join(' or ')}?`,
      [],
      both.slice(0, 3).map((c) => ({ label: c.title, question: `${e.title} through ${c.title}` })),
    );
  const rows = lexicon.cubes.get(preferred ?? (both[0] as CubeEntry).name) as CubeEntry;
  // The other entity's qualifier: its name, the words right before it that are not grammar or
  // verbs ("female patients"), and every free word after it.
  let start = Math.min(...second.covered);
  for (let k = start - 1; k > d; k--) {
    const t = at(r, k);
    if (!t || !r.free().has(k) || !isContent(t) || GENERIC.has(t.word)) break;
    start = k;
  }
  const words = r.tokens.filter((t) => t.index >= start && r.free().has(t.index));
  const read = readCohort(words.map((t) => t.word).join(' '), lexicon, now, { head: p.name, within: true });
  if (!read) {
    // Only the other entity named ("providers who saw patients"): its records, any of them.
    if (words.some((t) => !second.covered.includes(t.index) && isContent(t) && !GENERIC.has(t.word)))
      return undefined;
  } else if (read.kind !== 'form') return read;
  r.use(words.map((t) => t.index));
  const form: LogicalForm = {
    kind: 'aggregate',
    cube: rows.name,
    distinct: rows.keys.get(e.name) as string,
    entity: e.name,
    filters: [],
  };
  if (read?.kind === 'form' && read.form.kind === 'cohort' && 'terms' in read.form)
    form.within = [{ key: rows.keys.get(p.name) as string, cohort: read.form }];
  return form;
}

/** The cube (among those accepted) with the descriptive value the free words say the most of. */
function bestInside(r: Reading, lexicon: Lexicon, accept: (cube: string) => boolean): string | undefined {
  const index = valueWords(lexicon);
  const fit = new Map<string, [number, number]>();
  const cubeWords = new Set(matchCubes(r.tokens, r.free(), lexicon).flatMap((c) => c.covered));
  for (const t of r.tokens) {
    // Words of counting ("unique patient count") name no value, as in insideConditions.
    if (
      !r.free().has(t.index) ||
      !isContent(t) ||
      GENERIC.has(t.word) ||
      t.stem.length < 4 ||
      cubeWords.has(t.index)
    )
      continue;
    for (const h of index.get(t.stem) ?? []) {
      const cube = lexicon.members.get(h.member)?.cube ?? '';
      if (!accept(cube)) continue;
      const said = r.tokens.filter((x) => r.free().has(x.index) && valueHasStem(h.value, x.stem)).length;
      const share = said / Math.max(1, contentStems(h.value.replace(/\([^)]*\)/g, ' ')).length);
      // What the rows are (their label) before why they happened (a reason column), the value
      // said most fully first, then how many values the words fit.
      const own = lexicon.cubes.get(cube)?.label === h.member ? 0.5 : 0;
      const [best, sum] = fit.get(cube) ?? [0, 0];
      fit.set(cube, [Math.max(best, Math.min(1, share) + own), sum + share]);
    }
  }
  return [...fit].sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** Whole values, flags and null words of the cube, then words inside its descriptive values. */
function insideAfterWhole(r: Reading, lexicon: Lexicon, cube: string): Condition[] {
  // The cube named again, or a cube its rows belong to ("saw patients"), has no condition of its
  // own — unless its words are part of a longer value ("flu shot", though "shots" names the cube).
  placeOwnCube(r, lexicon, cube, true);
  const whole = conditionsIn(r, lexicon, cube).map((c) => c.condition);
  return [...whole, ...insideConditions(r, lexicon, cube)];
}

/**
 * The cube's own name said again ("of an encounter") is placed by the cube — unless its words are
 * part of a longer value of the cube ("flu shot", though "shots" names the cube): the value then
 * places them, and still counts as naming the cube. `owners`: a cube the rows belong to too.
 */
function placeOwnCube(r: Reading, lexicon: Lexicon, cube: string, owners = false): void {
  for (;;) {
    const own = matchCubes(r.tokens, r.free(), lexicon).find(
      (m) =>
        (m.target.name === cube || (owners && lexicon.cubes.get(cube)?.keys.has(m.target.name))) &&
        !insideValue(r, lexicon, cube, m.covered),
    );
    if (!own) break;
    r.use(own.covered);
  }
}

/**
 * Every path reads a cube's conditions the same way: its own name said again, whole values and the
 * model's value synonyms, null words and flags (conditionsIn), then words still free inside its
 * stored values ("humulin", "covid vaccine": valueRuns).
 */
export function cubeConditions(r: Reading, lexicon: Lexicon, cube: string): Condition[] {
  placeOwnCube(r, lexicon, cube);
  const out = conditionsIn(r, lexicon, cube).map((c) => c.condition);
  const open = new Set([...r.free()].filter((i) => !GENERIC.has(at(r, i)?.word ?? '')));
  for (const run of valueRuns(lexicon, r.tokens, open, (c) => c === cube).runs) {
    r.use(run.covered);
    out.push({ member: run.member, op: 'in', values: run.values });
  }
  // Words in the main phrase of its values ("hypertension" of "Essential hypertension
  // (disorder)"), read as the plain count reads them (headValues).
  // A word naming rows or a field of the model ("patients") is not read as a value's word.
  const modelWords = new Set([
    ...matchCubes(r.tokens, r.free(), lexicon).flatMap((c) => c.covered),
    ...matchMembers(r.tokens, r.free(), lexicon, () => true).flatMap((m) => m.covered),
  ]);
  out.push(...insideConditions(r, lexicon, cube, { skip: modelWords, named: true }));
  return out;
}

/** Words that rank ("top 5", "the most", "lowest"), not "at most" or "at least". */
const RANK_WORDS = new Set(['most', 'least', 'fewest', 'top', 'bottom', 'highest', 'lowest']);
const RANKS = /\b(?:top|bottom)\b|(?<!\bat\s)\b(?:most|least|fewest|highest|lowest|largest|smallest)\b/i;

/** Year to date: a running total. */
const YTD = /\b(?:ytd|year[\s-]+to[\s-]+date)\b/i;

/** Words of adding up beside "running total" / "cumulative": the running total places them. */
/** Words that count each entity once, at its first row: "distinct patients", "new patients", "first diagnosed". */
const ONCE = new Set([...DISTINCT, 'new', 'first']);

/**
 * A running total of entities rather than rows: "running total of distinct patients seen",
 * "cumulative number of patients first diagnosed with diabetes". The entity is the first cube
 * named; the rows are those of a cube keyed to it that the question names (or whose values it
 * names), else the entity's activity (meta `activity`). Each entity counts once, in the period of
 * its first row kept. A word of distinctness with no such rows is asked about, never dropped.
 */
function runningEntities(
  r: Reading,
  lexicon: Lexicon,
  grain: 'day' | 'week' | 'month' | 'quarter' | 'year',
  now: Date,
): LogicalForm | Interpretation | undefined {
  const named = matchCubes(r.tokens, r.free(), lexicon).sort(
    (a, b) => Math.min(...a.covered) - Math.min(...b.covered),
  );
  const head = named[0];
  if (!head?.target.primaryKey) return undefined;
  // "payer coverage": the cube's name as a word of a number column's name is that column's.
  if (
    numberColumns(r, lexicon).some(
      (m) =>
        (m.completeness === 1 || m.covered.length >= 2) && head.covered.every((i) => m.covered.includes(i)),
    )
  )
    return undefined;
  const first = Math.min(...head.covered);
  const once = r.tokens.filter((t) => ONCE.has(t.word) && r.free().has(t.index));
  const distinct = once.filter((t) => DISTINCT.has(t.word) && t.index < first && first - t.index <= 3);
  const keyed = (c: string) =>
    c !== head.target.name && lexicon.cubes.get(c)?.keys.has(head.target.name) === true;
  const rows =
    named.find((c) => keyed(c.target.name))?.target.name ??
    matchValues(r.tokens, r.free(), lexicon, (v) => !v.local && keyed(v.cube))[0]?.target.cube ??
    [datedValueCube(r, lexicon)].find((c) => c !== undefined && keyed(c)) ??
    (distinct.length || once.length
      ? // The entity's activity (meta), else the one dated cube keyed to it ("providers seen").
        (head.target.activity ??
        (() => {
          const dated = [...lexicon.cubes.values()].filter((c) => keyed(c.name) && c.timeDimension);
          return dated.length === 1 ? dated[0]?.name : undefined;
        })())
      : undefined);
  // "patients first diagnosed with diabetes": the rows of the one condition said of the entity,
  // read as a cohort, else as the values of the one keyed cube that places every word left.
  const cohort = rows
    ? undefined
    : (termOf(r, lexicon, head.target.name, first, now) ??
      valuesOf(
        r,
        lexicon,
        [...head.covered, ...once.map((t) => t.index)],
        (c) => keyed(c) && lexicon.cubes.get(c)?.timeDimension !== undefined,
      ));
  if (cohort && keyed(cohort.cube) && lexicon.cubes.get(cohort.cube)?.timeDimension) {
    r.use([...head.covered, ...once.map((t) => t.index), ...cohort.words]);
    return {
      kind: 'cumulative',
      cube: cohort.cube,
      grain,
      distinct: lexicon.cubes.get(cohort.cube)?.keys.get(head.target.name) as string,
      entity: head.target.name,
      filters: cohort.filters,
      ...(cohort.time ? { time: cohort.time } : {}),
    };
  }
  if (!rows || !keyed(rows) || !lexicon.cubes.get(rows)?.timeDimension) {
    if (!distinct.length) return undefined;
    return clarify(
      `I can add up ${head.target.title.toLowerCase()} over their own dates, not ${distinct.map((t) => t.word).join(' ')} ${head.target.title.toLowerCase()} over time. Ask for the running total of ${head.target.title.toLowerCase()}?`,
      distinct.map((t) => t.word),
    );
  }
  r.use([...head.covered, ...once.map((t) => t.index)]);
  const again = named.find((c) => c.target.name === rows);
  if (again) r.use(again.covered);
  return {
    kind: 'cumulative',
    cube: rows,
    grain,
    distinct: lexicon.cubes.get(rows)?.keys.get(head.target.name) as string,
    entity: head.target.name,
    filters: [],
  };
}

/**
 * The one cube (of those accepted) whose stored values place every word still free, beside the
 * words given: its conditions and the words they placed; undefined when none or several do.
 */
function valuesOf(
  r: Reading,
  lexicon: Lexicon,
  given: number[],
  accept: (cube: string) => boolean,
): { cube: string; filters: Condition[]; words: number[]; time?: undefined } | undefined {
  const fits: Array<{ cube: string; filters: Condition[]; words: number[] }> = [];
  for (const cube of lexicon.cubes.keys()) {
    if (!accept(cube)) continue;
    const trial = reading(r.tokens.map((t) => t.word).join(' '));
    trial.use([...r.used, ...given]);
    const filters = cubeConditions(trial, lexicon, cube);
    if (filters.length && !unplaced(trial).length)
      fits.push({ cube, filters, words: [...trial.used].filter((i) => !r.used.has(i)) });
  }
  return fits.length === 1 ? fits[0] : undefined;
}

/**
 * The one condition said of an entity's records after its name ("patients diagnosed with
 * diabetes"), read as a cohort: the cube of its rows, their conditions and the words it placed;
 * undefined unless exactly one plain (not negated) term of rows keyed to the entity reads.
 */
function termOf(
  r: Reading,
  lexicon: Lexicon,
  head: string,
  from: number,
  now: Date,
): { cube: string; filters: Condition[]; time?: TimeFilter | undefined; words: number[] } | undefined {
  const free = r.tokens.filter((t) => r.free().has(t.index) && t.index > from && !ONCE.has(t.word));
  if (!free.some((t) => isContent(t) && !GENERIC.has(t.word))) return undefined;
  const read = readCohort(`${head} ${free.map((t) => t.word).join(' ')}`, lexicon, now, {
    head,
    within: true,
  });
  if (read?.kind !== 'form' || read.form.kind !== 'cohort' || !('terms' in read.form)) return undefined;
  const [term, ...more] = read.form.terms;
  if (!term || more.length || term.negated || term.cube === head || read.form.scope.length) return undefined;
  return { cube: term.cube, filters: term.filters, time: term.time, words: free.map((t) => t.index) };
}

const RUNNING_WORDS = new Set([
  'sum',
  'total',
  'count',
  'number',
  'grow',
  'grew',
  'growth',
  'grown',
  'growing',
  'build',
  'built',
  'accumulate',
  'accumulated',
  'over',
  'time',
]);

/** "running total", "cumulative", "cumulatively". */
function findRunning(r: Reading): number[] | undefined {
  for (const t of r.tokens) {
    if (t.word === 'cumulative' || t.word === 'cumulatively') return [t.index];
    if (t.word === 'running' && ['total', 'count', 'sum'].includes(at(r, t.index + 1)?.word ?? ''))
      return [t.index, t.index + 1];
  }
  return undefined;
}

function cumulative(
  r: Reading,
  lexicon: Lexicon,
  grain: 'day' | 'week' | 'month' | 'quarter' | 'year',
  now: Date,
): LogicalForm | Interpretation {
  // "cumulative sum of …", "running count", "how did the cumulative number grow": words of how
  // to add up, placed by the running total itself.
  // "month by month": the grain said twice.
  // A word of a column's own name ("total claim cost") stays the column's.
  const adding = r.tokens.filter(
    (t) =>
      (RUNNING_WORDS.has(t.word) &&
        !['total', 'sum'].includes(r.tokens[t.index - 1]?.word ?? '') &&
        !(t.word === 'total' && r.tokens[t.index - 1]?.word === 'of')) ||
      t.word === grain ||
      t.word === `${grain}ly`,
  );
  r.use(adding.map((t) => t.index));
  const entities = runningEntities(r, lexicon, grain, now);
  if (entities) return entities;
  const named = matchCubes(r.tokens, r.free(), lexicon);
  // A column whose words are only a cube's name ("encounters") means that cube's rows; a column
  // named in part, of a cube the question does not name, is not meant when it names another.
  // A measure that is a column's plain sum names that column ("cumulative medication spend").
  const columns = numberColumns(r, lexicon, undefined, true).filter(
    (m) =>
      !named.some((c) => m.covered.every((i) => c.covered.includes(i))) &&
      (m.completeness === 1 ||
        // A cube named only by the column's own words ("claim" of "claim cost") names no other rows.
        !named.some((c) => !c.covered.every((i) => m.covered.includes(i))) ||
        named.some((c) => c.target.name === m.target.cube)),
  );
  const value = columns[0];
  const cube = value?.target.cube ?? named[0]?.target.name ?? datedValueCube(r, lexicon);
  if (!cube) return notPlaced(unplaced(r).length ? unplaced(r) : ['running total']);
  if (!lexicon.cubes.get(cube)?.timeDimension)
    return clarify(
      `${lexicon.cubes.get(cube)?.title ?? cube} has no date to add up over. Ask without the running total?`,
    );
  const tied = tie(columns);
  if (value && tied) return choices(tied);
  if (value) r.use([...value.covered, ...value.cubeWords]);
  // "running count of new care plans", "new diagnoses by onset year": rows counted in the period
  // they began, by the cube's own date — when that date is not an end ("stop").
  const t = lexicon.members.get(lexicon.cubes.get(cube)?.timeDimension ?? '');
  if (!value && t?.role !== 'stop')
    r.use(r.tokens.filter((x) => x.word === 'new' || x.word === 'newly').map((x) => x.index));
  // The date it adds up by, named ("by onset year", "by start date"): the running total's own.
  const own = matchMembers(r.tokens, r.free(), lexicon, (m) => m.member === t?.member).find(
    (m) => m.completeness === 1,
  );
  if (own) r.use(own.covered);
  return { kind: 'cumulative', cube, value: value?.target.member, grain, filters: [] };
}

/**
 * With no rows named, the dated rows a value names: a whole value or value synonym ("inpatient
 * admissions": encounters), else a run of words inside stored values of one cube only ("humulin");
 * a run held by several cubes names none (the question goes back).
 */
function datedValueCube(r: Reading, lexicon: Lexicon): string | undefined {
  const dated = (cube: string) => lexicon.cubes.get(cube)?.timeDimension !== undefined;
  const whole = matchValues(r.tokens, r.free(), lexicon, (v) => !v.local && dated(v.cube))[0]?.target.cube;
  if (whole) return whole;
  const open = new Set([...r.free()].filter((i) => !GENERIC.has(at(r, i)?.word ?? '')));
  const read = valueRuns(lexicon, r.tokens, open, dated);
  const cubes = new Set(read.runs.map((x) => x.cube));
  return cubes.size === 1 && !read.ambiguous.length ? [...cubes][0] : undefined;
}

/** Words said before "by" that only say it is a breakdown: "grouped by", "broken down by", "split by". */
const BREAKDOWN_VERBS = new Set([
  'grouped',
  'group',
  'broken',
  'break',
  'breaking',
  'down',
  'out',
  'split',
  'segmented',
  'stratified',
  'bucketed',
  'sliced',
]);

/**
 * Where a breakdown phrase starts: "by", "across", "for/in/of each (every)", "per" before what is
 * not an entity counted ("per encounter class": a dimension, named whole by more words than a cube).
 * The one reader of breakdown words, for every path that may carry a breakdown.
 */
function breakdownLead(r: Reading, lexicon: Lexicon, t: Token): boolean {
  if (r.used.has(t.index)) return false;
  const before = at(r, t.index - 1)?.word ?? '';
  if (t.word === 'by' || t.word === 'across') return true;
  if ((t.word === 'each' || t.word === 'every') && ['for', 'in', 'of', 'within'].includes(before))
    return true;
  return t.word === 'per' && !perEntityAt(r, lexicon, t.index + 1);
}

/**
 * Whether the words from `i` name records counted per ("per patient"), not a dimension: a cube
 * named there, unless a dimension's own name starting there says more ("per encounter class").
 */
export function perEntityAt(r: Reading, lexicon: Lexicon, i: number): boolean {
  const near = new Set([i, i + 1, i + 2].filter((k) => r.free().has(k)));
  const cube = matchCubes(r.tokens, near, lexicon).find((c) => c.covered.includes(i));
  if (!cube) return false;
  const dim = matchMembers(
    r.tokens,
    near,
    lexicon,
    (m) => m.kind === 'dimension' && m.type === 'string',
  ).find(
    (m) =>
      m.covered.includes(i) &&
      m.completeness === 1 &&
      m.covered.length > cube.covered.length &&
      // Said together ("encounter class"), not "patient … gender" across a "by".
      Math.max(...m.covered) - Math.min(...m.covered) < m.covered.length,
  );
  return !dim;
}

/** "by race", "for each encounter class", "across settings": a plain dimension of the measured cube. */
function groupingOf(r: Reading, lexicon: Lexicon, cube: string): { member: string; end: number } | undefined {
  const lead = r.tokens.find((t) => breakdownLead(r, lexicon, t));
  if (!lead) return undefined;
  // "paid by payers", "covered by insurance", "seen by providers": who did it, not a breakdown.
  if (
    lead.word === 'by' &&
    /(?:ed|en|id)$/.test(at(r, lead.index - 1)?.word ?? '') &&
    matchCubes(
      r.tokens,
      new Set([lead.index + 1, lead.index + 2].filter((i) => r.free().has(i))),
      lexicon,
    ).some((c) => c.covered.includes(lead.index + 1))
  )
    return undefined;
  const after = new Set([...r.free()].filter((i) => i > lead.index));
  const hit = dimensionIn(r, lexicon, cube, after);
  if (!hit) return undefined;
  // "grouped by", "broken down by", "for each": the words that say it is a breakdown go with it.
  const said = [lead.index];
  for (let k = lead.index - 1; k >= 0; k--) {
    const w = at(r, k)?.word ?? '';
    if (
      !r.free().has(k) ||
      !(
        BREAKDOWN_VERBS.has(w) ||
        (lead.word !== 'by' && k === lead.index - 1 && ['for', 'in', 'of', 'within'].includes(w))
      )
    )
      break;
    said.push(k);
  }
  r.use([...said, ...hit.covered]);
  return { member: hit.target.member, end: Math.max(...hit.covered) };
}

/** A dimension a breakdown can be by, named among the words: of the cube, or of records it points at. */
function dimensionIn(
  r: Reading,
  lexicon: Lexicon,
  cube: string,
  after: Set<number>,
): { target: MemberEntry; covered: number[] } | undefined {
  const plain = (m: MemberEntry) =>
    m.kind === 'dimension' && m.type === 'string' && !m.masked && !m.primaryKey && !m.references;
  // A dimension of the cube's own, else of a cube its rows point at through a key ("by gender"
  // of the patients whose visits they are).
  const keys = lexicon.cubes.get(cube)?.keys;
  const found = [
    ...matchMembers(r.tokens, after, lexicon, (m) => m.cube === cube && plain(m)),
    ...matchMembers(r.tokens, after, lexicon, (m) => keys?.has(m.cube) === true && plain(m)).filter(
      (m) => m.completeness === 1,
    ),
    // "by payer": the records pointed at, by the label they are known by (their name).
    byLabel(r, lexicon, cube, after),
  ].filter((m) => m !== undefined);
  // Words said together ("encounter class"), not gathered from across the question ("payer …
  // encounter"), when any such reading is there.
  const together = found.filter((m) => Math.max(...m.covered) - Math.min(...m.covered) < m.covered.length);
  if (together.length) found.splice(0, found.length, ...together);
  // The one said first after the lead ("by payer and encounter class": payer, then the class);
  // among those starting there, the best read (own dimensions first, then by score).
  const start = (m: { covered: number[] }) => Math.min(...m.covered);
  const first = Math.min(...found.map(start));
  return found.find((m) => start(m) === first);
}

/**
 * Every breakdown said, in order: each phrase a lead starts ("by race", "for each payer"), and a
 * dimension joined to one by "and" ("by race and gender"). The words of each are placed; a lead
 * whose words name no dimension is left, for the question back to name.
 */
function groupingsOf(r: Reading, lexicon: Lexicon, cube: string): Array<{ member: string; joined?: true }> {
  const out: Array<{ member: string; joined?: true }> = [];
  for (;;) {
    const g = groupingOf(r, lexicon, cube);
    if (!g) break;
    out.push({ member: g.member });
    // "by race and gender": the dimension's last word, then "and", then another dimension.
    let last = g.end;
    for (;;) {
      const joined = r.tokens[last + 1];
      if (joined?.word !== 'and' || !r.free().has(joined.index)) break;
      const near = new Set(
        [joined.index + 1, joined.index + 2, joined.index + 3].filter((i) => r.free().has(i)),
      );
      const next = dimensionIn(r, lexicon, cube, near);
      // Right after "and" (a word of it may be placed already: "encounter" of "encounter class").
      if (!next || Math.min(...next.covered) > joined.index + 2) break;
      r.use([joined.index, ...next.covered]);
      out.push({ member: next.target.member, joined: true });
      last = Math.max(...next.covered);
    }
  }
  return out;
}

/** A cube the rows point at, named right after "by", as its label (a name, not masked). */
function byLabel(
  r: Reading,
  lexicon: Lexicon,
  cube: string,
  after: Set<number>,
): { target: MemberEntry; covered: number[] } | undefined {
  const first = Math.min(...after);
  const keys = lexicon.cubes.get(cube)?.keys;
  const hit = matchCubes(r.tokens, after, lexicon).find(
    (c) => keys?.has(c.target.name) && c.covered.includes(first),
  );
  const label = hit?.target.label ? lexicon.members.get(hit.target.label) : undefined;
  if (!hit || !label || label.masked || label.phi === 'direct') return undefined;
  return { target: label, covered: hit.covered };
}

const CHANGE =
  /\b(change[sd]?|growth|gr[eo]wn?|increase[sd]?|decrease[sd]?|decline[sd]?|drop(?:ped)?|rise|rose|fall|fell|difference|delta)\b/;

/** Other words for a change between two periods: "compared with", "how did it move". */
const RELATE =
  /\b(?:compared\s+(?:to|with)|relative\s+to|move[ds]?|moving|shift(?:ed|s)?|evolve[ds]?|went)\b/;
/** "more encounters in 2021 than in 2020" (not "more than 5"). */
const MORE_THAN =
  /\b(more|fewer|less|higher|lower|greater)\b.*\bthan\s+(?:in\s+|during\s+)?(?:the\s+)?(?!\d{1,3}\b)(?!\d{5,})/;

/**
 * Words that ask a per-entity figure over every record of the entity, those with no rows too:
 * "including patients with none", "counting those with no visits", "across all patients".
 */
const ALL_ENTITIES = [
  /,?\s*\b(?:including|include|counting|count(?:ing)?\s+in)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:with|who\s+(?:have|had)|that\s+(?:have|had)|having)\s+(?:none|zero|no\b(?:\s+\w+){0,2}|0\b(?:\s+\w+)?)/i,
  /,?\s*\b(?:across|over|among)\s+(?:all|every)\s+(?:(?:the|our|\d+)\s+)?(\w+)(?:,?\s*(?:including|even)\s+(?:those|ones)\s+with\s+(?:none|zero))?/i,
];

/** A word of comparing: "compare", "compared", "comparing", "comparison". */
const COMPARE = /\bcompar(?:e[sd]?|ing|ison)\b/;
/** Two years said as one range: "from 2019 to 2022", "2019-2022", "2019 through 2022". */
const SAID_RANGE =
  /\b(?:19|20)\d{2}\s*(?:-|–|to|through|thru|until|till)\s*(?:19|20)\d{2}\b|\bsince\s+(?:19|20)\d{2}\b/;

/**
 * Words that keep a per-entity figure to the entities with rows, as it is read anyway: "among
 * patients with any medication", "counting only patients who've had at least one", "(among
 * patients that have one)". The entity (1) and the rows (2), when said, must be the figure's own.
 */
const WITH_ANY =
  /,?\s*\(?\s*\b(?:among|across|over|for|of|counting(?:\s+only)?|only\s+counting|only|considering(?:\s+only)?|restricted\s+to|limited\s+to)\s+(?:the\s+|those\s+|only\s+)*(\w+)\s+(?:with|who(?:'ve|\s+have|\s+had|\s+has)?(?:\s+had)?|that\s+(?:have|had|has)(?:\s+had)?|having(?:\s+had)?)\s+(?:(?:any|at\s+least\s+(?:one|1)|one\s+or\s+more|1\s+or\s+more|some|a|an|one)\b)(?:\s+(\w+(?:\s+\w+)?))?\s*\)?(?=\s*(?:$|[),.;?]|\bby\b|\bfor\s+(?:each|every)\b|\bper\b|\bin\s+(?:19|20)\d{2}\b))/i;

/**
 * Words that say a comparison's shape, one row per side ("one row per year", "(row per payer)",
 * "one row each", "count per year"): what the comparison answers in anyway.
 */
const SIDES_SHAPE =
  /[,;:—–-]*\s*\(?\s*\b(?:(?:give|show)\s+(?:me\s+)?|as\s+|with\s+|in\s+)?(?:(?:one|a|1)\s+)?rows?\s+(?:per|for\s+each|for|by|each)\s*(?:\w+)?\s*\)?|[,;:—–-]*\s*\(?\s*\b(?:one|a|1)\s+rows?\s+each\b\s*\)?|[,;:—–-]*\s*\(?\s*\b(?:count|number|total|figure|value)s?\s+(?:per|for\s+each|by)\s+(?:year|month|quarter|period|side|group)\b\s*\)?/gi;

/** The relative change itself asked for: answered as one figure, not a row per period. */
export const RELATIVE = /\b(?:percent(?:age)?|pct|relative|rate\s+of)\b/;

const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec';

/**
 * "from Q1 to Q2 2021", "March vs June 2020": a period said without its year takes the one year
 * said with the other, when two such periods are named and one year in all.
 */
function yearShared(lower: string): string {
  const years = [...new Set(lower.match(/\b(?:19|20)\d{2}\b/g) ?? [])];
  const period = `\\b(q[1-4]|h[12]|${MONTHS})\\b`;
  if (years.length !== 1 || (lower.match(new RegExp(period, 'g')) ?? []).length !== 2) return lower;
  return lower.replace(
    new RegExp(`(?<!(?:19|20)\\d{2}\\s)${period}(?!\\s+(?:of\\s+)?(?:19|20)\\d{2})`, 'g'),
    `$1 ${years[0]}`,
  );
}

/**
 * "how did the number of emergency visits change from 2021 to 2022": one figure (rows, or the
 * total or average of a column) in two whole years, with the change. Other wordings of two periods
 * ("compare …", "… vs …") are side-by-side breakdowns, answered by the aggregate path.
 */
function comparisonOf(text: string, lexicon: Lexicon, now: Date): Interpretation | undefined {
  const lower = periodBeside(
    yearShared(text.toLowerCase().replace(/\b(?:year[\s-]+over[\s-]+year|yoy)\b/g, ' ')),
    now,
  );
  const years = [...new Set(lower.match(/\b(?:19|20)\d{2}\b/g) ?? [])];
  // "compared with", "how did … move", "more … in 2021 than in 2020": the change asked in other words.
  // "compare … between 2020 and 2021": the two years, not the range between them.
  const changed =
    CHANGE.test(lower) ||
    RELATE.test(lower) ||
    MORE_THAN.test(lower) ||
    /\bcompar\w*\b.*\bbetween\b/.test(lower);
  const changeWords = (x: string) =>
    x
      .replace(new RegExp(CHANGE.source, 'g'), ' ')
      .replace(new RegExp(RELATE.source, 'g'), ' ')
      .replace(/\b(?:as\s+)?compar(?:e[sd]?|ing|ison)\b/g, ' ')
      .replace(/\b(?:how\s+many\s+)?(?:more|fewer|less|higher|lower|greater)\b|\bthan\b/g, ' ')
      // "percent change", "% growth", "relative change", "rate of increase": the relative change,
      // which the comparison answers beside the absolute one.
      .replace(/\b(?:percent(?:age)?|pct|relative|rate\s+of|by\s+how\s+much|how\s+much)\b/g, ' ')
      // "both counts and the difference": both figures are answered beside the change.
      .replace(/\bboth\b/g, ' ')
      // "the difference between A and B", "(2021 minus 2020)": the change, said of the two periods.
      .replace(/\bbetween\b|\bminus\b/g, ' ');
  // A relative period ("this year") stays as said until its date is known: it is read against
  // the data's latest date on it.
  let ranges: Array<string | [string, string]>;
  let rest: string;
  const finer = new RegExp(
    `\\b(?:q[1-4]|h[12]|half|quarter|${MONTHS})\\b|\\b\\d{4}-(?:0[1-9]|1[0-2])\\b`,
  ).test(lower);
  // "… in 2019 versus 2023": the two years said against each other, those two only.
  const versus = /\b(?:vs\.?|versus)\b/.test(lower);
  // "compare ER visits in 2021 and 2023": two years named against each other by "compare", unless
  // said as a range ("from 2019 to 2022") or broken down by period ("by year"): those two only.
  const compared =
    COMPARE.test(lower) &&
    !SAID_RANGE.test(lower) &&
    !/\b(?:by|per|each|every)\s+(?:year|month|quarter|week|day)s?\b|\b(?:yearly|monthly|quarterly|annually)\b/.test(
      lower,
    );
  if (years.length === 2 && (changed || versus || compared) && !finer) {
    ranges = years.map((y): [string, string] => [`${y}-01-01`, `${y}-12-31`]);
    rest = changeWords(
      lower.replace(/\b(?:from|between|in|to|and|vs|versus|over|against|with|for)?\s*(?:19|20)\d{2}\b/g, ' '),
    );
  } else {
    // Two periods of any other size ("Q1 2020 vs Q1 2021", "the first half of 2020 and of 2021").
    if (!changed && !/\b(?:compare[sd]?|comparing|vs\.?|versus)\b/.test(lower)) return undefined;
    // "change between March and June 2021": two periods asked about, not the range between them.
    const apart = changed
      ? lower.replace(
          new RegExp(
            `\\b(?:between|from)\\s+(.+?)\\s+(?:and|to)\\s+(?=(?:the\\s+)?(?:first|second|third|fourth|last|q[1-4]|h[12]|${MONTHS})\\b)`,
          ),
          ' $1 vs ',
        )
      : lower;
    const a = readTime(apart, now, { pairs: false });
    const b = readTime(a.rest, now, { pairs: false });
    if (!a.dateRange || !b.dateRange || a.granularity || b.granularity) return undefined;
    // "between 2016 and 2019" read as one range leaves no second period: not a comparison.
    ranges = [a.dateRange, b.dateRange];
    rest = changeWords(b.rest).replace(
      /\b(?:compare[sd]?|comparing|vs\.?|versus|compared\s+(?:to|with)|between|from|to|and|with|against|of)\b/g,
      ' ',
    );
  }
  // Said order (ranges) to the order answered: "more X in A than in B" is A minus B, "fewer … than"
  // B minus A; a change runs from the earlier period to the later.
  // ("… give the difference" asks the same single figure as "how many more … than".)
  const said = !CHANGE.test(lower.replace(/\b(?:difference|delta)\b/g, ' ')) && MORE_THAN.exec(lower);
  const up = said && /^(?:more|higher|greater)$/.test(said[1] ?? '');
  const time = readTime(rest, now);
  const r = reading(time.rest);
  if (time.dateRange || time.granularity) return notPlaced(['the second period']);
  const averaging = r.tokens.filter((t) => ['average', 'mean', 'avg'].includes(t.word));
  r.use(averaging.map((t) => t.index));
  const named = matchCubes(r.tokens, r.free(), lexicon);
  const columns = numberColumns(r, lexicon).filter(
    (m) => !named.some((c) => m.covered.every((i) => c.covered.includes(i))),
  );
  const value = columns[0];
  const tied = tie(columns);
  if (value && tied) return choices(tied);
  // With no rows named, the rows of a value named ("inpatient admissions": encounters).
  const cube = value?.target.cube ?? named[0]?.target.name ?? datedValueCube(r, lexicon);
  if (!cube) return notPlaced(unplaced(r));
  if (value) r.use([...value.covered, ...value.cubeWords]);
  // "patients who died in 2020 and 2021": the periods are of the date the words say is recorded
  // (a date named, or one whose words of being recorded were said), else of the cube's own date.
  const dates = namedDates(r.tokens, r.free(), lexicon).filter(
    (d) => lexicon.members.get(d.member)?.cube === cube,
  );
  const filters = cubeConditions(r, lexicon, cube);
  const recorded = filters
    .filter((c) => c.op === 'is_not_null' && lexicon.members.get(c.member)?.kind === 'time')
    .map((c) => c.member);
  const member = dateFor(lexicon, cube, dates, { recorded });
  for (const d of dates) if (d.member === member) r.use(d.covered);
  if (!member) return clarify(`${lexicon.cubes.get(cube)?.title ?? cube} has no date to compare periods by.`);
  const pair = periodPair(
    member,
    ranges as [string | [string, string], string | [string, string]],
    now,
    lexicon.latestDate,
  );
  const [p1, p2] = said
    ? up
      ? [pair[1], pair[0]]
      : pair
    : ([...pair].sort((x, y) => x.from.localeCompare(y.from)) as [TimeFilter, TimeFilter]);
  if (lexicon.cubes.get(cube)?.yearOnly && ![p1, p2].every((p) => /^\d{4}( to \d{4})?$/.test(p.label)))
    return clarify(
      `Dates of ${lexicon.cubes.get(cube)?.title ?? cube} are kept to the year for you. Ask for whole years?`,
    );
  const f: LogicalForm = {
    kind: 'comparison',
    cube,
    agg: value ? (averaging.length ? 'avg' : 'sum') : 'count',
    value: value?.target.member,
    periods: [p1, p2],
    ...(said ? { difference: true } : {}),
    // One row per period, with the change, unless the figure asked is the change itself: "how many
    // more …", "percent change", "by what percentage".
    ...(said || RELATIVE.test(lower.replace(/\brelative\s+to\b/g, ' ')) ? {} : { rows: true }),
    filters,
  };
  const missing = unplaced(r);
  // "… change from 2021 to 2022 by payer": a change broken down is not one this form answers —
  // say so, rather than let another reading take the words.
  const by = r.tokens.find(
    (t) =>
      ['by', 'per', 'each', 'across'].includes(t.word) && missing.includes(r.tokens[t.index + 1]?.word ?? ''),
  );
  if (by)
    return clarify(
      `I can give the change between ${p1.label} and ${p2.label} as a whole, not ${by.word} ${r.tokens[by.index + 1]?.word}. Ask for one ${r.tokens[by.index + 1]?.word} at a time, or without the breakdown?`,
    );
  if (missing.length) return notPlaced(missing);
  return { kind: 'form', form: f, sql: compileSql(f, lexicon), interpretation: describeForm(f, lexicon) };
}

const SHARE_WORDS = ['share', 'percentage', 'percent', 'pct', 'proportion', 'fraction', 'portion'];

function findShare(r: Reading): number | undefined {
  return r.tokens.find((t) => SHARE_WORDS.includes(t.word))?.index;
}

/** Every word that asks for a share ("share of … (%)" says it twice): all are placed by the share. */
function shareWords(r: Reading): number[] {
  return r.tokens.filter((t) => SHARE_WORDS.includes(t.word)).map((t) => t.index);
}

type Threshold = { op: Op; n: number; at: number[]; and?: { op: Bound; n: number } | undefined };
type Bound = Exclude<Op, 'eq'>;

/**
 * "more than 50", "at least 3", "fewer than 2", "over 10", "5 or more"; two bounds said one after
 * the other ("at least 5 at most 10", as "between 5 and 10" is read) are one range.
 */
function findThreshold(r: Reading): Threshold | undefined {
  const first = thresholdFrom(r, 0);
  if (!first || first.op === 'eq') return first;
  const next = Math.max(...first.at) + 1;
  const second = thresholdFrom(r, next);
  const lower = (op: Op) => op === 'gt' || op === 'gte';
  if (!second || second.at[0] !== next || second.op === 'eq' || lower(second.op) === lower(first.op))
    return first;
  return { ...first, and: { op: second.op, n: second.n }, at: [...first.at, ...second.at] };
}

/** "between 5 and 10" (not two years: a period): "at least 5 at most 10", which the cohort reader leaves whole. */
export function betweenNumbers(text: string): string {
  return text.replace(
    /\bbetween\s+(\d+(?:\.\d+)?)\s+(?:and|to)\s+(\d+(?:\.\d+)?)\b/gi,
    (said, a: string, b: string) =>
      [a, b].every((x) => /^(?:19|20)\d{2}$/.test(x)) || Number(a) > Number(b)
        ? said
        : `at least ${a} at most ${b}`,
  );
}

function thresholdFrom(r: Reading, from: number): Threshold | undefined {
  const num = (i: number) => {
    const w = at(r, i)?.word ?? '';
    return /^\d+(?:\.\d+)?$/.test(w) ? Number(w) : undefined;
  };
  for (const t of r.tokens) {
    const i = t.index;
    if (i < from) continue;
    const next = at(r, i + 1)?.word;
    // "no more than 3" is at most 3, "no fewer than 2" at least 2.
    if (
      t.word === 'no' &&
      ['more', 'fewer', 'less'].includes(next ?? '') &&
      at(r, i + 2)?.word === 'than' &&
      num(i + 3) !== undefined
    )
      return { op: next === 'more' ? 'lte' : 'gte', n: num(i + 3)!, at: [i, i + 1, i + 2, i + 3] };
    // "greater than or equal to 5", "less than or equal to 2".
    if (
      ['more', 'greater', 'fewer', 'less'].includes(t.word) &&
      next === 'than' &&
      at(r, i + 2)?.word === 'or' &&
      at(r, i + 3)?.word === 'equal' &&
      at(r, i + 4)?.word === 'to' &&
      num(i + 5) !== undefined
    )
      return {
        op: t.word === 'more' || t.word === 'greater' ? 'gte' : 'lte',
        n: num(i + 5)!,
        at: [i, i + 1, i + 2, i + 3, i + 4, i + 5],
      };
    if (
      ['exceeds', 'exceeded', 'exceed', 'beyond', 'surpassing', 'surpasses', 'surpassed'].includes(t.word) &&
      num(i + 1) !== undefined
    )
      return { op: 'gt', n: num(i + 1)!, at: [i, i + 1] };
    // "a minimum of 3", "a maximum of 10".
    if (['minimum', 'maximum'].includes(t.word) && next === 'of' && num(i + 2) !== undefined)
      return { op: t.word === 'minimum' ? 'gte' : 'lte', n: num(i + 2)!, at: [i, i + 1, i + 2] };
    // "3 or above", "10 or under".
    if (
      num(i) !== undefined &&
      next === 'or' &&
      ['above', 'over', 'higher', 'greater', 'below', 'under', 'lower', 'less'].includes(
        at(r, i + 2)?.word ?? '',
      )
    )
      return {
        op: ['above', 'over', 'higher', 'greater'].includes(at(r, i + 2)?.word ?? '') ? 'gte' : 'lte',
        n: num(i)!,
        at: [i, i + 1, i + 2],
      };
    if (['more', 'greater', 'fewer', 'less'].includes(t.word) && next === 'than' && num(i + 2) !== undefined)
      return {
        op: t.word === 'more' || t.word === 'greater' ? 'gt' : 'lt',
        n: num(i + 2)!,
        at: [i, i + 1, i + 2],
      };
    if (['over', 'above', 'exceeding'].includes(t.word) && num(i + 1) !== undefined)
      return { op: 'gt', n: num(i + 1)!, at: [i, i + 1] };
    if (['under', 'below'].includes(t.word) && num(i + 1) !== undefined)
      return { op: 'lt', n: num(i + 1)!, at: [i, i + 1] };
    if (t.word === 'at' && (next === 'least' || next === 'most') && num(i + 2) !== undefined)
      return { op: next === 'least' ? 'gte' : 'lte', n: num(i + 2)!, at: [i, i + 1, i + 2] };
    if (num(i) !== undefined && next === 'or' && ['more', 'fewer', 'less'].includes(at(r, i + 2)?.word ?? ''))
      return { op: at(r, i + 2)?.word === 'more' ? 'gte' : 'lte', n: num(i)!, at: [i, i + 1, i + 2] };
  }
  return undefined;
}

/**
 * "how many visits does each patient have", with no averaging word: the average per patient, or
 * the count for every patient — asked back with both, never answered as one total.
 */
function eachWithoutAverage(r: Reading, lexicon: Lexicon, question: string): Interpretation | undefined {
  if (!/\b(how many|number of)\b/i.test(question)) return undefined;
  if (r.tokens.some((t) => ['average', 'mean', 'typical', 'typically', 'avg'].includes(t.word)))
    return undefined;
  for (const t of r.tokens) {
    if (!['each', 'every'].includes(t.word)) continue;
    if (['for', 'by', 'in', 'across', 'of'].includes(at(r, t.index - 1)?.word ?? '')) continue;
    const entity = matchCubes(r.tokens, new Set([t.index + 1]), lexicon)[0]?.target;
    const counted = matchCubes(r.tokens, r.free(), lexicon).find(
      (c) => c.target.name !== entity?.name && c.target.keys.has(entity?.name ?? ''),
    )?.target;
    if (!entity || !counted) continue;
    // "how many encounters did each payer cover": records with a label to show are a breakdown,
    // one row per record; only records with no label leave the average a live reading.
    if (entity.label) return undefined;
    const rows = counted.title.toLowerCase();
    const one = entity.title.toLowerCase().replace(/s$/, '');
    return clarify(
      `Do you mean the average number of ${rows} per ${one}, or the number for every ${one}?`,
      [],
      [
        { label: `Average ${rows} per ${one}`, question: `average number of ${rows} per ${one}` },
        { label: `${counted.title} by ${one}`, question: `number of ${rows} by ${one}` },
      ],
    );
  }
  return undefined;
}

/** "per patient", "each patient", "every provider", with an averaging word somewhere. */
function findPer(r: Reading, lexicon: Lexicon): { entity: CubeEntry; at: number[] } | undefined {
  const averaging = r.tokens.filter((t) =>
    ['average', 'mean', 'typical', 'typically', 'avg'].includes(t.word),
  );
  if (!averaging.length) return undefined;
  // "how many visits does the average patient have": the entity named right after the averaging
  // word, when rows are counted.
  if (r.tokens.some((t) => t.word === 'many' || t.word === 'number'))
    for (const a of averaging) {
      const hit = matchCubes(r.tokens, new Set([a.index + 1].filter((i) => r.free().has(i))), lexicon)[0];
      const counted = matchCubes(r.tokens, r.free(), lexicon).some(
        (c) => c.target.name !== hit?.target.name && c.target.keys.has(hit?.target.name ?? ''),
      );
      if (hit && counted) return { entity: hit.target, at: [a.index, ...hit.covered] };
    }
  // "how many conditions does a patient have on average": the entity said as one of them ("a
  // patient"), with "on average" anywhere, when rows keyed to it are counted.
  const onAverage = averaging.filter((a) => at(r, a.index - 1)?.word === 'on');
  if (onAverage.length && r.tokens.some((t) => t.word === 'many' || t.word === 'number'))
    for (const t of r.tokens) {
      if (!['a', 'an', 'each', 'one', 'single'].includes(t.word)) continue;
      const hit = matchCubes(r.tokens, new Set([t.index + 1].filter((i) => r.free().has(i))), lexicon)[0];
      const counted = matchCubes(r.tokens, r.free(), lexicon).some(
        (c) => c.target.name !== hit?.target.name && c.target.keys.has(hit?.target.name ?? ''),
      );
      if (hit && counted)
        return {
          entity: hit.target,
          at: [t.index, ...hit.covered, ...onAverage.flatMap((a) => [a.index - 1, a.index])],
        };
    }
  for (const t of r.tokens) {
    if (!['per', 'each', 'every'].includes(t.word)) continue;
    // "for each payer", "by every provider": a breakdown, not a figure per entity.
    if (['for', 'by', 'in', 'across', 'of', 'within'].includes(at(r, t.index - 1)?.word ?? '')) continue;
    // "per encounter class": a dimension named whole, a breakdown (breakdownLead).
    if (!perEntityAt(r, lexicon, t.index + 1) && matchCubes(r.tokens, new Set([t.index + 1]), lexicon).length)
      continue;
    const after = new Set([t.index + 1, t.index + 2].filter((i) => r.free().has(i)));
    const hit = matchCubes(r.tokens, after, lexicon).find((m) => m.covered.includes(t.index + 1));
    if (hit) return { entity: hit.target, at: [t.index, ...hit.covered, ...averaging.map((a) => a.index)] };
    // "per female patient": a word qualifying the entity between "per" and its name stays free,
    // to be read as a condition on the entity's records.
    const later = new Set([t.index + 2, t.index + 3].filter((i) => r.free().has(i)));
    const qualified = matchCubes(r.tokens, later, lexicon).find((m) => m.covered.includes(t.index + 2));
    const between = at(r, t.index + 1);
    if (
      qualified &&
      between &&
      isContent(between) &&
      !GENERIC.has(between.word) &&
      r.free().has(between.index)
    )
      return {
        entity: qualified.target,
        at: [t.index, ...qualified.covered, ...averaging.map((a) => a.index)],
      };
  }
  return undefined;
}

export function clarify(
  message: string,
  unplaced: string[] = [],
  options: Array<{ label: string; question: string }> = [],
): Interpretation {
  return { kind: 'clarify', message, unplaced, options };
}

/** Content words nothing in the interpretation used. */
export function unplaced(r: Reading): string[] {
  return r.tokens
    .filter((t) => !r.used.has(t.index) && isContent(t) && !GENERIC.has(t.word) && !GENERIC.has(t.stem))
    .map((t) => t.word);
}

export function notPlaced(words: string[]): Interpretation {
  return clarify(
    `I could not place ${words.map((w) => `"${w}"`).join(', ')} in the data you can query. Could you rephrase, or name the field you mean?`,
    words,
  );
}

/** Conditions on the cube's own dimensions: stored values, the model's value synonyms, true/false flags. */
function conditionsIn(
  r: Reading,
  lexicon: Lexicon,
  cube: string,
): Array<{ condition: Condition; at: number[] }> {
  const out: Array<{ condition: Condition; at: number[] }> = [];
  for (;;) {
    const v = matchValues(r.tokens, r.free(), lexicon, (x) => x.cube === cube)[0];
    if (!v) break;
    r.use(v.covered);
    const same = out.find((o) => o.condition.member === v.target.member && o.condition.op === 'in');
    if (same && same.condition.op === 'in') {
      if (!same.condition.values.includes(v.target.value)) same.condition.values.push(v.target.value);
      same.at.push(...v.covered);
    } else
      out.push({ condition: { member: v.target.member, op: 'in', values: [v.target.value] }, at: v.covered });
  }
  for (const n of lexicon.nulls) {
    if (n.cube !== cube) continue;
    const hit = nullWords(r, n.stems);
    if (!hit) continue;
    r.use(hit);
    // "no end", "not ended": the state denied is the other one.
    const denied = deniedAt(r.tokens, Math.min(...hit));
    if (denied !== undefined) r.use([denied]);
    const isNull = denied === undefined ? n.isNull : !n.isNull;
    out.push({ condition: { member: n.member, op: isNull ? 'is_null' : 'is_not_null' }, at: hit });
  }
  for (;;) {
    const b = matchMembers(r.tokens, r.free(), lexicon, (m) => m.cube === cube && m.type === 'boolean').find(
      (m) => m.completeness === 1,
    );
    if (!b) break;
    r.use(b.covered);
    const negated = r.tokens.some(
      (t) => ['not', 'non', 'never', 'without'].includes(t.word) && b.covered.includes(t.index + 1),
    );
    out.push({ condition: { member: b.target.member, op: negated ? 'is_false' : 'is_true' }, at: b.covered });
  }
  return out;
}

/** The free tokens spelling a phrase, in order, or undefined. */
function nullWords(r: Reading, stems: string[]): number[] | undefined {
  return freePhrase(r.tokens, r.free(), stems);
}

/**
 * "how many active care plans", "number of resolved conditions in 2021": a count whose words
 * include what the model says an empty (or filled) member means — answered here, so the words
 * are never ignored.
 */
function countWithNullWords(r: Reading, lexicon: Lexicon, question: string): LogicalForm | undefined {
  if (!/\b(how many|number of|count)\b/i.test(question)) return undefined;
  // The rows named, or with none named, the cube of a value named ("how many women are still alive").
  const cubes = matchCubes(r.tokens, r.free(), lexicon).map((c) => c.target.name);
  const named = new Set(
    cubes.length ? cubes : matchValues(r.tokens, r.free(), lexicon, () => true).map((v) => v.target.cube),
  );
  const hit = lexicon.nulls.find((n) => named.has(n.cube) && nullWords(r, n.stems));
  if (!hit) return undefined;
  const counting = r.tokens.filter((t) => ['how', 'many', 'number', 'count'].includes(t.word));
  r.use(counting.map((t) => t.index));
  // "still alive", "currently ongoing": words of the same state said again.
  r.use(
    r.tokens
      .filter(
        (t) => r.free().has(t.index) && stateWords(hit.isNull).has(t.word) && !hit.stems.includes(t.stem),
      )
      .map((t) => t.index),
  );
  // "how many patients have active allergies": the entity the rows belong to, counted once each.
  const keys = lexicon.cubes.get(hit.cube)?.keys;
  const entity = matchCubes(r.tokens, r.free(), lexicon).find((c) => keys?.has(c.target.name));
  if (entity) r.use(entity.covered);
  return {
    kind: 'aggregate',
    cube: hit.cube,
    distinct: entity ? keys?.get(entity.target.name) : undefined,
    entity: entity?.target.name,
    filters: [],
  };
}

/** Two readings close in score with different titles: ask rather than choose. */
export function tie(matches: Array<Match<MemberEntry>>): Array<Match<MemberEntry>> | undefined {
  const [a, b] = matches;
  if (!a || !b || b.score < a.score * CLOSE) return undefined;
  if (a.target.title === b.target.title && a.target.cube === b.target.cube) return undefined;
  return [a, b];
}

/**
 * Read a question into a logical form: the statistic, share, per-entity figure, threshold or
 * record lookup it asks for, over which cube, with which conditions and period. Every content
 * word must be placed, or the answer is a question back naming the words that were not.
 * Questions of other kinds (plain aggregates, lists, rankings) come back as `none`.
 *
 * @example interpret('median total claim cost of encounters in 2021', lexicon, now)
 * // { kind: 'form', form: { kind: 'distribution', stat: 'median', … }, interpretation: 'Median of Total Claim Cost over encounters, 2021', … }
 */
export function interpret(
  asked: string,
  lexicon: Lexicon,
  now: Date,
  /** The figure will be kept to a cohort's records (ofCohort): never the model's plain measure. */
  kept = false,
): Interpretation {
  return boundsAsSaid(interpretRead(asked, lexicon, now, kept), asked);
}

function interpretRead(asked: string, lexicon: Lexicon, now: Date, kept: boolean): Interpretation {
  // Numbers as digits ("$10,000", "two"), filler read as nothing ("on file", "please"), words
  // that only restate what is named ("prescribed" of medications, "date" of "end date"), and
  // "diabetics": the people with a value holding the word (value-words.ts).
  const question = dropRestating(normalizeQuestion(personNouns(asked, lexicon)), lexicon);
  const ids = question.match(UUID) ?? [];
  // Records of another kind pointing at the one record an id names ("what conditions does patient
  // <id> have"): the query reader's, kept to that record's key — never a reading that drops the id.
  if (ids.length && recordsOfId(asked, lexicon)) return { kind: 'none' };
  const spoken = question
    .replace(UUID, ' ')
    .replace(/%/g, ' percent ')
    // "5+ encounters": five or more; "no more than 3": at most 3 (not a "no" of a cohort).
    .replace(/\b(\d+)\s*\+(?=\s|$)/g, '$1 or more')
    .replace(/\bno\s+(more|fewer|less)\s+than\b/gi, (_, w: string) =>
      w.toLowerCase() === 'more' ? 'at most' : 'at least',
    );
  const text = betweenNumbers(spoken);
  // "… per patient, including patients with none": the figure over every record of the entity.
  // Any other reading keeps the words, to be placed (or asked about) as they are.
  const everyOne = ALL_ENTITIES.map((re) => re.exec(text)).find((m) => m !== null);
  if (everyOne) {
    const read = interpret(text.replace(everyOne[0], ' '), lexicon, now);
    const named = everyOne[1]
      ? matchCubes(tokenize(everyOne[1]), new Set([0]), lexicon)[0]?.target.name
      : undefined;
    if (
      read.kind === 'form' &&
      read.form.kind === 'per_entity' &&
      !read.form.groupBy &&
      !read.form.within?.length &&
      (!everyOne[1] || named === read.form.entity)
    ) {
      const form: LogicalForm = { ...read.form, over: 'all' };
      return {
        kind: 'form',
        form,
        sql: compileSql(form, lexicon),
        interpretation: describeForm(form, lexicon),
      };
    }
  }
  // "… per patient (among patients with any medication)": the entities with rows, which a figure
  // per entity is over anyway — the words are placed when they name its entity and its rows.
  const withAny = WITH_ANY.exec(text);
  if (withAny) {
    const read = interpret(text.replace(withAny[0], ' '), lexicon, now);
    const f = read.kind === 'form' ? read.form : undefined;
    const over =
      f?.kind === 'per_entity' && f.over !== 'all'
        ? { entity: f.entity, cube: f.cube }
        : f?.kind === 'distribution' && f.per
          ? { entity: f.per.entity, cube: f.cube }
          : undefined;
    // A cube named by every word said ("medication", "care plans"), not one word of a longer
    // phrase ("emergency visit" is rows meeting a condition: read as a cohort, not as any visit).
    const cubeOf = (words: string | undefined) => {
      if (!words) return undefined;
      const tokens = tokenize(words);
      const hit = matchCubes(tokens, new Set(tokens.map((t) => t.index)), lexicon)[0];
      const content = tokens.filter((t) => isContent(t) && !GENERIC.has(t.word));
      return hit && content.every((t) => hit.covered.includes(t.index)) ? hit.target.name : undefined;
    };
    const rows = withAny[2] ? tokenize(withAny[2]) : [];
    // The rows said ("any medication"), or nothing after "one" ("that have one"), or a word that
    // is not a cube's ("… with at least one, by gender" was cut before "by").
    const rowsSaid = cubeOf(withAny[2]);
    const unknownRows = rows.some((t) => isContent(t) && !GENERIC.has(t.word)) && !rowsSaid;
    if (over && cubeOf(withAny[1]) === over.entity && (rowsSaid === over.cube || (!rowsSaid && !unknownRows)))
      return read;
    // "… per patient among patients with any medication": the entities with rows of another cube
    // keyed to them — the measured rows kept to theirs.
    const head = over ? lexicon.cubes.get(over.entity) : undefined;
    const link = rowsSaid ? lexicon.cubes.get(rowsSaid)?.keys.get(over?.entity ?? '') : undefined;
    const key = f && over ? lexicon.cubes.get(f.cube)?.keys.get(over.entity) : undefined;
    if (f && over && head?.primaryKey && cubeOf(withAny[1]) === over.entity && rowsSaid && link && key) {
      const cohort: CohortForm = {
        kind: 'cohort',
        cube: head.name,
        entity: head.name,
        key: head.primaryKey,
        scope: [],
        terms: [{ cube: rowsSaid, key: link, filters: [], negated: false }],
        output: 'list',
        columns: [],
        filters: [],
      };
      const form = {
        ...f,
        within: [...('within' in f ? (f.within ?? []) : []), { key, cohort }],
      } as LogicalForm;
      return {
        kind: 'form',
        form,
        sql: compileSql(form, lexicon),
        interpretation: describeForm(form, lexicon),
      };
    }
  }
  // "… 2022 vs 2023 — one row per year", "(row per year)", "one row each": the shape a comparison
  // answers in anyway, said again; read away for the comparisons only.
  const sides = text.replace(SIDES_SHAPE, ' ');
  const change = comparisonOf(sides, lexicon, now);
  if (change && (change.kind === 'form' || sides === text)) return change;
  if (sides !== text) {
    const shaped = groupComparison(sides, readTime(sides, now), lexicon, now);
    if (shaped?.kind === 'form') return shaped;
  }
  // "YTD … in 2021": a running total from the start of the year stated (or of this year).
  const ytd = YTD.test(text);
  const time = readTime(ytd && /\b(?:19|20)\d{2}\b/.test(text) ? text.replace(YTD, ' ') : text, now);
  const groups = groupComparison(text, time, lexicon, now);
  if (groups) return groups;
  // "total claim cost divided by the number of encounters": one figure over another.
  const ratio = figureRatio(time, lexicon, now);
  if (ratio) return ratio;
  // A record named by its name ("when did <first> <last> die"): its attributes, or which one is meant.
  const person = !ids.length ? recordByName(time, lexicon, question, now) : undefined;
  if (person) return person;
  // "is <payer> a government or private payer": a record's attribute asked as a choice of its
  // values, before its "or" reads as two groups of records.
  if (!ids.length && CHOICE.test(question)) {
    const r = reading(time.rest);
    const choice = lookupByName(r, lexicon, question);
    const done = choice ? finish(r, lexicon, now, time, choice) : undefined;
    if (done?.kind === 'form') return done;
  }
  // "claim cost - payer coverage": a minus sign between words is the word "minus".
  const r = reading(time.rest.replace(/([a-z])\s+[-\u2013\u2212]\s+(?=[a-z])/gi, '$1 minus '));
  // "in hours", "in days": the figure in that unit; a measure of the model kept in it answers as is.
  const unit = unitAsked(r);
  if (unit) {
    r.use(unit.at);
    if (measureInUnit(r, lexicon, unit)) return { kind: 'none' };
  }
  // "claim cost minus payer coverage": the second column is placed here, the first is read as
  // the figure's column by whichever path reads the figure, then the form takes the second from it.
  const diff = findDifference(r, lexicon);
  if (diff) r.use(diff.at);
  const less = (read: LogicalForm | Interpretation) => withLess(read, diff);
  const stats = findStats(r);
  if (stats)
    return finish(r, lexicon, now, time, unitForm(less(statistics(r, lexicon, stats)), lexicon, unit));
  const share = findShare(r);
  const threshold = findThreshold(r);
  const perSaid = findPer(r, lexicon);
  const unmeasured =
    findStat(r) || share !== undefined || threshold ? undefined : averageUnmeasured(r, lexicon, perSaid);
  const said = findStat(r) ?? extremeForOne(r, lexicon) ?? unmeasured;
  // "average dispenses per medication order": the records named after "per" are the rows that
  // carry the column, so the average over them is the statistic, read by the statistic's path.
  const per = unmeasured ? undefined : perSaid;
  // "average wait per site in hours": the average is the per-entity figure's own word.
  // A difference of two columns with no statistic said is their total ("… minus …"), the
  // average said plainly ("average claim cost less payer coverage"), or per entity its average.
  const stat =
    said ??
    (unit && !per ? plainStat(r) : undefined) ??
    (diff && !per && !threshold && !findRunning(r)
      ? // "… per patient": each patient's total, averaged over them.
        (plainStat(r) ?? { stat: perEntityWords(r, lexicon) ? 'avg' : 'sum', at: [] })
      : undefined);
  const each = per ? undefined : eachWithoutAverage(r, lexicon, question);
  if (each) return each;
  // "percentage of visits by type": each group's part of the whole, before a cohort reading can
  // take the breakdown's words for a condition.
  if (share !== undefined && !threshold && !stat && !per) {
    const whole = composition(time, lexicon, now);
    if (whole) return whole;
    // "share of encounters with no insurance": a "no" that is part of a value the model names
    // (a payer called NO_INSURANCE, its synonym "no insurance") is not a cohort's negation.
    const valued = negatedValueShare(time, lexicon, now);
    if (valued) return valued;
  }
  // "immunizations for patients with asthma": a figure of rows kept to a cohort of the entity
  // they belong to, read before the whole question can be taken for one cohort of those rows.
  const ofEntity = notRanking(ofCohort(text, lexicon, now));
  if (ofEntity) return ofEntity;
  // Groups of records combined ("both A and B", "A but not B", "never", "without", "ever"): a
  // cohort (cohort.ts), or a question back naming what it could not place.
  const group = notRanking(readCohort(cohortText(text, time), lexicon, now));
  // A cohort read, refused, or asked about as ambiguous (no unplaced words) is the answer.
  if (group && (group.kind !== 'clarify' || !group.unplaced.length)) return group;
  // "YTD … month by month": a running total; "visits year to date" alone is one figure.
  const running = findRunning(r) ?? (ytd && time.granularity ? [] : undefined);
  const distinctAt = r.tokens.find((t) => DISTINCT.has(t.word))?.index;
  // "how many distinct providers saw patients who never …": the records counted are not the
  // cohort's; the cohort is of the records named after them (distinctOf), when that reads.
  if (group && distinctAt !== undefined && /\b(how many|number of|count)\b/i.test(text)) {
    const through = finish(r, lexicon, now, time, distinctOf(r, lexicon, distinctAt, now));
    return through.kind === 'form' ? through : group;
  }
  if (group) return group;
  if (
    distinctAt !== undefined &&
    /\b(how many|number of|count|no\. of|# of|total number)\b/i.test(text) &&
    // "top 5 medications by number of distinct patients": a ranking by the count, not the count.
    !RANKS.test(text) &&
    !ids.length &&
    !stat &&
    share === undefined &&
    !threshold &&
    !per &&
    !running
  )
    return finish(r, lexicon, now, time, distinctOf(r, lexicon, distinctAt, now));
  // "how many distinct patients had more than 3 visits": entities are counted once anyway.
  if (distinctAt !== undefined && threshold) r.use([distinctAt]);
  // "what share of encounters cost more than 1000": the threshold is the share's condition.
  const kinds = [
    ids.length > 0,
    stat,
    share !== undefined,
    threshold && share === undefined,
    per,
    running,
  ].filter(Boolean).length;
  const counted = kinds === 0 && !ids.length ? countWithNullWords(r, lexicon, question) : undefined;
  if (kinds === 0 && !counted) {
    const byName = lookupByName(r, lexicon, question);
    return byName ? finish(r, lexicon, now, time, byName) : { kind: 'none' };
  }
  // A measure of the model that names the operator itself ("percent covered", "median claim
  // cost") is the model's own definition of the figure: the semantic query path answers it —
  // unless the figure is asked of a cohort's records ("… for patients with asthma"), which only
  // the reading here keeps to.
  // Asked in a unit no measure of the model is kept in (measureInUnit): not the model's own figure.
  // Nor a difference of two columns: no measure of the model takes one from the other as asked.
  const modelDefined =
    !unit &&
    !diff &&
    ((share !== undefined && definedByModel(r, lexicon, [share], [])) ||
      (stat !== undefined &&
        definedByModel(r, lexicon, stat.at, numberColumns(r, lexicon)[0]?.covered ?? [])));
  if (kinds > 1 && !ids.length && !modelDefined)
    return clarify('That asks for more than one kind of figure at once. Could you ask for one at a time?');

  let form: LogicalForm | Interpretation;
  let period = time;
  if (counted) form = counted;
  else if (ids.length) {
    form = lookup(r, lexicon, ids);
  } else if (stat) {
    r.use(stat.at);
    form = distribution(r, lexicon, stat);
  } else if (share !== undefined) {
    // A share of rows within a range is not read yet: a question back, never one bound dropped.
    if (threshold?.and) return clarify('Ask for the share above or below one figure at a time?');
    r.use(shareWords(r));
    if (threshold) r.use(threshold.at);
    form = shareOf(r, lexicon, share, threshold);
  } else if (per) {
    r.use(per.at);
    form = perEntity(r, lexicon, per.entity, per.at[0] as number);
  } else if (running) {
    r.use(running);
    // "through 2023" month by month: within 2023, unless the words say from the first record.
    const first = fromFirstRecord(r);
    r.use(first);
    period = runningPeriod(time, time.granularity, first.length > 0);
    form = cumulative(r, lexicon, time.granularity ?? 'month', now);
  } else if (threshold) {
    r.use(threshold.at);
    form = thresholdOf(r, lexicon, threshold, question, asked);
  } else return { kind: 'none' };
  const done = finish(r, lexicon, now, period, unitForm(less(form), lexicon, unit));
  // A figure per entity ("median claim cost per patient") is not the model's plain statistic.
  const overEntities =
    done.kind === 'form' &&
    ((done.form.kind === 'distribution' && done.form.per) ||
      // A share broken down, or of a column's sum: not the model's plain rate. Nor a share of the
      // rows meeting a condition read from the words ("percent of patients deceased"): the model's
      // rate of the same condition, filtered by it again, would be 100%.
      (done.form.kind === 'share' && (done.form.groupBy || done.form.value || done.form.condition)));
  if (
    modelDefined &&
    !kept &&
    !overEntities &&
    !(done.kind === 'form' && 'within' in done.form && done.form.within?.length)
  )
    return { kind: 'none' };
  return done;
}

/**
 * "how many immunizations for patients with asthma", "average encounter cost among patients with
 * COPD", "visits per patient among diabetics": the entity named after a link word, with words
 * that qualify it, is a cohort of its records (cohort.ts), read on the records keyed to it; the
 * figure asked before the link is read alone and its rows kept to that cohort through their key
 * to the entity. A plain count of rows ("how many immunizations") is read here, with the rows'
 * own values and period. `undefined` when the figure's rows do not point at the entity.
 */
/**
 * "which medications were given to the most patients": a cohort reading whose only unplaced words
 * rank is a ranking, left to the ranking reader rather than asked back.
 */
function notRanking(read: Interpretation | undefined): Interpretation | undefined {
  const ranks =
    read?.kind === 'clarify' &&
    read.unplaced.length > 0 &&
    read.unplaced.every((u) => RANK_WORDS.has(u.toLowerCase()));
  return ranks ? undefined : read;
}

function ofCohort(text: string, lexicon: Lexicon, now: Date): Interpretation | undefined {
  for (const split of entityQualifiers(text, lexicon)) {
    const read = keptToCohort(split, lexicon, now);
    if (read) return read;
  }
  return undefined;
}

function keptToCohort(split: EntityQualifier, lexicon: Lexicon, now: Date): Interpretation | undefined {
  const cohort = readCohort(split.qualifier, lexicon, now, { head: split.entity.name, within: true });
  if (!cohort) return undefined;
  let figure = interpret(split.rest, lexicon, now, true);
  const time = readTime(split.rest, now);
  const stat = figure.kind === 'none' ? plainStat(reading(time.rest)) : undefined;
  if (stat) {
    // "total claim cost", "average encounter cost": the statistic of the column named, which the
    // model's own measure of it would compute over every row.
    const r = reading(time.rest);
    r.use(stat.at);
    figure = finish(r, lexicon, now, time, distribution(r, lexicon, stat));
    // Words naming more than one column ("encounter cost"): the column of the model's measure.
    const agg = stat.stat === 'avg' || stat.stat === 'sum' ? stat.stat : undefined;
    const column =
      figure.kind === 'clarify' && agg ? measureColumn(split.rest, agg, lexicon, now) : undefined;
    if (column && agg) {
      const all = reading(time.rest);
      all.use(all.tokens.map((t) => t.index));
      figure = finish(all, lexicon, now, time, { kind: 'distribution', stat: agg, ...column });
    }
  } else if (figure.kind === 'none') {
    // A number of rows ("how many immunizations", "immunizations given"), or the rows themselves
    // ("list encounters of …"): the rows named, with their own values and period, nothing else.
    const list = LIST_ASKED.test(split.rest) && !COUNT_ASKED.test(split.rest);
    const r = reading(time.rest);
    r.use(r.tokens.filter((t) => (list ? LISTING_WORDS : COUNTING_WORDS).has(t.word)).map((t) => t.index));
    const rows = matchCubes(r.tokens, r.free(), lexicon)
      .filter((m) => m.target.keys.has(split.entity.name))
      .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
    if (!rows) return undefined;
    r.use(rows.covered);
    const form: LogicalForm = { kind: 'aggregate', cube: rows.target.name, filters: [] };
    if (list) form.list = true;
    // "how many encounters for each patient" (of the cohort): one number for each of its records.
    const each = list ? undefined : eachRecord(r, lexicon, split.entity.name);
    const key = rows.target.keys.get(split.entity.name);
    if (each && key) {
      r.use(each);
      form.groupBy = { member: key };
    }
    figure = finish(r, lexicon, now, time, form);
  }
  // A figure that does not read alone is not this ("what share of patients have …") — unless
  // it names rows of the entity: then what it could not place is asked, not read another way.
  if (figure.kind !== 'form') {
    const t = tokenize(split.rest);
    const rows = matchCubes(t, new Set(t.map((x) => x.index)), lexicon).some((m) =>
      m.target.keys.has(split.entity.name),
    );
    return figure.kind === 'clarify' && rows && cohort.kind === 'form' ? figure : undefined;
  }
  const f = figure.form;
  const key = lexicon.cubes.get(f.cube)?.keys.get(split.entity.name);
  if (!NARROWED.has(f.kind) || f.kind === 'cohort' || !key) return undefined;
  // The qualifier is the one question back worth asking once the figure reads.
  if (cohort.kind !== 'form') return cohort;
  if (cohort.form.kind !== 'cohort' || !('terms' in cohort.form)) return undefined;
  const form = { ...f, within: [...(f.within ?? []), { key, cohort: cohort.form }] } as LogicalForm;
  return { kind: 'form', form, sql: compileSql(form, lexicon), interpretation: describeForm(form, lexicon) };
}

/** Words that ask for one figure of each record: "per patient", "for each patient", "by patient". */
const EACH_RECORD = new Set(['per', 'each', 'every', 'by']);

/** The free words "per <records>", "(for) each <records>", "by <records>" naming `entity`, when said. */
function eachRecord(r: Reading, lexicon: Lexicon, entity: string): number[] | undefined {
  for (const t of r.tokens) {
    if (!EACH_RECORD.has(t.word) || !r.free().has(t.index)) continue;
    const next = [t.index + 1, t.index + 2].filter((k) => r.free().has(k));
    const hit = matchCubes(r.tokens, new Set(next), lexicon).find(
      (c) => c.target.name === entity && Math.min(...c.covered) === t.index + 1,
    );
    if (!hit) continue;
    const before = at(r, t.index - 1);
    const lead =
      before?.word === 'for' && t.word !== 'by' && r.free().has(before.index) ? [before.index] : [];
    return [...lead, t.index, ...hit.covered];
  }
  return undefined;
}

/** Rows asked for, not counted ("list encounters of …", "which medications …"). */
const LIST_ASKED = /^\s*(?:which|list|show|display|give|find|what are|what were)\b/i;
/** The words that ask for rows, placed by it. */
const LISTING_WORDS = new Set([
  'which',
  'list',
  'show',
  'display',
  'give',
  'find',
  'what',
  'are',
  'were',
  'me',
  'all',
  'the',
]);

const COUNT_ASKED = /\b(?:how many|number of|count|total number)\b/i;

/** The words that ask for a count, placed by it. */
const COUNTING_WORDS = new Set(['how', 'many', 'number', 'of', 'count', 'total']);

/** Words that take one number from another: "minus", "less" (not "less than"), "subtract". */
const MINUS = new Set(['minus', 'less', 'subtract', 'subtracting']);

/**
 * "claim cost minus payer coverage", "claim cost less what the payer covered": two number columns
 * of the same rows, the second taken from the first row by row. `at`: the words placed by it (the
 * operator and the second column's); `left` is read as the figure's column by the path.
 */
function findDifference(
  r: Reading,
  lexicon: Lexicon,
): { left: string; right: string; at: number[]; words: string[] } | undefined {
  const op = r.tokens.find(
    (t) =>
      MINUS.has(t.word) && !['than', 'or'].includes(at(r, t.index + 1)?.word ?? '') && r.free().has(t.index),
  );
  if (!op) return undefined;
  const cols = numberColumns(r, lexicon);
  const left = cols.find((m) => Math.max(...m.covered) < op.index);
  const right = cols.find(
    (m) => Math.min(...m.covered) > op.index && (!left || m.target.cube === left.target.cube),
  );
  if (!left || !right || left.target.cube !== right.target.cube || left.target.member === right.target.member)
    return undefined;
  // "what the payer covered": the words before the column are its.
  const lead = r.tokens
    .filter((t) => t.index > op.index && t.index < Math.min(...right.covered) && !isContent(t))
    .map((t) => t.index);
  const filler = r.tokens
    .filter((t) => t.index > op.index && t.index < Math.min(...right.covered) && t.word === 'what')
    .map((t) => t.index);
  return {
    left: left.target.member,
    right: right.target.member,
    at: [op.index, ...lead, ...filler, ...right.covered],
    words: [op.word, ...right.covered.map((i) => at(r, i)?.word ?? '')],
  };
}

/**
 * The difference read into the form: the second column taken from the form's own (a statistic's
 * or a running total's), or a question back when the figure read is of another column or kind —
 * never a figure that silently drops the subtraction.
 */
function withLess(
  read: LogicalForm | Interpretation,
  diff: ReturnType<typeof findDifference>,
): LogicalForm | Interpretation {
  if (!diff || !('cube' in read)) return read;
  const f = read;
  if (
    (f.kind === 'distribution' || f.kind === 'cumulative' || (f.kind === 'threshold' && f.agg)) &&
    f.value === diff.left
  ) {
    f.less = diff.right;
    return f;
  }
  return clarify(
    `I can take one number from another for a statistic, a running total or a threshold on each one's total of the same rows. Could you ask that way? I could not place ${diff.words.map((w) => `"${w}"`).join(', ')}.`,
    diff.words,
  );
}

const LONGEST: Record<string, 'min' | 'max'> = {
  longest: 'max',
  slowest: 'max',
  shortest: 'min',
  quickest: 'min',
};
const LASTING = new Set(['last', 'lasts', 'lasted', 'take', 'takes', 'took', 'run', 'runs']);

const RANKING_WORDS = new Set(['top', 'bottom', 'rank', 'ranked', 'most', 'least', 'highest', 'lowest']);

/**
 * "average dispenses", "mean number of dispenses per prescription": an averaging word said of a
 * number column that no measure of the model averages (only its total is kept). The semantic query
 * path would answer the total and drop the word; here it is the column's average over its rows —
 * unless "per" names records of another kind ("per patient"), each of which adds up its rows.
 */
function averageUnmeasured(
  r: Reading,
  lexicon: Lexicon,
  per: { entity: CubeEntry; at: number[] } | undefined,
): (Stat & { at: number[] }) | undefined {
  const word = r.tokens.find((t) => ['average', 'mean', 'avg'].includes(t.word) && r.free().has(t.index));
  // A ranking by the average ("top 5 medications by average dispenses") is read elsewhere.
  if (!word || r.tokens.some((t) => RANKING_WORDS.has(t.word))) return undefined;
  const column = statColumns(r, lexicon)[0];
  if (column?.target.kind !== 'dimension') return undefined;
  const { cube } = column.target;
  const name = column.target.columns?.length === 1 ? column.target.columns[0] : column.target.column;
  if (per && per.entity.name !== cube) return undefined;
  // The model keeps the column's total (a measure adding it up) and no average of it.
  const of = (agg: string) =>
    [...lexicon.members.values()].some(
      (m) =>
        m.kind === 'measure' && m.cube === cube && m.aggType === agg && m.columns?.includes(name as string),
    );
  if (!of('sum') || of('avg')) return undefined;
  return { stat: 'avg', at: [word.index] };
}

/** An average or total said plainly ("average stay in days", "how long … in hours"), when a unit is asked. */
function plainStat(r: Reading): (Stat & { at: number[] }) | undefined {
  for (const t of r.tokens) {
    if (!r.free().has(t.index)) continue;
    if (['average', 'mean', 'avg', 'typical', 'typically'].includes(t.word))
      return { stat: 'avg', at: [t.index] };
    if (['total', 'sum'].includes(t.word)) return { stat: 'sum', at: [t.index] };
    // "the longest stay in days": the longest of the durations.
    if (LONGEST[t.word]) return { stat: LONGEST[t.word] as 'min' | 'max', at: [t.index] };
    if (t.word === 'how' && at(r, t.index + 1)?.word === 'long') {
      // "how long do visits last", "how long does a stay take": the verb says the same.
      const verb = r.tokens.find((x) => LASTING.has(x.word) && r.free().has(x.index));
      return { stat: 'avg', at: [t.index, t.index + 1, ...(verb ? [verb.index] : [])] };
    }
  }
  return undefined;
}

/**
 * A measure of the model that names every word said of it and is kept in the unit asked, adding up
 * as asked ("average length of stay in days": the model's own average in days).
 */
function measureInUnit(r: Reading, lexicon: Lexicon, unit: AskedUnit): boolean {
  const averaging = r.tokens.some((t) => ['average', 'mean', 'avg', 'typical'].includes(t.word));
  const totals = r.tokens.some((t) => ['total', 'sum'].includes(t.word));
  // Another statistic ("max visit duration in minutes") is no measure's own figure.
  if (!averaging && !totals) return false;
  const all = new Set(r.tokens.map((t) => t.index));
  return matchMembers(r.tokens, all, lexicon, (m) => m.kind === 'measure').some(
    (m) =>
      m.completeness === 1 &&
      new RegExp(`\\b${unitName(unit.unit)}\\b|\\b${unit.unit}\\b`, 'i').test(m.target.title) &&
      m.target.aggType === (averaging ? 'avg' : 'sum'),
  );
}

/** The form in the unit asked, or the question back when it cannot be said in it. */
function unitForm(
  form: LogicalForm | Interpretation,
  lexicon: Lexicon,
  unit: AskedUnit | undefined,
): LogicalForm | Interpretation {
  if (!unit || ['form', 'clarify', 'none', 'refuse'].includes(form.kind)) return form;
  const out = inUnit(form as LogicalForm, lexicon, unit);
  return 'problem' in out ? clarify(out.problem, [`in ${unitName(unit.unit)}`]) : out;
}

/**
 * A question about one record named by its name (lookup-person.ts): the attributes asked of it, or
 * a question back when several records answer to a name typed as a name (with its digits).
 */
function recordByName(
  time: ReturnType<typeof readTime>,
  lexicon: Lexicon,
  question: string,
  now: Date,
): Interpretation | undefined {
  const r = reading(time.rest);
  const named = findNamedRecord(r, lexicon, question);
  if (!named) return undefined;
  const form = lookupByRecordName(r, lexicon, question, named);
  if (form) return finish(r, lexicon, now, time, form);
  const typed = named.parts.some((p) => p.covered.some((i) => /\d/.test(r.tokens[i]?.word ?? '')));
  if (named.ambiguous && typed) return whichRecord(lexicon, named, question, r);
  // One person named by first and last name, with no attribute of theirs asked: the records of
  // that person, read by the query path (person-records.ts).
  return !named.ambiguous && named.parts.length > 1 ? { kind: 'none' } : undefined;
}

/** A form read so far, given its period, grain and the conditions still named; or the question back. */
export function finish(
  r: Reading,
  lexicon: Lexicon,
  now: Date,
  time: ReturnType<typeof readTime>,
  form: LogicalForm | Interpretation,
): Interpretation {
  if ('kind' in form && (form.kind === 'clarify' || form.kind === 'none' || form.kind === 'form'))
    return form;
  if (form.kind === 'refuse') return form;
  const f = asDefinedFigure(r, lexicon, form as LogicalForm);

  const yearOnly = lexicon.cubes.get(f.cube)?.yearOnly === true;
  const grain = time.granularity ?? (f.kind === 'cumulative' ? f.grain : undefined);
  if (yearOnly && grain && grain !== 'year')
    return clarify(
      `Dates of ${lexicon.cubes.get(f.cube)?.title ?? f.cube} are kept to the year for you. Ask by year?`,
      [`by ${grain}`],
    );
  // A distinct count broken down where it was read (distinctOf) carries more breakdowns too.
  const breaks =
    ['distribution', 'share', 'per_entity'].includes(f.kind) ||
    (f.kind === 'aggregate' && f.groupBy !== undefined);
  // A breakdown said beside another (one read with the figure, "by class", and "for each year"):
  // both are carried, never one in place of the other.
  if (time.granularity && breaks && lexicon.cubes.get(f.cube)?.timeDimension) {
    if (f.groupBy) f.thenBy = { grain: time.granularity };
    else f.groupBy = { grain: time.granularity };
  } else if (time.granularity && f.kind !== 'cumulative')
    return clarify(
      `I can give that figure for one period, not ${time.granularity} by ${time.granularity}. Ask for one period?`,
      [`by ${time.granularity}`],
    );
  let namedDate = false;
  if (time.dateRange) {
    // "stopped in 2019": the period is of the date the condition says is recorded.
    const recorded = recordedBefore(
      lexicon,
      f.filters.filter((c) => c.op === 'is_not_null').map((c) => c.member),
      time.wordBefore,
    );
    const named = namedDates(r.tokens, r.free(), lexicon, time.dateWord).filter(
      (d) => lexicon.members.get(d.member)?.cube === f.cube,
    );
    const member = dateFor(lexicon, f.cube, named, { recorded });
    for (const d of named) if (d.member === member) r.use(d.covered);
    namedDate = named.some((d) => d.member === member);
    // "unique patients seen this year": a count of entities whose activity (meta `activity`) is in
    // the period, not of their own date: the aggregate path reads it through the activity's rows.
    if (f.kind === 'aggregate' && !namedDate && lexicon.cubes.get(f.cube)?.activity) return { kind: 'none' };
    if (!member)
      return clarify(
        `${lexicon.cubes.get(f.cube)?.title ?? f.cube} has no date to filter by. Ask without the period?`,
      );
    f.time = timeFilter(member, time.dateRange, now, lexicon.latestDate);
    if (yearOnly && !wholeYears(f.time))
      return clarify(
        `Dates of ${lexicon.cubes.get(f.cube)?.title ?? f.cube} are kept to the year for you. Ask for whole years?`,
      );
  }
  // The cube's own name ("of an encounter") is placed by the cube, unless a value holds it.
  placeOwnCube(r, lexicon, f.cube);
  // Every breakdown phrase left ("by payer", "for each class", "per encounter class"): carried by
  // the figures that break down (a running total within each group too), up to two in all.
  if (breaks || (f.kind === 'cumulative' && !f.groupBy)) {
    const said = groupingsOf(r, lexicon, f.cube).map(({ member }) => ({ member }));
    const all = [f.groupBy, f.thenBy, ...said].filter((g): g is NonNullable<typeof g> => g !== undefined);
    const most = f.kind === 'cumulative' ? 1 : 2;
    if (all.length > most)
      return clarify(
        `I can break that figure down by ${most === 1 ? 'one thing' : 'two things'} at a time, not ${all.length}: ${all.map((g) => ('member' in g ? (lexicon.members.get(g.member)?.title ?? g.member) : g.grain)).join(', ')}. Which should I leave out?`,
        all.map((g) => ('member' in g ? (lexicon.members.get(g.member)?.title ?? g.member) : g.grain)),
      );
    [f.groupBy, f.thenBy] = all;
  }
  // "number of patients with more than 10 encounters, by gender": the entities counted per value
  // of one dimension of their own.
  if (f.kind === 'threshold' && !f.list && !f.groupBy && lexicon.members.get(f.key)?.cube !== f.entity) {
    const said = groupingsOf(r, lexicon, f.entity);
    if (said.length > 1 || said.some((g) => lexicon.members.get(g.member)?.cube !== f.entity))
      return clarify('I can break that count down by one field of its own records at a time. Which one?');
    if (said[0]) f.groupBy = { member: said[0].member };
  }
  // Another cube's records named ("… for patients with prediabetes"): the words from there on are
  // theirs, read before the measured cube's own values can take one of them.
  const early = withinCohort(r, lexicon, now, f, true);
  if (early) return early;
  // Any value or flag of the cube still named filters it ("emergency", "female").
  // Words still free inside the cube's stored values ("metformin"): every value holding them.
  f.filters.push(...cubeConditions(r, lexicon, f.cube));
  // "how many medications were stopped in 2019": the period is of the date said to be recorded —
  // said after the rows, as what happened to them; "resolved conditions in 2021" (said before
  // them) are rows of 2021 that are resolved.
  if (f.time && time.dateRange && !namedDate) {
    const recorded = recordedBefore(
      lexicon,
      f.filters.filter((c) => c.op === 'is_not_null').map((c) => c.member),
      time.wordBefore,
    );
    const member = dateFor(lexicon, f.cube, [], { recorded });
    if (member && member !== f.time.member)
      f.time = timeFilter(member, time.dateRange, now, lexicon.latestDate);
  }
  const among = unplaced(r).length ? withinCohort(r, lexicon, now, f, false) : undefined;
  if (among) return among;
  const missing = [...unplaced(r), ...time.unread];
  if (missing.length) return notPlaced(missing);
  return { kind: 'form', form: f, sql: compileSql(f, lexicon), interpretation: describeForm(f, lexicon) };
}

/** Kinds whose measured rows may be kept to the records of a cohort. */
const NARROWED = new Set(['per_entity', 'aggregate', 'distribution', 'share']);

/**
 * Words left once the figure is read that say which records it is about: "visits per patient
 * among patients with asthma", "cost per patient for women", "distinct providers who saw patients
 * with diabetes". They are read as a cohort (cohort.ts) of the records the measured rows point at
 * through a key — the records named again, else the entity the figure is per or counts — and the
 * rows are kept to that cohort's records. A question back when the cohort reader asks one.
 */
function withinCohort(
  r: Reading,
  lexicon: Lexicon,
  now: Date,
  f: LogicalForm,
  /** Only when another cube is named, and only the words from its name on (before the cube's own values). */
  named: boolean,
): Interpretation | undefined {
  if (!NARROWED.has(f.kind) || f.kind === 'cohort') return undefined;
  const keys = lexicon.cubes.get(f.cube)?.keys;
  if (!keys?.size) return undefined;
  const cube = matchCubes(r.tokens, r.free(), lexicon)
    .filter((c) => keys.has(c.target.name))
    .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
  if (named && !cube) return undefined;
  const own = f.kind === 'per_entity' || f.kind === 'aggregate' ? f.entity : undefined;
  // Else the records a value names ("women": patients), else the entity the figure is per or counts.
  const valued = matchValues(r.tokens, r.free(), lexicon, (v) => keys.has(v.cube))[0]?.target.cube;
  const head = cube?.target.name ?? valued ?? (own && keys.has(own) ? own : undefined);
  if (!head) return undefined;
  // From the cube's name, with the words right before it that qualify it ("female patients").
  let start = cube ? Math.min(...cube.covered) : 0;
  for (let k = start - 1; cube && k >= 0; k--) {
    const t = at(r, k);
    if (!t || !r.free().has(k) || !isContent(t) || GENERIC.has(t.word)) break;
    start = k;
  }
  const free = r.tokens.filter((t) => !r.used.has(t.index) && t.index >= start);
  const read = readCohort(free.map((t) => t.word).join(' '), lexicon, now, { head, within: true });
  if (!read) return undefined;
  if (read.kind !== 'form') return read;
  if (read.form.kind !== 'cohort' || !('terms' in read.form)) return undefined;
  r.use(free.map((t) => t.index));
  f.within = [...(f.within ?? []), { key: keys.get(head) as string, cohort: read.form }];
  return undefined;
}

/**
 * Number columns named by the free words, best first; a column of a cube the question also names
 * (by other words: "payer coverage for medications") ranks above the same words elsewhere.
 */
export function numberColumns(
  r: Reading,
  lexicon: Lexicon,
  accept: (m: MemberEntry) => boolean = () => true,
  /** Also the words of a measure that is a plain sum of one column ("medication spend"), as that column. */
  measures = false,
): Array<Match<MemberEntry> & { cubeWords: number[] }> {
  const named = matchCubes(r.tokens, r.free(), lexicon);
  const sumOf = (m: MemberEntry) => (measures && m.sumOf ? lexicon.members.get(m.sumOf) : undefined);
  const seen = new Set<string>();
  return (
    matchMembers(
      r.tokens,
      r.free(),
      lexicon,
      // Masked numbers count as the caller sees them: the gate applies the mask to every statement.
      (m) => {
        const col = sumOf(m);
        return (
          (m.kind === 'dimension' && m.type === 'number' && accept(m)) || (col !== undefined && accept(col))
        );
      },
    )
      .map((m) => (m.target.kind === 'measure' ? { ...m, target: sumOf(m.target) as MemberEntry } : m))
      .map((m) => {
        const cube = named.find(
          (c) => c.target.name === m.target.cube && !c.covered.some((i) => m.covered.includes(i)),
        );
        // A cube named by a word of a longer value of it ("shot" of "flu shot") still names it, but
        // the value places the word.
        const inValue = cube && insideValue(r, lexicon, m.target.cube, cube.covered);
        return {
          ...m,
          score: m.score + (cube ? cube.score : 0),
          cubeWords: cube && !inValue ? cube.covered : [],
        };
      })
      // The reading of each column (by its own words or a measure's) that places the most words
      // ("base cost of procedures": the column's words and its cube's, not a measure's
      // "procedure costs" that leaves "base"), once.
      .sort((a, b) => placed(b) - placed(a) || b.score - a.score)
      .filter((m) => !seen.has(m.target.member) && Boolean(seen.add(m.target.member)))
      .sort((a, b) => b.score - a.score)
  );
}

function placed(m: { covered: number[]; cubeWords: number[] }): number {
  return new Set([...m.covered, ...m.cubeWords]).size;
}

/**
 * Number columns a statistic may be of: not a column named only by the words that name other rows
 * ("encounters" of a providers' count, in "the max start date of encounters"), unless its own
 * cube is named too.
 */
function statColumns(r: Reading, lexicon: Lexicon): ReturnType<typeof numberColumns> {
  const named = matchCubes(r.tokens, r.free(), lexicon);
  // A measure that is a column's plain sum names that column ("median medication spend").
  return numberColumns(r, lexicon, undefined, true).filter(
    (m) =>
      named.some((c) => c.target.name === m.target.cube) ||
      !named.some((c) => c.target.name !== m.target.cube && m.covered.every((i) => c.covered.includes(i))),
  );
}

/** Whether the words are all inside a longer value (or value synonym) of the cube. */
function insideValue(r: Reading, lexicon: Lexicon, cube: string, words: number[]): boolean {
  return matchValues(r.tokens, r.free(), lexicon, (v) => v.cube === cube).some(
    (v) => v.covered.length > words.length && words.every((i) => v.covered.includes(i)),
  );
}

function distribution(r: Reading, lexicon: Lexicon, stat: Stat): LogicalForm | Interpretation {
  const dates = dateStats(r, lexicon, [stat]);
  if (dates) return dates;
  const perEntity = statPerEntity(r, lexicon, [stat]);
  if (perEntity) return perEntity;
  const columns = statColumns(r, lexicon);
  // "how long", "the longest": a duration, before a number named only by the rows' own name.
  const timed = howLong(r, lexicon);
  const best = timed && !columns[0]?.target.unit ? timed : (columns[0] ?? timed);
  if (!best) {
    const words = unplaced(r);
    return clarify(
      `Which number should I take the ${stat.stat} of? ${words.length ? `I could not place ${words.map((w) => `"${w}"`).join(', ')}.` : ''}`.trim(),
      words,
    );
  }
  const tied = best === timed ? undefined : tie(columns);
  if (tied) return choices(tied);
  r.use([...best.covered, ...best.cubeWords]);
  return { kind: 'distribution', ...stat, cube: best.target.cube, value: best.target.member, filters: [] };
}

/**
 * "how long do visits last": with no number named, the one number of the rows named that the model
 * keeps in a unit of time (their duration).
 */
function howLong(r: Reading, lexicon: Lexicon): (Match<MemberEntry> & { cubeWords: number[] }) | undefined {
  const asked = r.tokens.some(
    (t) =>
      r.used.has(t.index) && ((t.word === 'how' && at(r, t.index + 1)?.word === 'long') || LONGEST[t.word]),
  );
  if (!asked) return undefined;
  const named = matchCubes(r.tokens, r.free(), lexicon)[0];
  if (!named) return undefined;
  const timed = [...lexicon.members.values()].filter(
    (m) => m.cube === named.target.name && m.kind === 'dimension' && m.type === 'number' && m.unit,
  );
  if (timed.length !== 1) return undefined;
  return {
    target: timed[0] as MemberEntry,
    covered: [],
    score: 1,
    completeness: 1,
    cubeWords: named.covered,
  };
}

/** "the earliest and latest encounter dates": the first and last date of the rows named. */
function dateStats(r: Reading, lexicon: Lexicon, list: Stat[]): LogicalForm | undefined {
  if (!list.every((s) => s.stat === 'min' || s.stat === 'max')) return undefined;
  // A date of the rows named ("encounter dates"), never a date of another cube that reads the same.
  const named = new Set(matchCubes(r.tokens, r.free(), lexicon).map((c) => c.target.name));
  const time = matchMembers(r.tokens, r.free(), lexicon, (m) => m.kind === 'time' && !m.masked).find(
    (m) => m.completeness === 1 && (!named.size || named.has(m.target.cube)),
  );
  // A date word ("dates", "when"), or a date column named whole ("birthdate", "start date" whose
  // "date" the time reader took) when no number column is named by more of the words. A date
  // word already placed ("in days": a unit) asks for no date.
  const dateWord = r.tokens.some((t) => DATE_WORDS.has(t.word) && r.free().has(t.index));
  const column = statColumns(r, lexicon)[0];
  if (!dateWord && !(time && (!column || column.covered.length < time.covered.length))) return undefined;
  const cube = time?.target.cube ?? matchCubes(r.tokens, r.free(), lexicon)[0]?.target.name;
  const member = time?.target.member ?? (cube ? lexicon.cubes.get(cube)?.timeDimension : undefined);
  if (!cube || !member || lexicon.cubes.get(cube)?.yearOnly) return undefined;
  if (time) r.use(time.covered);
  r.use(r.tokens.filter((t) => DATE_WORDS.has(t.word)).map((t) => t.index));
  const [first, ...also] = list as [Stat, ...Stat[]];
  return { kind: 'distribution', ...first, also, cube, value: member, filters: [] };
}

/** Several statistics of one number column ("min and max claim cost"), or counts beside them. */
function statistics(
  r: Reading,
  lexicon: Lexicon,
  stats: Array<Stat & { at: number[] }>,
): LogicalForm | Interpretation {
  r.use(stats.flatMap((s) => s.at));
  const list: Stat[] = stats.map(({ at: _at, ...s }) => s as Stat);
  const dates = dateStats(r, lexicon, list);
  if (dates) return dates;
  const perEntity = statPerEntity(r, lexicon, list);
  if (perEntity) return perEntity;
  const columns = statColumns(r, lexicon);
  const best = columns[0];
  if (!best) {
    const words = unplaced(r);
    return clarify(
      `Which number should I take those figures of? ${words.length ? `I could not place ${words.map((w) => `"${w}"`).join(', ')}.` : ''}`.trim(),
      words,
    );
  }
  const tied = tie(columns);
  if (tied) return choices(tied);
  r.use([...best.covered, ...best.cubeWords]);
  const [first, ...also] = list as [Stat, ...Stat[]];
  return {
    kind: 'distribution',
    ...first,
    also,
    cube: best.target.cube,
    value: best.target.member,
    filters: [],
  };
}

/**
 * A statistic of a column whose words name a measure the model defines as a statistic of that
 * column over some rows (meta `statistic_of`): "median length of stay", "length of stay in hours"
 * are taken over the rows the average length of stay is, in its unit unless another is asked, so
 * every statistic said in the measure's words is of one figure (and the interpretation names the
 * rows). The measure's words are read in the whole question: the column took some of them.
 */
function asDefinedFigure(r: Reading, lexicon: Lexicon, f: LogicalForm): LogicalForm {
  if (f.kind !== 'distribution' || !f.value || f.per) return f;
  const column = lexicon.members.get(f.value);
  const all = new Set(r.tokens.map((t) => t.index));
  const figure = matchMembers(
    r.tokens,
    all,
    lexicon,
    (m) => m.kind === 'measure' && m.statisticOf?.member === f.value,
  ).find((m) => m.completeness === 1);
  const where = figure?.target.statisticOf?.where;
  if (!figure || !where) return f;
  r.use(figure.covered);
  const unit = f.unit ?? unitConversion(column?.unit, figure.target.unit);
  const filters = [...f.filters, ...where.filter((c) => !f.filters.some((x) => x.member === c.member))];
  return { ...f, filters, ...(unit && column?.unit !== figure.target.unit ? { unit } : {}) };
}

export function choices(tied: Array<Match<MemberEntry>>): Interpretation {
  return clarify(
    'That could mean more than one thing. Which did you mean?',
    [],
    tied.map((m) => {
      const cube = m.target.cube;
      return { label: `${m.target.title} (${cube})`, question: `${m.target.title} of ${cube}` };
    }),
  );
}

/** "a claim cost above 1000": the number column named next to the comparison, as a condition. */
function numericCondition(
  r: Reading,
  lexicon: Lexicon,
  t: { op: Op; n: number },
  cube?: string,
): { condition: Condition; cube: string; words: string[]; covered: number[] } | undefined {
  const cols = numberColumns(r, lexicon, (m) => !cube || m.cube === cube);
  // A column named only by the words that name a cube ("covered immunizations" of a payer, for
  // "immunizations costing over 150") is not the figure compared when another names more.
  const cubeWords = new Set(matchCubes(r.tokens, r.free(), lexicon).flatMap((c) => c.covered));
  // A number compared is placed on a column by words of the column's own, never by default.
  const first = cols.find((c) => c.covered.some((i) => !cubeWords.has(i)));
  if (!first || t.op === 'eq') return undefined;
  // The same words name columns of several records ("encounters that cost over 1000": a cost of
  // immunizations, of encounters…): those of the records named; several of theirs still alike
  // ("base" or "total claim" cost) are no choice made here — nothing is placed, the answer asks.
  const named = new Set(
    matchCubes(r.tokens, new Set(r.tokens.map((x) => x.index)), lexicon).map((c) => c.target.name),
  );
  // (A column of the records named may take their name's word too: "encounters cost".)
  const own = cols.filter(
    (c) => named.has(c.target.cube) && first.covered.every((i) => c.covered.includes(i)),
  );
  // Of the records named, several columns alike are no choice made here: nothing is placed.
  const top = own[0];
  const pool = own.filter((c) => top !== undefined && c.score >= top.score * 0.95);
  if (new Set(pool.map((c) => c.target.member)).size > 1) return undefined;
  const col = top ?? first;
  r.use(col.covered);
  return {
    condition: { member: col.target.member, op: t.op, value: t.n },
    cube: col.target.cube,
    words: col.covered.map((i) => at(r, i)?.word ?? ''),
    covered: col.covered,
  };
}

function shareOf(
  r: Reading,
  lexicon: Lexicon,
  word: number,
  threshold?: { op: Op; n: number },
): LogicalForm | Interpretation {
  if (threshold) {
    const named = matchCubes(r.tokens, r.free(), lexicon)[0];
    const numeric = numericCondition(r, lexicon, threshold, named?.target.name);
    if (!numeric) return notPlaced(unplaced(r));
    return { kind: 'share', cube: numeric.cube, condition: numeric.condition, filters: [] };
  }
  // "share of total claim cost from inpatient stays", "% of claim cost by setting": a part of a
  // column's sum, when a number column is named right after the share word.
  const value = shareValue(r, lexicon, word);
  if (value) {
    r.use([...value.covered, ...value.cubeWords]);
    // "… comes from", "… is accounted for by", "… spent on": how a part of a sum is said.
    r.use(r.tokens.filter((t) => PART_OF_SUM.has(t.word)).map((t) => t.index));
  }
  const named = matchCubes(r.tokens, r.free(), lexicon);
  const base = value
    ? named.find((c) => c.target.name === value.target.cube)
    : // The rows named first after the share word ("share of encounters by payer": encounters).
      (matchCubes(r.tokens, new Set([...r.free()].filter((i) => i > word)), lexicon).sort(
        (a, b) => Math.min(...a.covered) - Math.min(...b.covered),
      )[0] ?? named[0]);
  let cube = value?.target.cube ?? base?.target.name;
  if (!cube) {
    // "what percentage are female": the cube of the value named.
    const v = matchValues(r.tokens, r.free(), lexicon, () => true)[0];
    cube = v?.target.cube;
  }
  if (!cube) return notPlaced(unplaced(r));
  if (base) r.use(base.covered);
  // "what fraction of medication cost did payers cover": another number column of the same rows
  // is the part, summed over the whole's sum.
  const part = value
    ? numberColumns(r, lexicon, (m) => m.cube === value.target.cube && m.member !== value.target.member).find(
        (m) => m.completeness === 1 || (m.completeness >= 0.5 && m.covered.length >= 2),
      )
    : undefined;
  if (value && part) {
    r.use([...part.covered, ...part.cubeWords]);
    for (;;) {
      const again = matchCubes(r.tokens, r.free(), lexicon).find((m) => m.target.name === cube);
      if (!again) break;
      r.use(again.covered);
    }
    return {
      kind: 'share',
      cube,
      value: value.target.member,
      part: part.target.member,
      filters: conditionsIn(r, lexicon, cube).map((c) => c.condition),
    };
  }
  // The cube named again ("allergies that are food allergies") is the cube, not one of its values.
  for (;;) {
    const again = matchCubes(r.tokens, r.free(), lexicon).find((m) => m.target.name === cube);
    if (!again) break;
    r.use(again.covered);
  }
  const after = base ? Math.max(...base.covered) : word;
  const own = conditionsIn(r, lexicon, cube);
  // A value of the records the rows point at is the share's condition only when the rows' own
  // values name none ("… were inpatient among women": women is whom the share is of, read later).
  const found = own.some((c) => c.at.some((i) => i > after))
    ? own
    : [...own, ...pointedAtValues(r, lexicon, cube)];
  const numerator = found.filter((c) => c.at.some((i) => i > after));
  const filters = found.filter((c) => !numerator.includes(c)).map((c) => c.condition);
  const condition =
    numerator[0] ?? (filters.length === found.length && found.length === 1 ? found[0] : undefined);
  if (!condition) {
    // "percentage of encounters by class", "breakdown of patients by race in percent": each
    // group's part of the whole.
    // "… by payer and class": each pair's part of the whole; a second breakdown said apart ("… by
    // class for each year") is read later, each group's part of its whole.
    const [group, also] = groupingsOf(r, lexicon, cube);
    if (group) {
      // "break down", "broken down": the parts of the whole said as a verb.
      const parts = r.tokens.filter(
        (t) =>
          COMPOSITION.has(t.word) ||
          (['break', 'broken', 'breaking'].includes(t.word) && at(r, t.index + 1)?.word === 'down') ||
          (t.word === 'down' && ['break', 'broken', 'breaking'].includes(at(r, t.index - 1)?.word ?? '')),
      );
      r.use(parts.map((t) => t.index));
      // "payer mix … by payer": the breakdown said again before the word for its parts.
      const owner = lexicon.members.get(group.member)?.cube;
      for (const p of parts) {
        const before = new Set([p.index - 1].filter((i) => r.free().has(i)));
        const again =
          matchCubes(r.tokens, before, lexicon).some((c) => c.target.name === owner) ||
          matchMembers(r.tokens, before, lexicon, (m) => m.member === group.member).length > 0;
        if (again) r.use([...before]);
      }
      return {
        kind: 'share',
        cube,
        value: value?.target.member,
        filters: found.map((c) => c.condition),
        groupBy: { member: group.member },
        ...(also
          ? { thenBy: { member: also.member }, ...(also.joined ? { whole: 'all' as const } : {}) }
          : {}),
      };
    }
    const words = unplaced(r);
    return clarify(
      `A share of ${lexicon.cubes.get(cube)?.title ?? cube} that are what? ${words.length ? `I could not place ${words.map((w) => `"${w}"`).join(', ')}.` : ''}`.trim(),
      words,
    );
  }
  if (numerator.length > 1)
    return clarify('Which condition should the share be of? Ask about one at a time.');
  return {
    kind: 'share',
    cube,
    condition: condition.condition,
    value: value?.target.member,
    filters: filters.filter((f) => f !== condition.condition),
  };
}

/**
 * Stored values (or the model's value synonyms) of a cube the measured rows point at through a key:
 * "share of visits at Harbor View Practice" (a site's name), "encounters with no insurance" (a
 * payer's). Each is a condition on that cube's member, compiled through the key; the cube's own
 * name said with the value ("payer Medicaid") is placed with it.
 */
function pointedAtValues(
  r: Reading,
  lexicon: Lexicon,
  cube: string,
): Array<{ condition: Condition; at: number[] }> {
  const keys = lexicon.cubes.get(cube)?.keys;
  if (!keys?.size) return [];
  const out: Array<{ condition: Condition; at: number[] }> = [];
  for (;;) {
    const v = matchValues(
      r.tokens,
      r.free(),
      lexicon,
      (x) =>
        x.cube !== cube && keys.has(x.cube) && !x.local && lexicon.members.get(x.member)?.masked !== true,
    )[0];
    if (!v) break;
    r.use(v.covered);
    const same = out.find((o) => o.condition.member === v.target.member && o.condition.op === 'in');
    if (same && same.condition.op === 'in') {
      if (!same.condition.values.includes(v.target.value)) same.condition.values.push(v.target.value);
      same.at.push(...v.covered);
    } else
      out.push({ condition: { member: v.target.member, op: 'in', values: [v.target.value] }, at: v.covered });
  }
  // "payer Medicaid", "where the payer was NO_INSURANCE": the value's cube named says whose it is.
  for (const o of out) {
    const owner = lexicon.members.get(o.condition.member)?.cube;
    const named = matchCubes(r.tokens, r.free(), lexicon).find((c) => c.target.name === owner);
    if (named) r.use(named.covered);
  }
  return out;
}

/** Verbs that say where a part of a sum goes or comes from. */
const PART_OF_SUM = new Set(
  'come comes came coming account accounts accounted attributable attributed due spent spend go goes went going belongs make makes up'.split(
    ' ',
  ),
);

/** A share broken down into the parts of a whole, fully read; undefined otherwise. */
function composition(
  time: ReturnType<typeof readTime>,
  lexicon: Lexicon,
  now: Date,
): Interpretation | undefined {
  const r = reading(time.rest);
  const word = findShare(r);
  if (word === undefined) return undefined;
  r.use(shareWords(r));
  const f = shareOf(r, lexicon, word);
  if ('kind' in f && f.kind === 'share' && !f.condition && f.groupBy) {
    const done = finish(r, lexicon, now, time, f);
    if (done.kind === 'form') return done;
  }
  return undefined;
}

/** Words that make a cohort's "never", "without" reading. */
const NEGATION = new Set(['no', 'not', 'non', 'never', 'without', 'none']);

/**
 * A share whose every negation word is part of a value it placed ("no insurance", "non-smoker"),
 * fully read; undefined when a negation word is left for the cohort reader, or nothing reads.
 */
function negatedValueShare(
  time: ReturnType<typeof readTime>,
  lexicon: Lexicon,
  now: Date,
): Interpretation | undefined {
  const r = reading(time.rest);
  const negations = r.tokens.filter((t) => NEGATION.has(t.word)).map((t) => t.index);
  const word = findShare(r);
  if (!negations.length || word === undefined) return undefined;
  r.use(shareWords(r));
  const f = shareOf(r, lexicon, word);
  if (!('kind' in f) || f.kind !== 'share' || !f.condition || !negations.every((i) => r.used.has(i)))
    return undefined;
  const done = finish(r, lexicon, now, time, f);
  return done.kind === 'form' ? done : undefined;
}

/** Words that ask for the parts of a whole, placed by a share broken down. */
const COMPOSITION = new Set(['breakdown', 'split', 'mix', 'distribution', 'composition', 'makeup']);

/**
 * The number column a share is of: named whole, after the share word ("share of total claim
 * cost …"), and not only the name of the rows counted ("share of encounters" counts them).
 */
function shareValue(
  r: Reading,
  lexicon: Lexicon,
  word: number,
): (Match<MemberEntry> & { cubeWords: number[] }) | undefined {
  const cubeWord = (i: number) => matchCubes(r.tokens, new Set([i]), lexicon).length > 0;
  const fit = numberColumns(r, lexicon).filter(
    (m) =>
      (m.completeness === 1 || (m.completeness >= 0.5 && m.covered.length >= 2)) &&
      Math.min(...m.covered) > word &&
      // A word of its own beside the names of rows ("claim cost"), not only those names
      // ("encounters", "visits": a count kept as a column elsewhere).
      m.covered.some((i) => !cubeWord(i)),
  );
  // Said together, nearest after the share word ("fraction of medication total cost … payers
  // cover": the cost, not a column whose words are scattered through the question).
  const together = (m: Match<MemberEntry>) =>
    Math.max(...m.covered) - Math.min(...m.covered) <= m.covered.length;
  return (
    fit
      .filter(together)
      .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered) || b.score - a.score)[0] ?? fit[0]
  );
}

/** A measure whose words cover the operator and every word of the column it would apply to. */
function definedByModel(r: Reading, lexicon: Lexicon, words: number[], column: number[]): boolean {
  const all = new Set(r.tokens.map((t) => t.index));
  return matchMembers(r.tokens, all, lexicon, (m) => m.kind === 'measure').some(
    (m) =>
      m.completeness === 1 &&
      m.covered.some((i) => words.includes(i)) &&
      column.every((i) => m.covered.includes(i)),
  );
}

function perEntity(
  r: Reading,
  lexicon: Lexicon,
  entity: CubeEntry,
  /** Where "per" (or "each", "average") is: the rows counted are named nearest before it. */
  perAt: number,
): LogicalForm | Interpretation {
  const keyed = matchCubes(r.tokens, r.free(), lexicon).filter((c) => c.target.keys.has(entity.name));
  const before = keyed
    .filter((c) => Math.max(...c.covered) < perAt)
    .sort((a, b) => Math.max(...b.covered) - Math.max(...a.covered))[0];
  const measured = before ?? keyed[0];
  const through = kindsThrough(r, lexicon, entity);
  if (through) return through;
  // "claim cost per encounter", "expenses per patient": a column of the entity's own rows is a
  // plain average, which the semantic query path answers — unless its words are the name of the
  // related rows counted ("encounters per provider").
  const own = numberColumns(r, lexicon, (m) => m.cube === entity.name)[0];
  if (own && !own.covered.every((i) => measured?.covered.includes(i))) {
    // …unless the question keeps it to records of another cube the rows point at ("per encounter
    // for female patients"), which only the reading here keeps to: the plain average, narrowed.
    const keys = lexicon.cubes.get(entity.name)?.keys;
    const BREAK = ['by', 'each', 'per', 'across', 'every'];
    const other = matchCubes(r.tokens, r.free(), lexicon).find(
      (c) =>
        keys?.has(c.target.name) &&
        !c.covered.some((i) => own.covered.includes(i)) &&
        !BREAK.includes(at(r, Math.min(...c.covered) - 1)?.word ?? ''),
    );
    if (!other) return { kind: 'none' };
    r.use([...own.covered, ...own.cubeWords]);
    return { kind: 'distribution', stat: 'avg', cube: entity.name, value: own.target.member, filters: [] };
  }
  const cubeWords = new Set(matchCubes(r.tokens, r.free(), lexicon).flatMap((c) => c.covered));
  const values = numberColumns(
    r,
    lexicon,
    (m) => lexicon.cubes.get(m.cube)?.keys.has(entity.name) === true,
  ).filter(
    (m) =>
      !m.covered.every((i) => measured?.covered.includes(i)) &&
      // "number of claims" counts claims: a column named only in part right after counting words
      // ("claims" of "total claim cost") is not what is counted.
      !(m.completeness < 1 && COUNTING.has(at(r, Math.min(...m.covered) - 1)?.word ?? '')) &&
      // Nor a column named in part only by words that name rows ("medication" of a medication's
      // cost in "… among patients with any medication for diabetes").
      !(m.completeness < 1 && m.covered.every((i) => cubeWords.has(i))),
  );
  const value = values[0];
  const tied = tie(values);
  if (tied) return choices(tied);
  // "average length of stay per hospital": a figure of one row, never added up over an entity's
  // rows (meta `additive: false`), is each entity's average — a breakdown by the entity.
  if (value?.target.additive === false) return averageByEntity(r, lexicon, entity, value, measured);
  const cube = value?.target.cube ?? measured?.target.name;
  if (!cube) {
    const words = unplaced(r);
    return clarify(
      `What should I count per ${entity.title.toLowerCase()}? ${words.length ? `I could not place ${words.map((w) => `"${w}"`).join(', ')}.` : ''}`.trim(),
      words,
    );
  }
  if (value) r.use([...value.covered, ...value.cubeWords]);
  // "distinct medications per patient": the kinds of rows each entity has, not its rows.
  const distinct = value ? undefined : distinctRows(r, lexicon, measured);
  if (measured && measured.target.name === cube) r.use(measured.covered);
  const key = lexicon.cubes.get(cube)?.keys.get(entity.name) as string;
  return {
    kind: 'per_entity',
    cube,
    key,
    entity: entity.name,
    value: value?.target.member,
    ...(distinct ? { distinct } : {}),
    filters: [],
  };
}

/**
 * "different providers per patient", "distinct payers per patient": records of another kind that
 * rows link the entity to — the one cube keyed to both (a visit names its patient and its
 * provider) — counted once each per entity. A question back when several cubes link them.
 */
function kindsThrough(
  r: Reading,
  lexicon: Lexicon,
  entity: CubeEntry,
): LogicalForm | Interpretation | undefined {
  for (const d of r.tokens) {
    if (!DISTINCT.has(d.word) || !r.free().has(d.index)) continue;
    const near = new Set([d.index + 1, d.index + 2, d.index + 3].filter((i) => r.free().has(i)));
    const kind = matchCubes(r.tokens, near, lexicon).find(
      (c) =>
        Math.min(...c.covered) <= d.index + 3 &&
        c.target.name !== entity.name &&
        c.target.primaryKey !== undefined &&
        !c.target.keys.has(entity.name),
    );
    if (!kind) continue;
    const links = [...lexicon.cubes.values()].filter(
      (c) =>
        c.name !== entity.name &&
        c.name !== kind.target.name &&
        c.keys.has(entity.name) &&
        c.keys.has(kind.target.name),
    );
    if (!links.length) continue;
    // "… through encounters", "… in their encounters": the linking rows named choose among several.
    const said = matchCubes(r.tokens, r.free(), lexicon).filter((c) =>
      links.some((l) => l.name === c.target.name),
    );
    if (said.length === 1)
      links.splice(0, links.length, ...links.filter((l) => l.name === said[0]?.target.name));
    if (links.length > 1)
      return clarify(
        `${kind.target.title} are linked to ${entity.title.toLowerCase()} through ${links.map((c) => c.title.toLowerCase()).join(' and ')}. Through which?`,
        [],
      );
    const link = links[0] as CubeEntry;
    // "kinds of", "types of" between them say the same.
    const between = r.tokens
      .filter(
        (t) =>
          t.index > d.index &&
          t.index < Math.min(...kind.covered) &&
          ['kinds', 'kind', 'types', 'type', 'of'].includes(t.word),
      )
      .map((t) => t.index);
    r.use([d.index, ...between, ...kind.covered]);
    // The linking rows named too ("providers seen in encounters") are those rows.
    const again = matchCubes(r.tokens, r.free(), lexicon).find((c) => c.target.name === link.name);
    if (again) r.use(again.covered);
    return {
      kind: 'per_entity',
      cube: link.name,
      key: link.keys.get(entity.name) as string,
      entity: entity.name,
      distinct: link.keys.get(kind.target.name) as string,
      filters: [],
    };
  }
  return undefined;
}

/**
 * "distinct medications", "different conditions": a word of distinctness said just before the rows
 * named asks for the kinds of those rows (their label, else their key), placed here.
 */
export function distinctRows(
  r: Reading,
  lexicon: Lexicon,
  rows: Match<CubeEntry> | undefined,
): string | undefined {
  if (!rows) return undefined;
  const first = Math.min(...rows.covered);
  const word = r.tokens.find(
    (t) => DISTINCT.has(t.word) && r.free().has(t.index) && t.index < first && first - t.index <= 3,
  );
  const c = lexicon.cubes.get(rows.target.name);
  const member = c?.label ?? c?.primaryKey;
  if (!word || !member) return undefined;
  r.use([word.index]);
  // "kinds of", "types of" between them say the same.
  r.use(
    r.tokens
      .filter(
        (t) =>
          t.index > word.index &&
          t.index < first &&
          ['kinds', 'kind', 'types', 'type', 'of'].includes(t.word),
      )
      .map((t) => t.index),
  );
  return member;
}

/** Words right before what is counted: "number of claims", "how many claims". */
const COUNTING = new Set(['of', 'many', 'count']);

/** Each entity's average of a row figure: the entity by its label (a name), else by its key. */
function averageByEntity(
  r: Reading,
  lexicon: Lexicon,
  entity: CubeEntry,
  value: Match<MemberEntry> & { cubeWords: number[] },
  measured: Match<CubeEntry> | undefined,
): LogicalForm | Interpretation {
  // A measure of the model named with its averaging word ("average length of stay") is the model's
  // own average: the semantic query path breaks it down by the entity.
  const averaging = r.tokens.filter((t) => ['average', 'mean', 'avg', 'typical'].includes(t.word));
  if (
    definedByModel(
      r,
      lexicon,
      averaging.map((t) => t.index),
      value.covered,
    )
  )
    return { kind: 'none' };
  const cube = value.target.cube;
  const label = entity.label ? lexicon.members.get(entity.label) : undefined;
  const key = lexicon.cubes.get(cube)?.keys.get(entity.name);
  const by = label && !label.masked && label.phi !== 'direct' ? label.member : key;
  if (!by) return notPlaced([`per ${entity.title.toLowerCase()}`]);
  r.use([...value.covered, ...value.cubeWords]);
  if (measured?.target.name === cube) r.use(measured.covered);
  return {
    kind: 'distribution',
    stat: 'avg',
    cube,
    value: value.target.member,
    groupBy: { member: by },
    filters: [],
  };
}

function thresholdOf(
  r: Reading,
  lexicon: Lexicon,
  t: Threshold,
  question: string,
  /** The question as typed ("100 times" may be read away before). */
  asked = question,
): LogicalForm | Interpretation {
  const figure = figureThreshold(r, lexicon, t, question);
  if (figure) return figure;
  const end = Math.max(...t.at);
  const named = matchCubes(r.tokens, r.free(), lexicon);
  const counted = named.find((c) => c.covered.every((i) => i > end));
  const entity = named.find(
    (c) => c.covered.every((i) => i < t.at[0]!) && counted?.target.keys.has(c.target.name),
  );
  const kinds = !entity ? kindsThreshold(r, t, named, counted, question, asked) : undefined;
  if (kinds) return kinds;
  // "prescribed more than 100 times" is how often, never a figure of a row.
  if (!counted && saysTimes(r, t, asked)) return notPlaced(unplaced(r).length ? unplaced(r) : ['times']);
  if (!counted) {
    // "encounters with a claim cost over 1000", "patients who had a visit costing more than 10000".
    const numeric = numericCondition(r, lexicon, t);
    if (!numeric) return notPlaced(unplaced(r).length ? unplaced(r) : [`more than ${t.n}`]);
    const by = named.find(
      (c) => c.target.name !== numeric.cube && lexicon.cubes.get(numeric.cube)?.keys.has(c.target.name),
    );
    // "patients with more than 100 dispenses": a number of the entity's rows' column, the rows never
    // named — one row over it, or the rows added up? Asked back ("a single prescription with …" is
    // one row's; "… in total" their sum).
    if (
      by &&
      !named.some((c) => c.target.name === numeric.cube) &&
      Math.min(...numeric.covered) > end &&
      t.op !== 'eq'
    ) {
      const rows = (lexicon.cubes.get(numeric.cube)?.title ?? numeric.cube).toLowerCase();
      const column = numeric.words.join(' ');
      const entity = by.target.title.toLowerCase();
      return clarify(
        `Do you mean ${entity} with a single one of their ${rows} over ${t.n} ${column}, or ${entity} whose ${column} add up to over ${t.n} in total?`,
        [],
      );
    }
    if (by) r.use(by.covered);
    // "average age of patients over 65": a figure of the rows over the bound, not their number —
    // not read here, so asked back rather than counted.
    const figure = r.tokens.find(
      (x) => r.free().has(x.index) && AVERAGING.has(x.word) && !numeric.covered.includes(x.index),
    );
    if (figure) return notPlaced([figure.word]);
    const { member } = numeric.condition as { member: string };
    const upTo: Condition[] = t.and ? [{ member, op: t.and.op, value: t.and.n }] : [];
    return {
      kind: 'aggregate',
      cube: numeric.cube,
      distinct: by ? lexicon.cubes.get(numeric.cube)?.keys.get(by.target.name) : undefined,
      entity: by?.target.name,
      // "encounters costing over 10000", "which patients had a visit over 10000": the records
      // (or the entities) themselves, unless a counting word asks how many.
      // The column's own words ("total claim cost") ask for no total.
      list: listed(
        numeric.words.reduce((q, w) => (w ? q.replace(new RegExp(`\\b${w}\\b`, 'gi'), ' ') : q), question),
      ),
      filters: [numeric.condition, ...upTo],
    };
  }
  // "at least 10 distinct diagnoses": each entity's different kinds of the counted rows (their
  // label), not its rows; "distinct" said before the entity ("distinct patients with …") counts
  // entities, once each anyway.
  const distinctWord = r.tokens.find(
    (x) => DISTINCT.has(x.word) && x.index > end && x.index < Math.min(...counted.covered),
  );
  const list = listed(question);
  const and = t.and ? { and: t.and } : {};
  if (!entity) {
    // "payers with more than 20 patients": the counted records reached through rows that point
    // at both (the counted cube's activity first), each counted once per entity.
    const owner = named.find(
      (c) => c.covered.every((i) => i < t.at[0]!) && c.target.name !== counted.target.name,
    );
    const through = owner && bridgeOf(lexicon, owner.target.name, counted.target.name);
    if (!owner || !through) return notPlaced(unplaced(r).length ? unplaced(r) : [`more than ${t.n}`]);
    if (through.kind !== 'bridge') return through;
    const countedWords = insideValue(r, lexicon, counted.target.name, counted.covered) ? [] : counted.covered;
    r.use([...countedWords, ...owner.covered, ...(distinctWord ? [distinctWord.index] : [])]);
    return {
      kind: 'threshold',
      cube: through.cube,
      entity: owner.target.name,
      key: through.key,
      distinct: through.counted,
      op: t.op,
      n: t.n,
      ...and,
      list,
      filters: [],
    };
  }
  // "at least 10 flu shots": "shots" names the counted rows, but the value "flu shot" places it.
  const countedWords = insideValue(r, lexicon, counted.target.name, counted.covered) ? [] : counted.covered;
  r.use([...countedWords, ...entity.covered, ...(distinctWord ? [distinctWord.index] : [])]);
  const kindsOf = distinctWord ? counted.target.label : undefined;
  if (distinctWord && !kindsOf) return notPlaced([distinctWord.word]);
  // "distinct condition descriptions": the label's own words, said right after the counted rows.
  if (kindsOf) {
    const after = Math.max(...counted.covered) + 1;
    const said = matchMembers(r.tokens, r.free(), lexicon, (m) => m.member === kindsOf).find(
      (m) => m.completeness === 1 && Math.min(...m.covered) === after,
    );
    if (said) r.use(said.covered);
  }
  return {
    kind: 'threshold',
    cube: counted.target.name,
    entity: entity.target.name,
    key: counted.target.keys.get(entity.target.name) as string,
    distinct: kindsOf,
    op: t.op,
    n: t.n,
    ...and,
    list,
    filters: [],
  };
}

/** "more than 100 times": how often, a count of rows (the period reader may have taken the word). */
function saysTimes(r: Reading, t: Threshold, asked: string): boolean {
  if (['times', 'time'].includes(at(r, Math.max(...t.at) + 1)?.word ?? '')) return true;
  return /\b\d[\d,]*\s+times\b/i.test(asked);
}

/**
 * Kinds of records (a cube's descriptive label) compared on how often they occur: "drugs
 * prescribed more than 100 times" (their rows), "conditions with at least 20 different patients"
 * (the distinct records their rows point at).
 */
function kindsThreshold(
  r: Reading,
  t: Threshold,
  named: Array<Match<CubeEntry>>,
  counted: Match<CubeEntry> | undefined,
  question: string,
  asked: string,
): LogicalForm | undefined {
  const end = Math.max(...t.at);
  const times = saysTimes(r, t, asked);
  if (!times && !counted) return undefined;
  const kinds = named.find(
    (c) =>
      c.covered.every((i) => i < t.at[0]!) &&
      c.target.label?.endsWith('.description') &&
      (times ? !counted : counted !== undefined && c.target.keys.has(counted.target.name)),
  );
  if (!kinds) return undefined;
  const label = kinds.target.label as string;
  const through = counted ? kinds.target.keys.get(counted.target.name) : undefined;
  const distinctWord = r.tokens.find((x) => DISTINCT.has(x.word) && x.index > end);
  r.use([
    ...kinds.covered,
    ...(counted?.covered ?? []),
    ...(times ? [end + 1] : []),
    ...(distinctWord ? [distinctWord.index] : []),
  ]);
  return {
    kind: 'threshold',
    cube: kinds.target.name,
    entity: kinds.target.name,
    key: label,
    distinct: through,
    op: t.op,
    n: t.n,
    ...(t.and ? { and: t.and } : {}),
    list: listed(question),
    filters: [],
  };
}

/**
 * The rows through which an entity reaches records of another cube that do not point at it
 * ("payers with more than 20 patients": rows keyed to both): the counted cube's own activity
 * (meta `activity`) when it is one, else the one cube keyed to both; several ask back.
 */
function bridgeOf(
  lexicon: Lexicon,
  entity: string,
  counted: string,
): { kind: 'bridge'; cube: string; key: string; counted: string } | Interpretation | undefined {
  const both = [...lexicon.cubes.values()].filter(
    (c) => c.name !== entity && c.name !== counted && c.keys.has(entity) && c.keys.has(counted),
  );
  const activity = lexicon.cubes.get(counted)?.activity;
  const pick = both.find((c) => c.name === activity) ?? (both.length === 1 ? both[0] : undefined);
  if (pick)
    return {
      kind: 'bridge',
      cube: pick.name,
      key: pick.keys.get(entity) as string,
      counted: pick.keys.get(counted) as string,
    };
  if (!both.length) return undefined;
  const what = lexicon.cubes.get(counted)?.title.toLowerCase() ?? counted;
  return clarify(
    `${lexicon.cubes.get(entity)?.title ?? entity} reach ${what} through ${both.map((c) => c.title.toLowerCase()).join(', ')}. Through which records should I count them?`,
  );
}

/** Words that add up or average a column over an entity's rows ("average claim cost", "total cost"). */
const FIGURE_AGG: Record<string, 'sum' | 'avg'> = {
  average: 'avg',
  avg: 'avg',
  mean: 'avg',
  total: 'sum',
  sum: 'sum',
  summed: 'sum',
  combined: 'sum',
  overall: 'sum',
  cumulative: 'sum',
};

/**
 * "providers whose average claim cost is over 4000", "patients with more than 10000 in total
 * claim costs": entities (named before the figure, pointed at by the column's rows) whose total or
 * average of a number column over their rows meets the comparison — listed with the figure, or
 * counted. A figure said of one row ("a visit costing over 1000") is left to the row reading.
 */
function figureThreshold(
  r: Reading,
  lexicon: Lexicon,
  t: Threshold,
  question: string,
): LogicalForm | undefined {
  if (t.op === 'eq') return undefined;
  const word = (i: number) => at(r, i)?.word ?? '';
  const end = Math.max(...t.at);
  const named = matchCubes(r.tokens, r.free(), lexicon);
  // The column the words name best; one named only in part ("total … cost") is not another reading.
  for (const col of numberColumns(r, lexicon).slice(0, 1)) {
    // Where the column's own words start (a cube's name matched with them is not one of them).
    const own = col.covered.filter(
      (i) =>
        !named.some((c) => c.covered.includes(i)) &&
        !matchCubes(r.tokens, new Set([i]), lexicon).some((c) => c.target.name === col.target.cube),
    );
    const first = Math.min(...(own.length ? own : col.covered));
    // Adding-up words before the column ("summed total cost", "average total cost": the outermost
    // says how), else the column's own first word ("total claim cost").
    const said: number[] = [];
    for (let j = first - 1; j >= 0; j--) {
      // The column's own words said before (a cube's name among them: "claim" of claim cost).
      if (col.covered.includes(j)) continue;
      if (FIGURE_AGG[word(j)]) said.push(j);
      else if (!['the', 'their', 'its', 'his', 'her', 'of', 'in'].includes(word(j))) break;
    }
    let k = said.at(-1) ?? first;
    let agg = FIGURE_AGG[word(k)];
    // "more than 10000 in claim costs": an amount of the column, its total.
    if (!agg && first > end && first - end <= 3 && ['in', 'of', 'worth'].includes(word(end + 1))) {
      agg = 'sum';
      k = first;
    }
    // "more than 100 dispenses in total", "a total of more than 100 dispenses", "… altogether":
    // the column added up over each entity's rows, not a condition on one row.
    if (!agg && first > end && first - end <= 2) {
      const last = Math.max(...col.covered);
      const s = t.at[0] as number;
      const tail =
        word(last + 1) === 'in' && ['total', 'all'].includes(word(last + 2))
          ? [last + 1, last + 2]
          : ['altogether', 'combined', 'overall'].includes(word(last + 1))
            ? [last + 1]
            : [];
      const head = word(s - 1) === 'of' && ['total', 'sum'].includes(word(s - 2)) ? [s - 2, s - 1] : [];
      if (tail.length || head.length) {
        agg = 'sum';
        k = head[0] ?? first;
        said.push(...tail, ...head);
      }
    }
    if (!agg) continue;
    const cube = col.target.cube;
    // "an encounter with a total claim cost over 5000": the column's own word, said of one of the
    // rows named, is that row's figure; "payers with a total claim cost over …" is theirs.
    const rowsNamed = named.some(
      (c) =>
        c.target.name === cube &&
        !c.covered.some((i) => col.covered.includes(i)) &&
        Math.min(...c.covered) < first &&
        // Not the rows themselves as what is listed ("medications whose total cost …").
        named.some((x) => x.target.name !== cube && Math.min(...x.covered) < Math.min(...c.covered)),
    );
    if (k === first && rowsNamed) continue;
    const keys = lexicon.cubes.get(cube)?.keys;
    const entity = named.find(
      (c) =>
        c.target.name !== cube &&
        keys?.has(c.target.name) &&
        c.covered.every((i) => i < Math.min(k, t.at[0] as number)) &&
        !c.covered.some((i) => col.covered.includes(i)),
    );
    // "medications whose summed cost exceeds …": the kinds of the column's own rows (their label).
    const label = lexicon.cubes.get(cube)?.label;
    const lead = col.covered.filter((i) => i < first);
    const cubeEntry = lexicon.cubes.get(cube);
    // Only by a word of adding up said apart from the column's own name: "encounters with a total
    // claim cost over …" are rows.
    const kinds =
      !entity && k !== first && label?.endsWith('.description')
        ? (named.find(
            (c) => c.target.name === cube && c.covered.every((i) => i < Math.min(k, t.at[0] as number)),
          ) ?? (lead.length && cubeEntry ? { target: cubeEntry, covered: lead } : undefined))
        : undefined;
    const by = entity ?? kinds;
    if (!by) continue;
    r.use([...col.covered, ...col.cubeWords, ...by.covered, k, ...said]);
    if (word(end + 1) === 'in' || word(end + 1) === 'of') r.use([end + 1]);
    return {
      kind: 'threshold',
      cube,
      entity: by.target.name,
      key: entity ? (keys?.get(by.target.name) as string) : (label as string),
      op: t.op,
      n: t.n,
      list: listed(question.replace(/\b(?:average|avg|mean|total|sum|summed|combined|overall)\b/gi, ' ')),
      value: col.target.member,
      agg,
      ...(t.and ? { and: t.and } : {}),
      filters: [],
    };
  }
  return undefined;
}

/** Words asking a figure of rows rather than their number. */
const AVERAGING = new Set(['average', 'mean', 'avg', 'median', 'typical']);

function lookup(r: Reading, lexicon: Lexicon, ids: string[]): LogicalForm | Interpretation {
  if (ids.length > 1) return clarify('Ask about one record at a time.');
  const named = matchCubes(r.tokens, r.free(), lexicon).filter((c) => c.target.primaryKey);
  // The kind of record is named next to its id: the latest cube named.
  const cube = [...named].sort((a, b) => Math.max(...b.covered) - Math.max(...a.covered))[0];
  if (!cube) return clarify('Which kind of record is that id of?', unplaced(r));
  r.use(cube.covered);
  const key = lexicon.members.get(cube.target.primaryKey as string);
  if (key?.masked)
    return {
      kind: 'refuse',
      message: `${cube.target.title} ids are masked for you, so I cannot look up a record by its id.`,
    };
  const attrs = matchMembers(
    r.tokens,
    r.free(),
    lexicon,
    (m) => m.cube === cube.target.name && (m.kind === 'dimension' || m.kind === 'time') && !m.primaryKey,
  );
  const best = attrs[0];
  if (!best) {
    const words = unplaced(r);
    return clarify(
      `Which field of the ${cube.target.title.toLowerCase()} record do you want?${words.length ? ` I could not place ${words.map((w) => `"${w}"`).join(', ')}.` : ''}`,
      words,
    );
  }
  const tied = tie(attrs);
  if (tied) return choices(tied);
  r.use(best.covered);
  // "when was … born": the date asked for is the attribute.
  if (best.target.kind === 'time') r.use(r.tokens.filter((t) => DATE_WORDS.has(t.word)).map((t) => t.index));
  return {
    kind: 'lookup',
    cube: cube.target.name,
    attributes: [best.target.member],
    key: cube.target.primaryKey as string,
    id: ids[0] as string,
    filters: [],
  };
}
