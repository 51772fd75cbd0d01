import { QueryInvalidError } from '../errors.ts';

/** A closed range of local timestamps, `YYYY-MM-DDTHH:mm:ss.SSS`, in the query's time zone. */
export type LocalRange = [string, string];

const UNITS = ['day', 'week', 'month', 'quarter', 'year'] as const;
type Unit = (typeof UNITS)[number];

/**
 * A Cube date range, absolute (`['2020-01-01', '2020-06-30']`, `"from 2020-01-01 to 2020-06-30"`)
 * or relative (`"today"`, `"yesterday"`, `"this quarter"`, `"last 7 days"`, `"last month"`,
 * `"next 2 weeks"`), as local timestamps in `timezone`. "last N days" ends yesterday; "last
 * month" is the previous calendar month; weeks start on Monday.
 *
 * @example parseDateRange('last 7 days', 'UTC', new Date('2024-03-10T12:00:00Z')) // ['2024-03-03T00:00:00.000', '2024-03-09T23:59:59.999']
 */
export function parseDateRange(
  range: string | readonly [string, string],
  timezone: string,
  now = new Date(),
): LocalRange {
  if (Array.isArray(range)) return [localStart(range[0]!), localEnd(range[1]!)];
  const text = (range as string).trim().toLowerCase().replace(/\s+/g, ' ');
  const fromTo = /^from (.+) to (.+)$/.exec(text);
  if (fromTo) {
    const [, a, b] = fromTo as unknown as [string, string, string];
    const side = (t: string, which: 0 | 1): string => {
      if (isAbsolute(t)) return which === 0 ? localStart(t) : localEnd(t);
      const point = relativeDay(t, todayIn(timezone, now));
      if (point) return wholeDays(fmt(point), fmt(point))[which];
      return parseDateRange(t, timezone, now)[which];
    };
    return [side(a, 0), side(b, 1)];
  }
  if (isAbsolute(text)) return [localStart(text), localEnd(text)];
  const today = todayIn(timezone, now);
  const day = (d: Date) => [fmt(d), fmt(d)] as const;
  if (text === 'today' || text === 'now') return wholeDays(...day(today));
  if (text === 'yesterday') return wholeDays(...day(addDays(today, -1)));
  if (text === 'tomorrow') return wholeDays(...day(addDays(today, 1)));
  const m = /^(this|last|next) (?:(\d{1,4}) )?(day|week|month|quarter|year)s?$/.exec(text);
  if (!m)
    throw new QueryInvalidError(`"${String(range).slice(0, 60)}" is not a date range Cube understands.`);
  const [, which, countRaw, unitRaw] = m as unknown as [string, string, string | undefined, Unit];
  const count = countRaw === undefined ? 1 : Number(countRaw);
  if (count < 1) throw new QueryInvalidError('A relative date range needs a count of at least 1.');
  const startOfThis = periodStart(today, unitRaw);
  if (which === 'this')
    return wholeDays(fmt(startOfThis), fmt(addDays(addUnits(startOfThis, unitRaw, 1), -1)));
  if (which === 'last') {
    // "last N days" and "last N weeks" end yesterday/last period; both counted whole periods back.
    if (unitRaw === 'day') return wholeDays(fmt(addDays(today, -count)), fmt(addDays(today, -1)));
    return wholeDays(fmt(addUnits(startOfThis, unitRaw, -count)), fmt(addDays(startOfThis, -1)));
  }
  if (unitRaw === 'day') return wholeDays(fmt(addDays(today, 1)), fmt(addDays(today, count)));
  const next = addUnits(startOfThis, unitRaw, 1);
  return wholeDays(fmt(next), fmt(addDays(addUnits(next, unitRaw, count), -1)));
}

/** `N days ago`, `2 weeks from now` (Cube's `from … to …` sides), as a calendar day; else null. */
function relativeDay(text: string, today: Date): Date | null {
  const m = /^(\d{1,4}) (day|week|month|quarter|year)s? (ago|from now)$/.exec(text);
  if (!m) return null;
  const [, n, unit, dir] = m as unknown as [string, string, Unit, string];
  const k = Number(n) * (dir === 'ago' ? -1 : 1);
  if (unit === 'day') return addDays(today, k);
  if (unit === 'week') return addDays(today, 7 * k);
  const months = unit === 'month' ? k : unit === 'quarter' ? 3 * k : 12 * k;
  const y = today.getUTCFullYear();
  const mo = today.getUTCMonth() + months;
  // The same day of the month, or the month's last day when it has fewer (Mar 31 − 1 month = Feb 28/29).
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, mo, Math.min(today.getUTCDate(), last)));
}

function isAbsolute(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}([ t]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?z?$/i.test(s.trim());
}

function checkAbsolute(s: string): string {
  const t = s.trim();
  if (!isAbsolute(t))
    throw new QueryInvalidError(`"${t.slice(0, 40)}" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss).`);
  const d = new Date(`${t.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== t.slice(0, 10)) {
    throw new QueryInvalidError(`"${t.slice(0, 40)}" is not a valid date.`);
  }
  return t.replace(' ', 'T').replace(/z$/i, '');
}

/** The start of a date or timestamp, as a local timestamp. */
export function localStart(s: string): string {
  const t = checkAbsolute(s);
  return t.length === 10 ? `${t}T00:00:00.000` : pad(t);
}

/** The end of a date (end of day) or a timestamp (itself), as a local timestamp. */
export function localEnd(s: string): string {
  const t = checkAbsolute(s);
  return t.length === 10 ? `${t}T23:59:59.999` : pad(t);
}

function pad(t: string): string {
  const [date, time = ''] = t.split('T');
  const [hms, frac = ''] = time.split('.');
  const parts = (hms ?? '').split(':');
  while (parts.length < 3) parts.push('00');
  return `${date}T${parts.join(':')}.${(`${frac}000`).slice(0, 3)}`;
}

function wholeDays(a: string, b: string): LocalRange {
  return [`${a}T00:00:00.000`, `${b}T23:59:59.999`];
}

/** Today's calendar date in `timezone`, as a UTC-midnight Date (calendar arithmetic only). */
function todayIn(timezone: string, now: Date): Date {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(now);
  } catch {
    throw new QueryInvalidError(`"${timezone}" is not a time zone.`);
  }
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day')));
}

function periodStart(d: Date, unit: Unit): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (unit === 'day') return d;
  if (unit === 'week') return addDays(d, -((d.getUTCDay() + 6) % 7));
  if (unit === 'month') return new Date(Date.UTC(y, m, 1));
  if (unit === 'quarter') return new Date(Date.UTC(y, m - (m % 3), 1));
  return new Date(Date.UTC(y, 0, 1));
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * 86_400_000);
}

function addUnits(d: Date, unit: Unit, n: number): Date {
  if (unit === 'day') return addDays(d, n);
  if (unit === 'week') return addDays(d, 7 * n);
  const months = unit === 'month' ? n : unit === 'quarter' ? 3 * n : 12 * n;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}

function fmt(d: Date): string {
  return d.toISOString().slice(0, 10);
}
