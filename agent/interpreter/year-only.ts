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
