import { parseDateRange } from '../../semantic/index.ts';

/**
 * A period named in a question, before its connecting words are read: one day, month, quarter,
 * half, year or decade ("12/31/2020", "Jan 2021", "Q1 2021", "H2 2020", "CY2020", "the 2010s"), or
 * a period relative to now ("last 3 years", "this month", "YTD"). `start`/`end` locate its words.
 */
export interface Period {
  from: string;
  to: string;
  /** A Cube relative range ("last year", "this month") when the period is relative to now. */
  relative?: string;
  unit: 'day' | 'month' | 'quarter' | 'half' | 'year' | 'decade' | 'relative';
  /** "YTD", "month to date": up to today; beside a stated period, it only says "so far" within it. */
  toDate?: boolean;
  start: number;
  end: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
export const MON =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const Y4 = '((?:19|20)\\d\\d)';
const ORD: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  latter: 2,
  back: 2,
  front: 1,
};
const START = '(?<![\\w./])';
const END = '(?![\\w/]|[-.]\\d)';
/** A year may be followed by another ("2018-2020"), not by a month ("2020-03"). */
const END_YEAR = '(?![\\w/]|[-.]\\d\\d?(?!\\d))';

export function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function day(y: number, m: number, d: number): string {
  return iso(new Date(Date.UTC(y, m, d)));
}
function validDay(y: number, m: number, d: number): boolean {
  return m >= 0 && m < 12 && d >= 1 && d <= new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
}
export function monthOf(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3));
}
/** A two-digit year: in this century unless that would be after this year. */
function fullYear(yy: string, now: Date): number {
  const n = Number(yy);
  if (yy.length === 4) return n;
  const y = 2000 + n;
  return y > now.getUTCFullYear() ? y - 100 : y;
}
function months(y: number, m1: number, m2: number): [string, string] {
  return [day(y, m1, 1), day(y, m2 + 1, 0)];
}

type AtomReader = [RegExp, (m: RegExpExecArray, now: Date) => Omit<Period, 'start' | 'end'> | undefined];

