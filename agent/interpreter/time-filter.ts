import { parseDateRange } from '../../semantic/index.ts';
import type { TimeFilter } from './logical-form.ts';

/**
 * A question's date range on a cube's time dimension, with the label a person would write:
 * a whole year as "2021", a whole month as "2021-03", otherwise "2021-03-01 to 2021-06-30".
 */
export function timeFilter(member: string, range: string | [string, string], now: Date): TimeFilter {
  const [from, to] = parseDateRange(range, 'UTC', now);
  const a = from.slice(0, 10);
  const b = to.slice(0, 10);
  let label = `${a} to ${b}`;
  if (a.endsWith('-01-01') && b.endsWith('-12-31') && a.slice(0, 4) === b.slice(0, 4)) label = a.slice(0, 4);
  else if (a.endsWith('-01-01') && b.endsWith('-12-31')) label = `${a.slice(0, 4)} to ${b.slice(0, 4)}`;
  else if (a.endsWith('-01') && a.slice(0, 7) === b.slice(0, 7) && lastDay(b)) label = a.slice(0, 7);
  else if (a.endsWith('-01') && a.slice(0, 4) === b.slice(0, 4) && lastDay(b)) {
    // A quarter reads 2021-Q2, a half 2021-H1.
    const m1 = Number(a.slice(5, 7));
    const m2 = Number(b.slice(5, 7));
    if (m2 - m1 === 2 && m1 % 3 === 1) label = `${a.slice(0, 4)}-Q${(m1 + 2) / 3}`;
    else if (m2 - m1 === 5 && (m1 === 1 || m1 === 7)) label = `${a.slice(0, 4)}-H${m1 === 1 ? 1 : 2}`;
  }
  return { member, from, to, label };
}

function lastDay(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.getUTCDate() === 1;
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
