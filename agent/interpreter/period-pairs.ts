/**
 * Two periods said against each other where one is said by the other: "2021 compared with the
 * previous year" (2020, not the year before today), "this year vs last year" on data that ends
 * before today (its latest year and the one before, not the latest year twice).
 */
import type { LatestDate } from './data-dates.ts';
import type { TimeFilter } from './logical-form.ts';
import { readTime } from './read-time.ts';
import { timeFilter } from './time-filter.ts';
import { shiftDay, shiftUnits } from './time-words.ts';

type Unit = 'year' | 'quarter' | 'month';

/** "the previous year", "the prior quarter", "the month before", "a year earlier", "the following year". */
const BESIDE =
  /\b(?:the\s+)?(?:(previous|prior|preceding|following|next)\s+(year|quarter|month)|(year|quarter|month)\s+(before|after|earlier|later|prior)|(?:a|one)\s+(year|quarter|month)\s+(earlier|later|before|after))\b/;

/** Whether [from, to] is exactly one whole unit. */
function wholeUnit(from: string, to: string, unit: Unit): boolean {
  const m = Number(from.slice(5, 7));
  if (from.slice(8) !== '01') return false;
  if (unit === 'year' && from.slice(5) !== '01-01') return false;
  if (unit === 'quarter' && m % 3 !== 1) return false;
  return shiftDay(shiftUnits(from, unit, 1), -1) === to;
}

/** A whole period written so the period reader reads it back: 2020, q4 2020, 2020-11. */
function written(from: string, unit: Unit): string {
  const y = from.slice(0, 4);
  if (unit === 'year') return y;
  if (unit === 'quarter') return `q${Math.floor((Number(from.slice(5, 7)) - 1) / 3) + 1} ${y}`;
  return from.slice(0, 7);
}

/**
 * The question with a period said by its place beside the one period it states ("2021 compared
 * with the previous year") written as that period ("2021 compared with 2020"). Unchanged when no
 * such words, or when the stated period is not one whole unit of theirs.
 *
 * @example periodBeside('visits in 2021 compared with the previous year', now) // 'visits in 2021 compared with 2020'
 */
export function periodBeside(lower: string, now: Date): string {
  const m = BESIDE.exec(lower);
  if (!m) return lower;
  const unit = (m[2] ?? m[3] ?? m[5]) as Unit;
  const word = m[1] ?? m[4] ?? m[6] ?? '';
  const back = !['following', 'next', 'after', 'later'].includes(word);
  const without = `${lower.slice(0, m.index)} ${lower.slice(m.index + m[0].length)}`;
  const a = readTime(without, now, { pairs: false });
  const b = readTime(a.rest, now, { pairs: false });
  if (!Array.isArray(a.dateRange) || b.dateRange || a.granularity) return lower;
  const [from, to] = a.dateRange;
  if (!wholeUnit(from.slice(0, 10), to.slice(0, 10), unit)) return lower;
  const other = shiftUnits(from.slice(0, 10), unit, back ? -1 : 1);
  return `${lower.slice(0, m.index)} ${written(other, unit)} ${lower.slice(m.index + m[0].length)}`;
}

/**
 * Two periods on `member`, each read against the data's latest date when relative. "This year"
 * and "last year" both read against data that ends before today are its latest year: said
 * together, "last" is the one before "this" (data that reaches today reads them apart already).
 *
 * @example periodPair('encounters.start', ['this year', 'last year'], now, latest) // 2024 and 2023
 */
export function periodPair(
  member: string,
  ranges: [string | [string, string], string | [string, string]],
  now: Date,
  latestDate: LatestDate | undefined,
): [TimeFilter, TimeFilter] {
  const [p1, p2] = ranges.map((x) => timeFilter(member, x, now, latestDate)) as [TimeFilter, TimeFilter];
  if (p1.from !== p2.from || p1.to !== p2.to) return [p1, p2];
  const unitOf = (x: string | [string, string]) =>
    typeof x === 'string' ? /^last (day|week|month|quarter|year)$/.exec(x)?.[1] : undefined;
  const i = unitOf(ranges[0]) ? 0 : 1;
  const said = ranges[i] as string | [string, string];
  const unit = unitOf(said);
  const other = i === 0 ? ranges[1] : ranges[0];
  if (!unit || typeof said !== 'string' || typeof other !== 'string' || !other.startsWith('this '))
    return [p1, p2];
  const anchor = i === 0 ? p2 : p1;
  const from = shiftUnits(anchor.from.slice(0, 10), unit, -1);
  const to = shiftDay(shiftUnits(from, unit, 1), -1);
  const before = timeFilter(member, [from, to], now);
  const shifted = { ...before, label: `${said} (${before.label}, the ${unit} before)` };
  return i === 0 ? [shifted, p2] : [p1, shifted];
}
