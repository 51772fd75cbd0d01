/**
 * The words of a question that say how to answer, not what about: counting, totals and averages,
 * lists, top/bottom N, breakdowns ("by", "per", "for each"), side-by-side comparisons ("vs") and
 * follow-ups. Language mechanics only: which member a word names comes from the model.
 */
import { statedLimit } from './limit.ts';
import type { Token } from './text.ts';

export type Agg = 'avg' | 'sum' | 'count';

export interface Intent {
  /** "how many", "number of", "count": rows (or entities) are counted. */
  count: boolean;
  /** The aggregation the words ask for, and the tokens that say it. */
  agg?: Agg | undefined;
  aggAt: number[];
  /** "which …", "list …", "what kinds of …": records or values, not a figure. */
  list: boolean;
  /** "what kinds of": distinct values, not one row per record. */
  kinds: boolean;
  kindsAt: number[];
  top?:
    | {
        limit: number;
        direction: 'asc' | 'desc';
        explicit: boolean;
        at: number[];
        /** The first word after "most" / "least": what is ranked by ("the most encounters"). */
        subject?: number | undefined;
        /** "most common", "least frequent": the word after them names what is ranked, by how often. */
        frequent?: boolean | undefined;
      }
    | undefined;
  /** Token runs after "by", "per", "for each", "across": what to break the figure down by. */
  groups: number[][];
  /** "men vs women", "compared with": values set side by side. */
  compare: boolean;
  compareAt: number[];
  /** The first word after "how many" / "number of": what is counted. */
  counted?: number | undefined;
  /** Starts like a follow-up ("and by gender?", "what about …", "only 2019"). */
  followUp: boolean;
}

const COUNT_WORDS = new Set(['number', 'count', 'volume', 'counts', 'tally', 'often', 'frequency', 'size']);
const AVG_WORDS = new Set(['average', 'avg', 'mean', 'typical', 'typically']);
const SUM_WORDS = new Set(['total', 'sum', 'summed', 'overall', 'combined', 'aggregate', 'much']);
const TOP_UP = new Set([
  'top',
  'highest',
  'most',
  'largest',
  'biggest',
  'busiest',
  'leading',
  'commonest',
  'greatest',
]);
/** "which … has fewer …": the bottom one. */
const FEWER = new Set(['fewer', 'less', 'lower']);
const MORE = new Set(['more', 'higher', 'greater']);
const TOP_DOWN = new Set(['bottom', 'lowest', 'least', 'fewest', 'smallest', 'rarest']);
/** Words that, after "most" or "least", say "by how often" ("most common", "least frequent"). */
const FREQUENT = new Set(['common', 'frequent', 'frequently', 'popular', 'often', 'used', 'prevalent']);
const GROUP_LEAD = new Set(['by', 'per', 'across', 'each', 'every']);
const GROUP_STOP = new Set(
  `in for with during since from between where order sorted top over last this who that which vs versus
  only whose among show had have has did were was are is cover covered paid get got and or`.split(/\s+/),
);
const LIST =
  /^\s*(?:list|which|who|name\b|names? of\b|ids? of\b|enumerate|show (?:me )?(?:the |all |our |a list of )?(?!\d)|give me (?:a list of |the |all )|what (?:are|were) (?:the |our |all )?(?!\d)|what (?:kinds?|types?|sorts?) of)|^\s*what\b.*\b(?:are there\b|do we (?:see|have|give|use|offer)\b)/;
/** "what medications are prescribed for asthma", "what vaccinations were given in 2022": a list. */
const WHAT_LIST =
  /^\s*what\s+(?!is\b|was\b|are\b|were\b|percent|share|proportion|fraction)[a-z]+(?:\s+[a-z]+)?\s+(?:are|were|do|did|does|have|has|had|get|gets|got)\b/;
