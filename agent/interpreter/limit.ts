/**
 * How many ranked rows a question asks for: "top 5", "the 3 busiest", "5 classes with the highest
 * cost", "which single payer …", "the one setting that …". Language mechanics only: where a small
 * number stands relative to the ranking word, never which member it ranks.
 */
import type { Token } from './text.ts';

/** Words after which a number is a threshold or a quantity, not how many rows to show. */
const NOT_A_LIMIT_BEFORE = new Set([
  'than',
  'over',
  'above',
  'under',
  'below',
  'exceeding',
  'least',
  'most',
  'past',
  'last',
  'next',
  'within',
  'after',
  'before',
  'since',
  'until',
  'in',
  'of',
  'per',
  'every',
]);

/** Words after a number that make it a quantity ("5 years", "3 times", "10 percent"), not a count of rows. */
const NOT_A_LIMIT_AFTER = new Set([
  'percent',
  'percentage',
  'pct',
  'times',
  'year',
  'years',
  'month',
  'months',
  'week',
  'weeks',
  'day',
  'days',
  'hour',
  'hours',
  'minute',
  'minutes',
  'or',
  'plus',
]);

/** Words a count of rows follows wherever they stand ("show the top 5"). */
const LEAD = new Set(['top', 'bottom', 'first']);

/** Words that say "exactly one" where a count of rows is expected ("which single payer"). */
const ONE = new Set(['single', 'one', 'sole']);

const small = (t: Token | undefined) => (t && /^\d{1,3}$/.test(t.word) ? Number(t.word) : undefined);

/** A stated number of rows to rank, and the tokens that state it. */
export interface StatedLimit {
  n: number;
  at: number[];
}

/**
 * The number of rows a ranking asks for, read around its ranking word (`top` = that word's index):
 * next to it ("top 5", "3 most", "lowest 2"), else a small number said before it that counts the
 * things ranked ("5 encounter classes with the highest …", "show the five providers with the
 * most …"), else "single"/"one" before the thing ranked. Numbers that are thresholds ("more than
 * 5"), spans ("last 3 years") or parts of a value stay where they are.
 *
 * @example statedLimit(tokenize('5 classes with the highest cost'), 4) // { n: 5, at: [0] }
 */
export function statedLimit(tokens: readonly Token[], top: number): StatedLimit | undefined {
  const at = (i: number) => tokens[i];
  for (const k of [top + 1, top - 1]) {
    const n = small(at(k));
    if (n !== undefined && n > 0 && !NOT_A_LIMIT_AFTER.has(at(k + 1)?.word ?? '')) return { n, at: [k] };
  }
  // "the most frequent procedures? show the top 5": a number after "top" or "bottom" anywhere.
  for (const t of tokens) {
    const n = small(at(t.index + 1));
    if (LEAD.has(t.word) && n !== undefined && n > 0) return { n, at: [t.index + 1] };
  }
  for (let k = top - 1; k >= 0; k--) {
    const t = at(k) as Token;
    const n = small(t);
    const before = at(k - 1)?.word ?? '';
    const after = at(k + 1);
    const counts =
      n !== undefined &&
      n > 0 &&
      !NOT_A_LIMIT_BEFORE.has(before) &&
      after !== undefined &&
      /^[a-z]/.test(after.word) &&
      !NOT_A_LIMIT_AFTER.has(after.word);
    if (counts) return { n: n as number, at: [k] };
    if (ONE.has(t.word) && after && /^[a-z]{3,}$/.test(after.word) && !ONE.has(after.word))
      return { n: 1, at: [k] };
  }
  return undefined;
}
