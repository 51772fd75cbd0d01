import { isAggregationWord, isStopWord, stem, tokenMatches, words } from './text.ts';

/** One word of the question: its stem, whether it carries meaning, and whether something claimed it. */
export interface Token {
  word: string;
  stem: string;
  /** Not a stop word or an aggregation word. */
  content: boolean;
  /** Claimed by a value, a member, an intent or a time phrase. */
  used: boolean;
}

/** The question's words, in order. */
export function tokenize(text: string): Token[] {
  return words(text).map((word) => {
    const s = stem(word);
    return { word, stem: s, content: !isStopWord(s) && !isAggregationWord(s), used: false };
  });
}

/**
 * Where each word of `phrase` occurs among the tokens (any order: "cost of claims" names
 * "claim cost"), allowing a small typo in longer words. Returns the matched token indexes.
 */
export function bagMatch(
  tokens: readonly Token[],
  phrase: readonly string[],
  only?: ReadonlySet<number>,
): number[] {
  const hits: number[] = [];
  const ok = (k: number) => (!only || only.has(k)) && !hits.includes(k);
  for (const p of phrase) {
    const i = tokens.findIndex((t, k) => ok(k) && (t.stem === p || tokenMatches(t.stem, p)));
    if (i >= 0) {
      hits.push(i);
      continue;
    }
    // A compound named by two words ("order date" for orderdate).
    const j = tokens.findIndex((t, k) => {
      const next = tokens[k + 1];
      if (!next || !ok(k) || !ok(k + 1)) return false;
      return `${t.stem}${next.stem}` === p || stem(`${t.word}${next.word}`) === p;
    });
    if (j >= 0) hits.push(j, j + 1);
  }
  return hits;
}

/**
 * Where `target` (stems) occurs as consecutive tokens, also when words are run together or split
 * ("urgent care" ↔ "urgentcare", "non hispanic" ↔ "nonhispanic"). Returns [start, length] matches.
 */
export function runMatches(tokens: readonly Token[], target: readonly string[]): Array<[number, number]> {
  const key = target.join('');
  if (!key) return [];
  const out: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    let raw = '';
    for (let n = 1; n <= Math.min(5, tokens.length - i); n++) {
      const t = tokens[i + n - 1] as Token;
      joined += t.stem;
      raw += t.word;
      if (joined === key || raw === key) {
        out.push([i, n]);
        break;
      }
      if (joined.length > key.length && raw.length > key.length) break;
    }
  }
  return out;
}

/** Mark tokens as claimed. */
export function claim(tokens: Token[], indexes: Iterable<number>): void {
  for (const i of indexes) {
    const t = tokens[i];
    if (t) t.used = true;
  }
}

export function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, k) => start + k);
}
