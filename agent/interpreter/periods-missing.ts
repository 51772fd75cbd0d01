import type { FlatCubeQuery } from '../../semantic/index.ts';
import type { Lexicon } from './lexicon.ts';

/**
 * A query with a measure that compares each period with another (a year-over-year change, the
 * prior year's figure) but names no periods: no time dimension by a grain or over a range. It
 * would fail; the caller is asked which periods instead, with the measure named.
 *
 * @example periodsMissing({ measures: ['e.yoy_change'] }, lexicon)
 * // 'Year-over-Year Change compares each period with an earlier one, so it needs periods …'
 */
export function periodsMissing(query: FlatCubeQuery, lexicon: Lexicon): string | undefined {
  const timed = (query.timeDimensions ?? []).some((td) => td.granularity || td.dateRange);
  if (timed) return undefined;
  const titles = (query.measures ?? [])
    .map((m) => lexicon.members.get(m))
    .filter((m) => m?.comparesPeriods)
    .map((m) => m?.title as string);
  if (!titles.length) return undefined;
  return `${titles.join(' and ')} compares each period with an earlier one, so it needs periods to compare, and the question names none. Which periods: by year (or quarter, month), or one period such as 2023?`;
}
