import type { FlatCubeQuery } from '../../semantic/index.ts';
import type { Lexicon } from './lexicon.ts';

/** Relative ranges that are whole calendar years. */
const WHOLE_YEAR_RANGES = new Set(['this year', 'last year']);

/**
 * A query that needs more of a date than the caller may see. Dates masked to the year (Safe
 * Harbor: every date element but the year is an identifier) still answer by year and over whole
 * years; a finer grain or a range that starts or ends inside a year would silently answer another
 * question (every masked date is 1 January), so the caller gets a question back instead.
 *
 * @example yearOnlyConflict({ measures: ['e.count'], timeDimensions: [{ dimension: 'e.start', granularity: 'month' }] }, lexicon)
 */
export function yearOnlyConflict(query: FlatCubeQuery, lexicon: Lexicon): string | undefined {
  for (const td of query.timeDimensions ?? []) {
    const info = lexicon.members.get(td.dimension);
    if (!info?.yearOnly) continue;
    const fine = td.granularity !== undefined && td.granularity !== 'year';
    if (!fine && (td.dateRange === undefined || wholeYears(td.dateRange))) continue;
    const what = fine ? `by ${td.granularity}` : 'for part of a year';
    return `You see ${info.title} as a year only (de-identified under Safe Harbor), so I cannot count ${what}. Ask by year, or for whole years?`;
  }
  return undefined;
}

function wholeYears(range: string | [string, string]): boolean {
  if (typeof range === 'string') return WHOLE_YEAR_RANGES.has(range.trim().toLowerCase());
  return /^\d{4}-01-01$/.test(range[0]) && /^\d{4}-12-31$/.test(range[1]);
}

/**
 * The same check over a logical form: any period in it (its own, a cohort side's or term's, a
 * scope's) on a date the caller sees as its year only must cover whole years. "encounters that
 * ended in the fourth quarter of 2020" over a stop date kept to the year would count none.
 *
 * @example formYearOnlyConflict(form, lexicon) // 'You see Stop as a year only …' or undefined
 */
export function formYearOnlyConflict(form: unknown, lexicon: Lexicon): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown): string | undefined => {
    if (!x || typeof x !== 'object' || seen.has(x)) return undefined;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const v of x) {
        const found = walk(v);
        if (found) return found;
      }
      return undefined;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.member === 'string' && typeof o.from === 'string' && typeof o.to === 'string') {
      const info = lexicon.members.get(o.member);
      const whole = /^\d{4}-01-01/.test(o.from) && /^\d{4}-12-31/.test(o.to);
      if (info?.yearOnly && !whole)
        return `You see ${info.title} as a year only (de-identified under Safe Harbor), so I cannot count for part of a year. Ask for whole years?`;
    }
    for (const v of Object.values(o)) {
      const found = walk(v);
      if (found) return found;
    }
    return undefined;
  };
  return walk(form);
}
