/**
 * Numbers said as a bound ("at least 65", "over 65", "under 18", "more than 3", "5 or more"): the
 * bound, the token positions saying it and the words as said. A number said so is never a word
 * the coverage rule may pass over: placed on a member, or asked back naming the bound.
 */
import { normalizeQuestion, type Token, tokenize } from './text.ts';

export interface Bound {
  op: 'gt' | 'gte' | 'lt' | 'lte';
  n: number;
  at: number[];
  said: string;
}

const num = (t: Token | undefined) => (t && /^\d+(?:\.\d+)?$/.test(t.word) ? Number(t.word) : undefined);

/** Every number of the tokens said as a bound, by its position. */
export function comparedNumbers(tokens: readonly Token[]): Map<number, Bound> {
  const out = new Map<number, Bound>();
  const word = (i: number) => tokens[i]?.word ?? '';
  const put = (op: Bound['op'], at: number[], numberAt: number) => {
    const n = num(tokens[numberAt]);
    if (n === undefined || out.has(numberAt)) return;
    out.set(numberAt, { op, n, at, said: at.map((k) => word(k)).join(' ') });
  };
  for (let i = 0; i < tokens.length; i++) {
    const w = word(i);
    const next = word(i + 1);
    if (w === 'at' && (next === 'least' || next === 'most'))
      put(next === 'least' ? 'gte' : 'lte', [i, i + 1, i + 2], i + 2);
    else if (['more', 'greater', 'fewer', 'less', 'higher', 'lower'].includes(w) && next === 'than')
      put(['more', 'greater', 'higher'].includes(w) ? 'gt' : 'lt', [i, i + 1, i + 2], i + 2);
    else if (['over', 'above', 'exceeding', 'beyond'].includes(w)) put('gt', [i, i + 1], i + 1);
    else if (['under', 'below'].includes(w)) put('lt', [i, i + 1], i + 1);
    else if (num(tokens[i]) !== undefined && next === 'or') {
      const third = word(i + 2);
      if (['more', 'above', 'over', 'higher', 'greater', 'older'].includes(third))
        put('gte', [i, i + 1, i + 2], i);
      else if (['fewer', 'less', 'below', 'under', 'lower', 'younger'].includes(third))
        put('lte', [i, i + 1, i + 2], i);
    }
  }
  return out;
}

/**
 * The bounds a question says ("aged 65 and over", "more than 3") that a semantic query keeps no
 * condition for: a reading that dropped them answers another question.
 *
 * @example boundsLost('average age of patients aged 65 and over', { measures: ['patients.avg_age'] })
 * // [{ op: 'gte', n: 65, … }]
 */
export function boundsLost(
  question: string,
  query: { filters?: Array<{ operator: string; values?: unknown[] }> },
): Bound[] {
  const kept = (query.filters ?? []).filter((f) => ['gt', 'gte', 'lt', 'lte'].includes(f.operator));
  return [...comparedNumbers(tokenize(normalizeQuestion(question))).values()].filter(
    (b) => !kept.some((f) => (f.values ?? []).map(Number).includes(b.n)),
  );
}
