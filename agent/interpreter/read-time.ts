import * as chrono from 'chrono-node';

export type Granularity = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Time read from a question: a Cube dateRange (relative string or [from, to]) and/or a grain. */
export interface TimeIntent {
  dateRange?: string | [string, string];
  granularity?: Granularity;
  /** The question with the time phrases blanked out, for member matching. */
  rest: string;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_RE = `(${MONTHS.join('|')}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)`;
const UNIT = '(day|week|month|quarter|year)s?';

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.startsWith(name.slice(0, 3)));
}
function monthRange(year: number, month: number): [string, string] {
  const end = new Date(Date.UTC(year, month + 1, 0));
  return [`${year}-${String(month + 1).padStart(2, '0')}-01`, iso(end)];
}

/**
 * Read time phrases: "last year", "in 2019", "since March 2020", "between 2018 and 2020",
 * "last 7 days", "this quarter", "by month", "monthly". `now` fixes "today" for determinism.
 *
 * @example readTime('visits by month in 2019', new Date()) // { dateRange: ['2019-01-01','2019-12-31'], granularity: 'month', … }
 */
export function readTime(question: string, now: Date): TimeIntent {
  let rest = ` ${question.toLowerCase()} `;
  const out: TimeIntent = { rest };
  const take = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    const m = re.exec(rest);
    if (!m) return false;
    fn(m);
    rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
    return true;
  };

  // Grain.
  take(/\b(?:by|per|each|every|over|grouped by|broken down by)\s+(day|week|month|quarter|year)s?\b/, (m) => {
    out.granularity = m[1] as Granularity;
  }) ||
    take(/\b(daily|weekly|monthly|quarterly|yearly|annually|annual)\b/, (m) => {
      const g: Record<string, Granularity> = {
        daily: 'day',
        weekly: 'week',
        monthly: 'month',
        quarterly: 'quarter',
        yearly: 'year',
        annually: 'year',
        annual: 'year',
      };
      out.granularity = g[m[1] as string];
    }) ||
    take(/\b(over time|trend|trends|trending)\b/, () => {
      out.granularity = 'month';
    });

  const today = iso(now);
  const ranged =
    take(/\b(?:between|from)\s+((?:19|20)\d\d)\s+(?:and|to|-|through|until)\s+((?:19|20)\d\d)\b/, (m) => {
      out.dateRange = [`${m[1]}-01-01`, `${m[2]}-12-31`];
    }) ||
    // "2022 and 2023", "2022 vs 2023": both years, side by side.
    take(
      /\b(?:in\s+|for\s+|during\s+)?((?:19|20)\d\d)\s+(?:and|vs\.?|versus|compared (?:to|with))\s+((?:19|20)\d\d)\b/,
      (m) => {
        out.dateRange = [`${m[1]}-01-01`, `${m[2]}-12-31`];
        out.granularity ??= 'year';
      },
    ) ||
    take(/\bfrom\s+(\d{4}-\d{2}-\d{2})\s+(?:to|until|through)\s+(\d{4}-\d{2}-\d{2})\b/, (m) => {
      out.dateRange = [m[1] as string, m[2] as string];
    }) ||
    take(
      new RegExp(`\\b(?:in the |during the |over the )?(?:last|past|previous)\\s+(\\d+)\\s+${UNIT}\\b`),
      (m) => {
        out.dateRange = `last ${m[1]} ${m[2]}s`;
      },
    ) ||
    take(new RegExp(`\\b(?:in the |during the |over the )?(?:last|past|previous)\\s+${UNIT}\\b`), (m) => {
      out.dateRange = `last ${m[1]}`;
    }) ||
    take(new RegExp(`\\b(?:this|current)\\s+${UNIT}\\b`), (m) => {
      out.dateRange = `this ${m[1]}`;
    }) ||
    take(/\b(year to date|ytd)\b/, () => {
      out.dateRange = 'this year';
    }) ||
    take(/\b(today|yesterday)\b/, (m) => {
      out.dateRange = m[1] as string;
    }) ||
    take(
      /\b(?:in |during |for )?(?:the )?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter)\s+(?:of\s+)?((?:19|20)\d\d)\b/,
      (m) => {
        const ordinal: Record<string, number> = {
          first: 1,
          second: 2,
          third: 3,
          fourth: 4,
          '1st': 1,
          '2nd': 2,
          '3rd': 3,
          '4th': 4,
        };
        const n = m[1] ? Number(m[1]) : (ordinal[m[2] as string] ?? 1);
        const y = Number(m[3]);
        out.dateRange = [monthRange(y, (n - 1) * 3)[0], monthRange(y, (n - 1) * 3 + 2)[1]];
      },
    ) ||
    take(new RegExp(`\\b(?:since|after)\\s+${MONTH_RE}\\s+((?:19|20)\\d\\d)\\b`), (m) => {
      out.dateRange = [monthRange(Number(m[2]), monthIndex(m[1] as string))[0], today];
    }) ||
    take(/\b(?:since|after|from)\s+((?:19|20)\d\d)\b/, (m) => {
      out.dateRange = [`${m[1]}-01-01`, today];
    }) ||
    take(/\b(?:before|prior to|until)\s+((?:19|20)\d\d)\b/, (m) => {
      out.dateRange = ['1900-01-01', `${Number(m[1]) - 1}-12-31`];
    }) ||
    take(new RegExp(`\\b(?:in|during|for)?\\s*${MONTH_RE}\\s+((?:19|20)\\d\\d)\\b`), (m) => {
      out.dateRange = monthRange(Number(m[2]), monthIndex(m[1] as string));
    }) ||
    take(/\b(?:in|during|for|of)?\s*((?:19|20)\d\d)\b/, (m) => {
      out.dateRange = [`${m[1]}-01-01`, `${m[1]}-12-31`];
    });

  // chrono is the slow part of planning: only when a word that starts a date phrase is there.
  if (!ranged && /\b(since|after|before|from|on)\b/.test(rest)) {
    // Anything else that reads as a date ("since 3/15/2020", "after June 5, 2019").
    const found = chrono.parse(rest, now, { forwardDate: false });
    const hit = found.find((r) =>
      /\b(since|after|before|from|on)\b/.test(rest.slice(Math.max(0, r.index - 8), r.index)),
    );
    if (hit) {
      const start = iso(hit.start.date());
      const before = /\bbefore\b/.test(rest.slice(Math.max(0, hit.index - 8), hit.index));
      out.dateRange = before ? ['1900-01-01', start] : [start, hit.end ? iso(hit.end.date()) : today];
      rest = rest.slice(0, hit.index) + ' '.repeat(hit.text.length) + rest.slice(hit.index + hit.text.length);
      rest = rest.replace(/\b(since|after|before|from|on)\s+$/, '');
    }
  }
  out.rest = rest.trim();
  return out;
}