/** The period shapes people write, each read to its first and last day. */
const ATOMS: AtomReader[] = [
  // ISO dates, with a time of day or a zone left out of the day: "2020-03-15", "2020-03-15T10:00Z".
  [
    new RegExp(
      `${START}${Y4}-(\\d{1,2})-(\\d{1,2})(?:[t ]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:z|[+-]\\d{2}:?\\d{2})?)?${END}`,
      'g',
    ),
    (m) => dayOf(Number(m[1]), Number(m[2]) - 1, Number(m[3])),
  ],
  [
    new RegExp(`${START}${Y4}[/.](\\d{1,2})[/.](\\d{1,2})${END}`, 'g'),
    (m) => dayOf(Number(m[1]), Number(m[2]) - 1, Number(m[3])),
  ],
  // "12/31/2020", "1/1/20": month first (a first number over 12 is the day).
  [
    new RegExp(`${START}(\\d{1,2})[/.](\\d{1,2})[/.]((?:19|20)?\\d\\d)${END}`, 'g'),
    (m, now) => {
      const a = Number(m[1]);
      const b = Number(m[2]);
      const y = fullYear(m[3] as string, now);
      return a > 12 ? dayOf(y, b - 1, a) : dayOf(y, a - 1, b);
    },
  ],
  // "1 Jan 2024", "1st of January, 2024", "January 1, 2024", "Jan 1st 2024".
  [
    new RegExp(`${START}${DAY}(?:\\s+of)?\\s+${MON},?\\s+${Y4}${END}`, 'g'),
    (m) => dayOf(Number(m[3]), monthOf(m[2] as string), Number(m[1])),
  ],
  [
    new RegExp(`${START}${MON}\\s+${DAY},?\\s+${Y4}${END}`, 'g'),
    (m) => dayOf(Number(m[3]), monthOf(m[1] as string), Number(m[2])),
  ],
  // "March 2020", "mar, 2020", "jan-2020", "Jan '21", "2020-03", "03/2020".
  [
    new RegExp(`${START}${MON}(?:\\s+of|,)?[\\s/-]*(?:${Y4}|'(\\d\\d))${END}`, 'g'),
    (m, now) => monthPeriod(fullYear((m[2] ?? m[3]) as string, now), monthOf(m[1] as string)),
  ],
  [
    new RegExp(`${START}${Y4}[-/](0?[1-9]|1[0-2])${END}`, 'g'),
    (m) => monthPeriod(Number(m[1]), Number(m[2]) - 1),
  ],
  [
    new RegExp(`${START}(0?[1-9]|1[0-2])/${Y4}${END}`, 'g'),
    (m) => monthPeriod(Number(m[2]), Number(m[1]) - 1),
  ],
  // Quarters: "Q1 2021", "q3'20", "2020 Q3", "2020-Q3", "the first quarter of 2021".
  [
    new RegExp(
      `${START}(?:q([1-4])[\\s/'-]*(?:(?:of|in)\\s+(?=(?:19|20)\\d\\d))?(?:${Y4}|(\\d\\d))|${Y4}\\s*[-/]?\\s*q([1-4])|(?:the\\s+)?(first|second|third|fourth|1st|2nd|3rd|4th|last|final)\\s+quarter\\s+(?:of\\s+|in\\s+)?${Y4})${END}`,
      'g',
    ),
    (m, now) => {
      const n = m[1] ? Number(m[1]) : m[5] ? Number(m[5]) : m[6] ? (ORD[m[6]] ?? 4) : 4;
      const y = m[2] || m[3] ? fullYear((m[2] ?? m[3]) as string, now) : Number(m[4] ?? m[7]);
      const [from, to] = months(y, (n - 1) * 3, (n - 1) * 3 + 2);
      return { from, to, unit: 'quarter' };
    },
  ],
  // Halves: "H2 2020", "2018 H2", "the first half of 2021".
  [
    new RegExp(
      `${START}(?:h([12])[\\s/'-]*(?:(?:of|in)\\s+(?=(?:19|20)\\d\\d))?(?:${Y4}|(\\d\\d))|${Y4}\\s*[-/]?\\s*h([12])|(?:the\\s+)?(first|second|1st|2nd|latter|last|back|front)\\s+half\\s+(?:of\\s+|in\\s+)?${Y4})${END}`,
      'g',
    ),
    (m, now) => {
      const n = m[1] ? Number(m[1]) : m[5] ? Number(m[5]) : m[6] ? (ORD[m[6]] ?? 2) : 2;
      const y = m[2] || m[3] ? fullYear((m[2] ?? m[3]) as string, now) : Number(m[4] ?? m[7]);
      const [from, to] = n === 1 ? months(y, 0, 5) : months(y, 6, 11);
      return { from, to, unit: 'half' };
    },
  ],
  // A half or quarter that shares the year of the next one: "H1 vs H2 of 2023", "Q1 and Q2 2022",
  // "the first half compared to the second half of 2021" (the year is read again with the second).
  [
    new RegExp(
      `${START}(?:(q)([1-4])|(h)([12])|(?:the\\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\\s+(quarter|half))(?=\\s*(?:vs\\.?|versus|and|or|,|to|through|thru|-|–|compared\\s+(?:to|with)|against)\\s*(?:the\\s+)?(?:q[1-4]|h[12]|(?:first|second|third|fourth|1st|2nd|3rd|4th|last|final|latter)\\s+(?:quarter|half))\\s*(?:of\\s+|in\\s+)?${Y4}${END_YEAR})`,
      'g',
    ),
    (m) => {
      const half = m[3] === 'h' || m[6] === 'half';
      const n = m[2] ? Number(m[2]) : m[4] ? Number(m[4]) : (ORD[m[5] as string] ?? 1);
      if (half && n > 2) return undefined;
      const y = Number(m[7]);
      const [from, to] = half
        ? n === 1
          ? months(y, 0, 5)
          : months(y, 6, 11)
        : months(y, (n - 1) * 3, (n - 1) * 3 + 2);
      return { from, to, unit: half ? 'half' : 'quarter' };
    },
  ],
  // "the first 6 months of 2020", "the last 2 quarters of 2019".
  [
    new RegExp(
      `${START}(?:the\\s+)?(first|last|final)\\s+(\\d{1,2})\\s+(month|quarter)s?\\s+(?:of\\s+|in\\s+)${Y4}${END}`,
      'g',
    ),
    (m) => {
      const n = Number(m[2]) * (m[3] === 'quarter' ? 3 : 1);
      if (n < 1 || n > 12) return undefined;
      const y = Number(m[4]);
      const [from, to] = m[1] === 'first' ? months(y, 0, n - 1) : months(y, 12 - n, 11);
      return { from, to, unit: 'month' };
    },
  ],
  // Decades: "the 2010s", "1990s", "the '90s".
  [
    new RegExp(`${START}(?:the\\s+)?(?:((?:19|20)\\d)0|'(\\d)0)'?s${END}`, 'g'),
    (m, now) => {
      const y = m[1] ? Number(m[1]) * 10 : fullYear(`${m[2]}0`, now);
      return { from: `${y}-01-01`, to: `${y + 9}-12-31`, unit: 'decade' };
    },
  ],
  // Years: "2020", "the year 2020", "calendar year 2020", "CY2020", "CY'20", "'21".
  [
    new RegExp(
      `${START}(?:(?:(?:the\\s+)?(?:calendar\\s+)?year(?:\\s+of)?\\s+|calendar\\s+|cy\\s*'?)(?:${Y4}|(\\d\\d))|${Y4}|'(\\d\\d))${END_YEAR}`,
      'g',
    ),
    (m, now) => {
      const y = fullYear((m[1] ?? m[2] ?? m[3] ?? m[4]) as string, now);
      return { from: `${y}-01-01`, to: `${y}-12-31`, unit: 'year' };
    },
  ],
  // Relative to now: "the last 3 years", "past 12 months", "the previous quarter", "this month".
  [
    /(?<![\w])(?:the\s+)?(?:last|past|previous|prior|preceding|trailing|most\s+recent)\s+(\d+)\s+(?:calendar\s+)?(day|week|month|quarter|year)s?(?!\w)/g,
    (m) => ({ ...rel(`last ${m[1]} ${m[2]}s`), unit: 'relative' }),
  ],
  [
    /(?<![\w])(?:the\s+)?(?:last|past|previous|prior|preceding|most\s+recent|latest|last\s+complete|most\s+recent\s+complete)\s+(?:calendar\s+|full\s+|complete\s+)?(day|week|month|quarter|year)(?!\w)/g,
    (m) => ({ ...rel(`last ${m[1]}`), unit: 'relative' }),
  ],
  [
    /(?<![\w])(?:so\s+far\s+)?(?:the\s+)?(?:this|current|present)\s+(?:calendar\s+)?(day|week|month|quarter|year)(?:\s+so\s+far)?(?!\w)/g,
    (m) => ({ ...rel(`this ${m[1]}`), unit: 'relative' }),
  ],
  [
    /(?<![\w])(ytd|mtd|qtd|wtd|(year|month|quarter|week)[\s-]+to[\s-]+date)(?!\w)/g,
    (m) => {
      const unit = m[2] ?? { ytd: 'year', mtd: 'month', qtd: 'quarter', wtd: 'week' }[m[1] as string];
      return { ...rel(`this ${unit}`), unit: 'relative', toDate: true };
    },
  ],
  [/(?<![\w])(today|yesterday)(?!\w)/g, (m) => ({ ...rel(m[1] as string), unit: 'relative' })],
  // "3 years ago": that day.
  [
    /(?<![\w])(\d+)\s+(day|week|month|quarter|year)s?\s+ago(?!\w)/g,
    (m, now) => {
      const n = Number(m[1]);
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      if (m[2] === 'day') d.setUTCDate(d.getUTCDate() - n);
      else if (m[2] === 'week') d.setUTCDate(d.getUTCDate() - 7 * n);
      else d.setUTCMonth(d.getUTCMonth() - n * ({ month: 1, quarter: 3, year: 12 }[m[2] as string] ?? 1));
      return { from: iso(d), to: iso(d), unit: 'day' };
    },
  ],
];

