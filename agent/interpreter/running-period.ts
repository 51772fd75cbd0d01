import type { Reading } from './interpret.ts';
import type { Granularity, TimeIntent } from './read-time.ts';

/** How long a period or grain is, shortest first: a grain runs within a period only when shorter. */
const SPAN: Record<string, number> = { day: 0, week: 1, month: 2, quarter: 3, half: 4, year: 5, decade: 6 };

/**
 * Words that say a running total adds up from the first record, whatever period is named: "to
 * date", "from the first record", "since the beginning", "since records began".
 */
const FROM_FIRST =
  /\b(?:to date|(?:from|since) (?:the )?(?:very )?(?:first|earliest|oldest) (?:records?|rows?|dates?|data)|(?:from|since) the (?:very )?(?:beginning|start)(?: of (?:the )?(?:records?|data|time))?|since (?:the )?(?:records?|data) (?:began|begin|started|start))\b/g;

/** The free words saying a running total adds up from the first record, as token indices. */
export function fromFirstRecord(r: Reading): number[] {
  const free = r.free();
  const words = r.tokens.filter((t) => free.has(t.index));
  const text = words.map((t) => t.word).join(' ');
  const at: number[] = [];
  for (const m of text.matchAll(FROM_FIRST)) {
    const first = text.slice(0, m.index).split(' ').length - 1;
    const n = m[0].split(' ').length;
    // Only words side by side in the question, not joined over words read already.
    const run = words.slice(first, first + n);
    if (run.every((t, i) => i === 0 || t.index === (run[i - 1]?.index ?? -2) + 1))
      at.push(...run.map((t) => t.index));
  }
  return at;
}

/**
 * The period a running total adds up within. "month by month through 2023" names 2023 as the
 * period its months are of: the total starts at zero in January 2023. Said by a grain as long as
 * the period or longer ("by year through 2023"), with no grain said, or with words that say so
 * ("from the first record"), the range stays open at its start: adding up from the first record.
 *
 * @example runningPeriod(readTime('running total by month through 2023', now), 'month', false).dateRange // ['2023-01-01', '2023-12-31']
 */
export function runningPeriod(
  time: TimeIntent,
  grain: Granularity | undefined,
  fromFirst: boolean,
): TimeIntent {
  const p = time.through;
  if (!p || fromFirst || !grain || !time.granularity) return time;
  if ((SPAN[grain] ?? 0) >= (SPAN[p.unit] ?? 0)) return time;
  return { ...time, dateRange: [p.from, p.to] };
}
