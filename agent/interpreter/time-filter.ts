import { quoteLiteral } from '../../core/index.ts';
import { parseDateRange } from '../../semantic/index.ts';
import { dataRelativeRange, type LatestDate } from './data-dates.ts';
import type { TimeFilter } from './logical-form.ts';

/** The open start of a range read from "before …", "up to …": records have no dates before this. */
const EARLIEST = '1900-01-01';
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2021-03-05" as a person writes it: "5 Mar 2021". */
function dayInWords(d: string): string {
  return `${Number(d.slice(8, 10))} ${MONTH_NAMES[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;
}

/** A whole year, quarter, half or month as its grain reads (2021, 2021-Q2, 2021-H1, 2021-03). */
function periodLabel(a: string, b: string): string | undefined {
  if (a.endsWith('-01-01') && b.endsWith('-12-31'))
    return a.slice(0, 4) === b.slice(0, 4) ? a.slice(0, 4) : `${a.slice(0, 4)} to ${b.slice(0, 4)}`;
  if (!a.endsWith('-01') || !lastDay(b)) return undefined;
  if (a.slice(0, 7) === b.slice(0, 7)) return a.slice(0, 7);
  const m1 = Number(a.slice(5, 7));
  const m2 = Number(b.slice(5, 7));
  if (a.slice(0, 4) === b.slice(0, 4)) {
    if (m2 - m1 === 2 && m1 % 3 === 1) return `${a.slice(0, 4)}-Q${(m1 + 2) / 3}`;
    if (m2 - m1 === 5 && (m1 === 1 || m1 === 7)) return `${a.slice(0, 4)}-H${m1 === 1 ? 1 : 2}`;
  }
  return `${a.slice(0, 7)} to ${b.slice(0, 7)}`;
}

/**
 * A question's date range on a cube's time dimension, with the label a person would write: a
 * whole year as "2021", a quarter "2021-Q2", a month "2021-03", years "2015 to 2020", an open range
 * "up to 2014" or "2019 onward", a day "5 Mar 2021", else "1 Jan 2000 to 15 Jun 2020, inclusive".
 * A relative range ("last quarter") is read against the data's latest date on `member` when
 * `latestDate` knows it and the data stops before today's period (see `dataRelativeRange`).
 */
export function timeFilter(
  member: string,
  range: string | [string, string],
  now: Date,
  latestDate?: LatestDate,
): TimeFilter {
  const latest = typeof range === 'string' ? latestDate?.(member) : undefined;
  const anchored = latest && typeof range === 'string' ? dataRelativeRange(range, latest, now) : undefined;
  if (anchored) {
    const [from, to] = parseDateRange([anchored.from, anchored.to], 'UTC', now);
    return { member, from, to, label: anchored.label };
  }
  const [from, to] = parseDateRange(range, 'UTC', now);
  const a = from.slice(0, 10);
  const b = to.slice(0, 10);
  const today = now.toISOString().slice(0, 10);
  const openEnd = b === today || (b === `${now.getUTCFullYear()}-12-31` && a.endsWith('-01-01'));
  let label: string;
  if (a === EARLIEST) {
    const end = periodLabel(`${b.slice(0, 4)}-${b.endsWith('-12-31') ? '01' : b.slice(5, 7)}-01`, b);
    label = end ? `up to ${end.split(' to ').pop()}` : `up to and including ${dayInWords(b)}`;
  } else if (openEnd && typeof range !== 'string' && a < b) {
    const start = a.endsWith('-01-01') ? a.slice(0, 4) : a.endsWith('-01') ? a.slice(0, 7) : dayInWords(a);
    label = `${start} onward`;
  } else if (a === b) label = dayInWords(a);
  else label = periodLabel(a, b) ?? `${dayInWords(a)} to ${dayInWords(b)}, inclusive`;
  return { member, from, to, label };
}

/**
 * A time column as the zone-less UTC timestamp it stands for, whatever its SQL type (DATE,
 * TIMESTAMP, or TIMESTAMPTZ) and whatever the session's time zone: a TIMESTAMPTZ compared with a
 * plain literal, or cut by `date_trunc`, would be read in the session's zone and move rows across
 * midnight UTC (a New Year's Eve visit into the next year). The semantic layer reads zone-aware
 * times as UTC too, so both paths count the same rows.
 *
 * @example utcTime('"start"') // make_timestamp(epoch_us("start"))
 */
export function utcTime(column: string): string {
  return `make_timestamp(epoch_us(${column}))`;
}

/** A time filter as SQL on a column: from the first to the last instant of its days, in UTC. */
export function timeRangeSql(column: string, t: { from: string; to: string }): string {
  const x = utcTime(column);
  return `${x} >= ${quoteLiteral(t.from)} AND ${x} <= ${quoteLiteral(t.to)}`;
}

/** Whether a time filter covers whole calendar years (what a date kept to the year can answer). */
export function wholeYears(t: TimeFilter): boolean {
  return t.from.slice(5, 10) === '01-01' && t.to.slice(5, 10) === '12-31';
}

function lastDay(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.getUTCDate() === 1;
}

/**
 * The first day a running total adds up from, in words at its grain: "2023", "Q1 2023", "January
 * 2023", "1 Jan 2022" (a week's first day as the period starts it, not the week's Monday).
 *
 * @example startInWords('2023-01-01', 'month') // 'January 2023'
 */
export function startInWords(from: string, grain: string): string {
  const y = from.slice(0, 4);
  const month = Number(from.slice(5, 7));
  if (grain === 'year' && from.slice(5, 10) === '01-01') return y;
  if (grain === 'quarter' && from.endsWith('-01') && month % 3 === 1) return `Q${(month + 2) / 3} ${y}`;
  if ((grain === 'month' || grain === 'quarter' || grain === 'year') && from.endsWith('-01'))
    return `${new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${y}`;
  return dayInWords(from);
}

/** A time value as its grain reads: 2021, 2021-Q1, 2021-03, 2021-03-05. */
export function formatAtGrain(value: unknown, grain: string): string {
  const s = String(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return s;
  if (grain === 'year') return s.slice(0, 4);
  if (grain === 'quarter') return `${s.slice(0, 4)}-Q${Math.floor((Number(s.slice(5, 7)) - 1) / 3) + 1}`;
  if (grain === 'month') return s.slice(0, 7);
  if (grain === 'day' || grain === 'week') return s.slice(0, 10);
  return s.replace('T', ' ').replace(/\.000$/, '');
}