const MONTH_WORD = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/;
/** What each reader of ATOMS needs in the text at all, in their order: a cheap test first. */
const NEEDS: Array<RegExp | undefined> = [
  /\d-\d/,
  /\d[/.]\d/,
  /\d[/.]\d/,
  MONTH_WORD,
  MONTH_WORD,
  MONTH_WORD,
  /\d[-/]\d/,
  /\d\/\d/,
  /q[1-4]|quarter/,
  /h[12]|half/,
  /[qh][1-4]|quarter|half/,
  /months|quarters/,
  /0'?s\b/,
];
const RELATIVE_WORD =
  /\b(?:last|past|previous|prior|preceding|trailing|recent|latest|this|current|present|ytd|mtd|qtd|wtd|date|today|yesterday|ago)\b/;
/** The readers of periods relative to today (the rest all need a digit). */
const RELATIVE_ATOMS = new Set(
  ATOMS.slice(ATOMS.findIndex(([re]) => re.source.includes('most\\s+recent'))).map(([re]) => re),
);

function rel(text: string): { from: string; to: string; relative: string } {
  return { from: '', to: '', relative: text };
}
function dayOf(y: number, m: number, d: number): Omit<Period, 'start' | 'end'> | undefined {
  if (!validDay(y, m, d)) return undefined;
  const s = day(y, m, d);
  return { from: s, to: s, unit: 'day' };
}
function monthPeriod(y: number, m: number): Omit<Period, 'start' | 'end'> {
  const [from, to] = months(y, m, m);
  return { from, to, unit: 'month' };
}