/** "patients who died, with their dates of death": records asked for with attributes of theirs. */
const ATTRIBUTES = /\b(?:with|and|including|plus|showing)\s+(?:their|its|his|her)\b/;
/** A noun phrase, its records described by a clause ("living patients who still have …"). */
const BARE =
  /^\s*(?!(?:what|whats|what's|how|is|are|was|were|do|does|did|can|could|would|will|should|tell|i|we|my|our|please|when|where|why|has|have|had|any|compare|trend|break|split|distribution|breakdown|just|only|and|also|now|then)\b)(?:[a-z-]+\s+){1,4}(?:who|whose|that)\b/;
/** Words that ask for a figure, not records. */
const FIGURE_WORDS =
  /\b(?:rate|rates|ratio|percent|percentage|share|proportion|median|percentile|min|max|minimum|maximum|trend|distribution|breakdown|monthly|weekly|yearly|annual|daily|quarterly|statistics|stats|summary)\b/;
const FOLLOW_UP =
  /^\s*(and|also|what about|how about|now|only|just|same|instead|but|then|ok|okay|break (it|that|this) down|split (it|that|this)|drill)\b/i;

/**
 * Read the intent words of a question (time phrases already taken out).
 *
 * @example readIntent('top 5 payers by number of visits', tokenize('top 5 payers by number of visits'))
 */
export function readIntent(question: string, tokens: readonly Token[]): Intent {
  const q = question.toLowerCase();
  const at = (i: number) => tokens[i];
  const count =
    /\b(how many|number of|count of|count|total number|no\. of|# of|volume|how often|tally|size of)\b/.test(
      q,
    );
  const intent: Intent = {
    count,
    aggAt: [],
    list: false,
    kinds: /\b(?:kinds?|types?|sorts?) of\b/.test(q),
    kindsAt: [],
    groups: [],
    compare: /\b(vs\.?|versus|compared? (?:to|with)|against|compare)\b/.test(q),
    compareAt: tokens
      .filter((t) => ['vs', 'versus', 'compare', 'compared', 'comparing', 'against'].includes(t.word))
      .map((t) => t.index),
    followUp: FOLLOW_UP.test(q),
  };
  intent.list =
    (LIST.test(q) || WHAT_LIST.test(q) || ATTRIBUTES.test(q)) && !count && !/^\s*what\s+(?:is|was)\b/.test(q);
  intent.kindsAt = intent.kinds
    ? tokens
        .filter((t) => /^(kinds?|types?|sorts?)$/.test(t.word) && at(t.index + 1)?.word === 'of')
        .map((t) => t.index)
    : [];
  for (const t of tokens) {
    const w = t.word;
    if (AVG_WORDS.has(w)) {
      intent.agg = 'avg';
      intent.aggAt.push(t.index);
    } else if (COUNT_WORDS.has(w) && count) {
      if (intent.agg !== 'avg') intent.agg = 'count';
      intent.aggAt.push(t.index);
    } else if (SUM_WORDS.has(w) && !(w === 'much' && at(t.index - 1)?.word !== 'how')) {
      // "total number of": a count, not a sum.
      if (!intent.agg && !(w === 'total' && at(t.index + 1)?.word === 'number')) intent.agg = 'sum';
      intent.aggAt.push(t.index);
    }
  }
  if (count && intent.agg !== 'avg') intent.agg = 'count';
  for (const t of tokens) {
    const next = at(t.index + 1)?.word;
    const start =
      (t.word === 'how' && next === 'many') ||
      (next === 'of' && ['number', 'count', 'volume'].includes(t.word))
        ? t.index + 2
        : t.word === 'count'
          ? t.index + 1
          : -1;
    if (start < 0) continue;
    intent.counted = tokens.find(
      (x) =>
        x.index >= start &&
        /^[a-z]{3,}$/.test(x.word) &&
        !['the', 'our', 'all', 'and', 'unique', 'distinct', 'different', 'total'].includes(x.word),
    )?.index;
    break;
  }

  // Top / bottom N: "top 5", "5 most common", "the 3 least", "which payer … the most".
  // "which gender has more patients": one of a few, picked by a comparison with no "than".
  const comparative = /^\s*(?:which|what)\b/.test(q) && !/\bthan\b/.test(q);
  // "at least 65", "at most 3": a bound on a number, no ranking.
  const bound = (t: Token) => (t.word === 'least' || t.word === 'most') && at(t.index - 1)?.word === 'at';
  const topWord =
    tokens.find((t) => (TOP_UP.has(t.word) || TOP_DOWN.has(t.word)) && !bound(t)) ??
    (comparative ? tokens.find((t) => FEWER.has(t.word) || MORE.has(t.word)) : undefined);
  if (topWord) {
    const i = topWord.index;
    // "top 5", "5 classes with the highest …", "which single payer …" (limit.ts).
    const stated = statedLimit(tokens, i);
    const limit = stated?.n;
    const used = tokens.filter((t) => TOP_UP.has(t.word) || TOP_DOWN.has(t.word)).map((t) => t.index);
    if (!used.includes(i)) used.push(i);
    if (stated) used.push(...stated.at);
    for (const k of [...used]) if (FREQUENT.has(at(k + 1)?.word ?? '')) used.push(k + 1);
    const subject = /^\s*(?:which|what)\s+(?!are\b|were\b|is\b|was\b|do\b|does\b|did\b)([a-z]+)\b/.exec(
      q,
    )?.[1];
    const singular = subject !== undefined && !subject.endsWith('s');
    const most = tokens.find((t) => ['most', 'least', 'fewest'].includes(t.word) && !bound(t)) ?? topWord;
    const subjectAfter =
      ['most', 'least', 'fewest'].includes(most.word) || MORE.has(most.word) || FEWER.has(most.word);
    const after = tokens.find(
      (t) =>
        t.index > most.index &&
        !used.includes(t.index) &&
        !FREQUENT.has(t.word) &&
        /^[a-z]{3,}$/.test(t.word) &&
        !['the', 'of', 'and', 'with', 'number'].includes(t.word),
    );
    intent.top = {
      subject: subjectAfter ? after?.index : undefined,
      frequent: used.some((k) => FREQUENT.has(at(k)?.word ?? '')),
      limit: limit ?? (topWord.word === 'top' || topWord.word === 'bottom' ? 10 : singular ? 1 : 10),
      direction: TOP_DOWN.has(topWord.word) || FEWER.has(topWord.word) ? 'asc' : 'desc',
      explicit: limit !== undefined,
      at: used,
    };
  }

  // "female patients who were born after 1980": records described by a clause of their own, with
  // no question, counting, figure, ranking or breakdown word, are asked for (only "how many"
  // counts them). A bare "visits in 2022" is left to the figure it is usually said for.
  if (
    !intent.list &&
    !count &&
    !intent.agg &&
    !intent.top &&
    !intent.compare &&
    !intent.followUp &&
    BARE.test(q) &&
    !FIGURE_WORDS.test(q) &&
    !tokens.some((t) => GROUP_LEAD.has(t.word))
  )
    intent.list = true;

  // Breakdowns: words after "by", "per", "for each", … up to a boundary; "and" starts another.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (!GROUP_LEAD.has(t.word)) continue;
    let group: number[] = [];
    for (let k = i + 1; k < tokens.length; k++) {
      const w = tokens[k] as Token;
      if (w.word === 'and' && group.length) {
        intent.groups.push(group);
        group = [];
        continue;
      }
      if (GROUP_STOP.has(w.word) || GROUP_LEAD.has(w.word) || /^\d+$/.test(w.word)) break;
      if (w.word === 'the' || w.word === 'a' || w.word === 'an' || w.word === 'their') continue;
      group.push(k);
    }
    if (group.length) intent.groups.push(group);
  }
  return intent;
}
