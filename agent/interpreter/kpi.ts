/**
 * Measures found by what they compute: a question that says a KPI in its own words ("what fraction
 * of inpatient stays were followed by another admission") rather than by the measure's title or
 * synonyms. The words are ranked against each measure's description (stems, small typos), widened
 * by the synonyms of what the description names (lexicon.ts `described`), weighted by rarity.
 *
 * Used only when the plain readings could not place the question: a measure that explains every
 * word is answered through its own title; one that explains only some is offered as a choice,
 * never computed in place of the question.
 */
import type { Lexicon, MemberEntry } from './lexicon.ts';
import { isContent, stemMatches, type Token, tokenize } from './text.ts';

/** Words that ask for a ratio: a measure that divides explains them. */
const RATIO_WORDS = new Set([
  'share',
  'percentage',
  'percent',
  'proportion',
  'portion',
  'fraction',
  'ratio',
  'rate',
]);
/** Description or title words of a measure that divides one figure by another. */
const DIVIDES = /\b(?:divided|rate|ratio|share|percent(?:age)?|proportion|fraction|per)\b/i;

/** Words that say how to ask, not what: never evidence for a measure, never left unexplained. */
const ASKING = new Set(
  `what how many much often is are was were the a an of do does did number count total overall our
  which show tell give me get find whats there`.split(/\s+/),
);

const AVERAGING = new Set(['average', 'mean', 'avg', 'typical', 'median']);

/** Words that name a statistic: one said and not explained rules out a measure titled by another. */
const STATISTIC = new Set([...AVERAGING, 'total', 'sum', 'percentile', 'maximum', 'minimum', 'max', 'min']);
/** A measure titled by a statistic of a distribution (a percentile, a median, an extreme). */
const DISTRIBUTION_TITLE =
  /\b(?:percentile|median|quantile|quartile|p\d{2}|minimum|maximum|min|max|std|deviation|variance)\b/i;

const cubeWordCache = new WeakMap<Lexicon, Set<string>>();

/** Stems of the cubes' names, titles and synonyms. */
function cubeWords(lexicon: Lexicon): Set<string> {
  let out = cubeWordCache.get(lexicon);
  if (!out) {
    out = new Set([...lexicon.cubes.values()].flatMap((c) => c.phrases.flatMap((p) => p.stems)));
    cubeWordCache.set(lexicon, out);
  }
  return out;
}

export interface KpiMatch {
  member: MemberEntry;
  /** Question tokens the measure's words explain. */
  covered: number[];
  /** Content words of the question it does not explain. */
  left: Token[];
  score: number;
}

function idf(lexicon: Lexicon, s: string): number {
  return lexicon.idf.get(s) ?? Math.log(1 + lexicon.members.size);
}

/**
 * Measures ranked by how much of the question their description explains, best first; only those
 * explaining at least two words beyond ratio words, and at least half the question's words.
 *
 * @example kpiByDescription('what fraction of stays were followed by another admission', lexicon)[0]?.member.title
 * // '30-Day Readmission Rate'
 */
export function kpiByDescription(question: string, lexicon: Lexicon): KpiMatch[] {
  const tokens = tokenize(question);
  const content = tokens.filter((t) => isContent(t) && !ASKING.has(t.word) && !/^\d+$/.test(t.word));
  if (content.length < 2) return [];
  const total = content.reduce((n, t) => n + idf(lexicon, t.stem), 0);
  const out: KpiMatch[] = [];
  for (const m of lexicon.members.values()) {
    if (m.kind !== 'measure' || !m.described) continue;
    const words = m.described;
    const divides = DIVIDES.test(m.title) || [...m.about].some((s) => DIVIDES.test(s));
    const covered: Token[] = [];
    let evidence = 0;
    for (const t of content) {
      const hit = words.has(t.stem) || [...words].some((s) => stemMatches(t.stem, s));
      if (hit) {
        covered.push(t);
        // Ratio and averaging words, and the names of the rows, say little about which figure.
        if (!RATIO_WORDS.has(t.word) && !AVERAGING.has(t.word) && !cubeWords(lexicon).has(t.stem)) evidence++;
      } else if (divides && RATIO_WORDS.has(t.word)) covered.push(t);
    }
    if (evidence < 2) continue;
    // "average claim cost continuous": not the 90th percentile whose description says "continuous".
    if (DISTRIBUTION_TITLE.test(m.title) && tokens.some((t) => STATISTIC.has(t.word) && !covered.includes(t)))
      continue;
    const said = covered.reduce((n, t) => n + idf(lexicon, t.stem), 0);
    if (said < total / 2) continue;
    // What the question says of the measure, and a little for a measure the model calls a KPI.
    const score = said / total + (m.kpi ? 0.05 : 0);
    out.push({
      member: m,
      covered: covered.map((t) => t.index),
      left: content.filter((t) => !covered.includes(t)),
      score,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.member.member.localeCompare(b.member.member));
}

/**
 * The question said again with the measure's title in place of the words it explains: the words
 * left (values, periods, breakdowns) keep their places, grammar that joins them stays.
 */
export function restate(question: string, match: KpiMatch): string {
  const tokens = tokenize(question);
  const content = (t: Token | undefined) =>
    t !== undefined && !match.covered.includes(t.index) && !ASKING.has(t.word) && isContent(t);
  // A joining word stays only before a word that stays ("in 2021", not "followed by another").
  const kept = tokens.filter(
    (t) =>
      content(t) || (JOINING.has(t.word) && !match.covered.includes(t.index) && content(tokens[t.index + 1])),
  );
  return [match.member.title, ...kept.map((t) => t.word)].join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * A period's unit left over with no "by" or number to say how ("within a month"): a part of the
 * measure's definition the question words differently, not a breakdown; the match is then weak.
 */
export function looseUnit(question: string, match: KpiMatch): boolean {
  const tokens = tokenize(question);
  return match.left.some(
    (t) =>
      /^(?:day|week|month|quarter|year)s?$/.test(t.word) &&
      !['by', 'per', 'each', 'every', 'last', 'this', 'past', 'previous'].includes(
        tokens[t.index - 1]?.word ?? '',
      ) &&
      !/^\d+$/.test(tokens[t.index - 1]?.word ?? ''),
  );
}

/** Words that join what is left to the measure: a period ("in 2021"), a breakdown ("by year"). */
const JOINING = new Set([
  'in',
  'by',
  'for',
  'from',
  'to',
  'between',
  'and',
  'since',
  'before',
  'after',
  'per',
]);
