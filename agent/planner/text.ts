/**
 * Words for matching questions to the model: lower case, split, stemmed lightly. Deterministic
 * and small on purpose; the offline planner must give the same plan for the same question.
 */

const STOP = new Set([
  'a',
  'an',
  'the',
  'of',
  'in',
  'on',
  'for',
  'to',
  'and',
  'or',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'do',
  'does',
  'did',
  'what',
  'whats',
  'me',
  'show',
  'give',
  'tell',
  'please',
  'i',
  'we',
  'our',
  'you',
  'with',
  'that',
  'this',
  'there',
  'their',
  'it',
  'its',
  'at',
  'as',
  'from',
  'have',
  'has',
  'had',
  'can',
  'could',
  'would',
  'should',
  'all',
  'each',
  'per',
  'by',
  'how',
  'many',
  'much',
  'number',
  'count',
  'list',
  'which',
  'who',
  'get',
  'find',
  'see',
  'want',
  'know',
  'about',
  // Filler that carries no meaning for the model: pronouns, auxiliaries, generic verbs and nouns.
  'us',
  'my',
  'your',
  'they',
  'them',
  'these',
  'those',
  'any',
  'some',
  'will',
  'so',
  'far',
  'ever',
  'than',
  'into',
  'up',
  'out',
  'via',
  'also',
  'then',
  'just',
  'only',
  'again',
  'still',
  'here',
  'ones',
  'one',
  'kind',
  'kinds',
  'data',
  'database',
  'dataset',
  'record',
  'file',
  'system',
  'given',
  'written',
  'performed',
  'done',
  'made',
  'used',
  'happen',
  'happened',
  'took',
  'taken',
  'administered',
  'delivered',
  'work',
  'live',
  'like',
  'new',
  'different',
  'distinct',
  'separate',
  'individual',
  'various',
  'actual',
  'long',
  'look',
  'break',
  'split',
  'down',
  'when',
  'where',
  'why',
  'whom',
  'whose',
  'doing',
  'go',
  'going',
  'across',
  'among',
  'amongst',
  'between',
  'versus',
  'vs',
  'compared',
  'compare',
  'breakdown',
  'grouped',
  'broken',
  'trend',
  'over',
  'top',
  'most',
  'least',
  'common',
  'frequent',
  'often',
]);

/** Lower-case word tokens (letters, digits, apostrophes dropped). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’']/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A light stemmer: plural and common suffixes, enough to match "encounters" with "encounter". */
const CANONICAL: Record<string, string> = {
  avg: 'average',
  mean: 'average',
  sum: 'total',
  num: 'number',
  qty: 'quantity',
  dx: 'diagnosis',
};

export function stem(word: string): string {
  let w = CANONICAL[word] ?? word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is'))
    w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  return w;
}

/** Stemmed tokens, stop words kept (callers decide what to ignore). */
export function stems(text: string): string[] {
  return words(text).map(stem);
}

/** Stop words as the stemmer leaves them ("administered" → "administer"). */
const STOP_STEMS = new Set([...STOP].map(stem));

export function isStopWord(stemmed: string): boolean {
  return STOP.has(stemmed) || STOP_STEMS.has(stemmed);
}

/** Words that say how to aggregate, not what: they never name a member on their own. */
const AGGREGATION = new Set(['total', 'average', 'count', 'number', 'sum', 'overall', 'amount', 'volume']);

export function isAggregationWord(stemmed: string): boolean {
  return AGGREGATION.has(stemmed);
}

/** Stemmed content words: no stop words, no aggregation words. */
export function contentStems(text: string): string[] {
  return stems(text).filter((w) => !isStopWord(w) && !isAggregationWord(w));
}

/** A question token matches a lexicon token, allowing a small typo in longer words: the interpreter's rule. */
export { stemMatches as tokenMatches } from '../interpreter/text.ts';