/** Fiscal periods: when a fiscal year starts is not said by the model, so they are left unread. */
const FISCAL = /(?<![\w])(?:fiscal(?:\s+(?:year|yr|quarter|half))?|fy|fq[1-4])\s*'?(?:\d{2,4})?(?!\w)/g;
/** Numbers that are amounts, not years: "more than 2000", "over 1500". */
export const AMOUNT_BEFORE =
  /(?:(?:more|less|fewer|greater|higher|lower|other)\s+than|over|under|above|below|exceeding|at\s+(?:least|most)|[<>=]|top|first|bottom|id|code|number|#)\s*$/;

/**
 * Every period named in a text, in order, not overlapping (the longest reading of the same words
 * wins). Relative periods are resolved against `now` (UTC) for their first and last day.
 *
 * @example periodsIn(' visits from 1/1/2019 to 12/31/2019 ', now) // two day periods
 */
export function periodsIn(text: string, now: Date): Period[] {
  const blocked: Array<[number, number]> = [];
  for (const f of text.matchAll(FISCAL)) blocked.push([f.index, f.index + f[0].length]);
  const found: Period[] = [];
  // Every stated period has a digit; every relative one a word of these (planning is kept fast).
  const digits = /\d/.test(text);
  const relative = RELATIVE_WORD.test(text);
  for (const [i, [re, read]] of ATOMS.entries()) {
    if (RELATIVE_ATOMS.has(re) ? !relative : !digits) continue;
    if (NEEDS[i] && !NEEDS[i].test(text)) continue;
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (blocked.some(([a, b]) => start < b && end > a)) continue;
      const p = read(m as RegExpExecArray, now);
      if (!p) continue;
      // A bare number after a comparison is an amount.
      if (
        p.unit === 'year' &&
        /^\d{4}$/.test(m[0]) &&
        AMOUNT_BEFORE.test(text.slice(Math.max(0, start - 24), start))
      )
        continue;
      if (p.relative) {
        const [a, b] = parseDateRange(p.relative, 'UTC', now);
        p.from = a.slice(0, 10);
        p.to = b.slice(0, 10);
      }
      found.push({ ...p, start, end });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Period[] = [];
  for (const p of found) {
    const last = out[out.length - 1];
    if (last && p.start < last.end) continue;
    out.push(p);
  }
  return out;
}

/** The day before or after an ISO day. */
export function shiftDay(d: string, by: number): string {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + by);
  return iso(x);
}

/** An ISO day moved by whole units (a month from 31 Jan is the last day of February). */
export function shiftUnits(d: string, unit: string, n: number): string {
  if (unit === 'day') return shiftDay(d, n);
  if (unit === 'week') return shiftDay(d, 7 * n);
  const months = n * (unit === 'quarter' ? 3 : unit === 'year' ? 12 : 1);
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7)) - 1 + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return iso(new Date(Date.UTC(y, m, Math.min(Number(d.slice(8, 10)), last))));
}
