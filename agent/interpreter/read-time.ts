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
const ORDINAL: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  '1st': 1,
  '2nd': 2,
  '3rd': 3,
  '4th': 4,
  latter: 2,
  last: 2,
};

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.startsWith(name.slice(0, 3)));
}
function monthRange(year: number, month: number): [string, string] {
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, month + 1, 0));
  return [iso(start), iso(end)];
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
  // An open range from a whole year runs to the end of this year: whole years, which dates kept
  // to the year (Safe Harbor) can still answer, and no record is dated after today.
  const yearEnd = `${now.getUTCFullYear()}-12-31`;
  const Y = '((?:19|20)\\d\\d)';
  const year = (m: RegExpExecArray, i: number) => Number(m[i]);
  const ranged =
    // "between 2016 and 2019", "from 2018 to 2020", "2015 through 2023", "2018-2023".
    take(
      new RegExp(
        `\\b(?:between\\s+|from\\s+|in\\s+|for\\s+|during\\s+)?(?:the\\s+years?\\s+)?${Y}\\s*(?:-|–|to|through|thru|until|till)\\s*${Y}\\b(?:\\s+inclusive)?`,
      ),
      (m) => {
        const [a, b] = [year(m, 1), year(m, 2)].sort((x, y) => x - y);
        out.dateRange = [`${a}-01-01`, `${b}-12-31`];
      },
    ) ||
    take(new RegExp(`\\bbetween\\s+${Y}\\s+and\\s+${Y}\\b`), (m) => {
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
    take(
      /\b(?:from|between)\s+(\d{4}-\d{2}-\d{2})\s+(?:to|until|through|and)\s+(\d{4}-\d{2}-\d{2})\b/,
      (m) => {
        out.dateRange = [m[1] as string, m[2] as string];
      },
    ) ||
    // "from March to June 2020", "between January 2019 and June 2020".
    take(
      new RegExp(
        `\\b(?:from|between)\\s+${MONTH_RE}(?:\\s+${Y})?\\s+(?:to|through|until|and|-)\\s+${MONTH_RE}\\s+${Y}\\b`,
      ),
      (m) => {
        const y2 = Number(m[4]);
        const y1 = m[2] ? Number(m[2]) : y2;
        out.dateRange = [
          monthRange(y1, monthIndex(m[1] as string))[0],
          monthRange(y2, monthIndex(m[3] as string))[1],
        ];
      },
    ) ||
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
    // "Q3 2020", "the second quarter of 2019", "2020 Q3", "2020-Q3".
    take(
      new RegExp(
        `\\b(?:in |during |for )?(?:the )?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter)\\s+(?:of\\s+|in\\s+)?${Y}\\b|\\b(?:in |during |for )?${Y}\\s*-?\\s*q([1-4])\\b`,
      ),
      (m) => {
        const n = m[1] ? Number(m[1]) : m[2] ? (ORDINAL[m[2]] ?? 1) : Number(m[5]);
        const y = Number(m[3] ?? m[4]);
        out.dateRange = [monthRange(y, (n - 1) * 3)[0], monthRange(y, (n - 1) * 3 + 2)[1]];
      },
    ) ||
    // "the first half of 2021", "H2 2018", "2018 H2".
    take(
      new RegExp(
        `\\b(?:in |during |for )?(?:the )?(?:h([12])|(first|second|1st|2nd|latter|last) half)\\s+(?:of\\s+|in\\s+)?${Y}\\b|\\b(?:in |during |for )?${Y}\\s*-?\\s*h([12])\\b`,
      ),
      (m) => {
        const n = m[1] ? Number(m[1]) : m[2] ? (ORDINAL[m[2]] ?? 1) : Number(m[5]);
        const y = Number(m[3] ?? m[4]);
        out.dateRange = n === 1 ? [`${y}-01-01`, `${y}-06-30`] : [`${y}-07-01`, `${y}-12-31`];
      },
    ) ||
    take(new RegExp(`\\b(?:since|from)\\s+(?:the\\s+start\\s+of\\s+)?${MONTH_RE}\\s+${Y}\\b`), (m) => {
      out.dateRange = [monthRange(Number(m[2]), monthIndex(m[1] as string))[0], today];
    }) ||
    take(new RegExp(`\\bafter\\s+${MONTH_RE}\\s+${Y}\\b`), (m) => {
      out.dateRange = [monthRange(Number(m[2]), monthIndex(m[1] as string) + 1)[0], today];
    }) ||
    // Open ranges by whole years: "since 2017", "in or after 2019", "2019 or later", "after 2019".
    take(
      new RegExp(
        `\\b(?:(?:in|on)\\s+or\\s+after|since|from|starting(?:\\s+in|\\s+from)?|beginning(?:\\s+in)?|no\\s+earlier\\s+than|not\\s+before)\\s+${Y}(?:\\s+(?:on(?:wards?)?|and\\s+(?:later|after|beyond)|forward))?\\b|\\b${Y}\\s+(?:or|and)\\s+(?:later|after|beyond|onwards?)\\b|\\b${Y}\\s+onwards?\\b`,
      ),
      (m) => {
        out.dateRange = [`${m[1] ?? m[2] ?? m[3]}-01-01`, yearEnd];
      },
    ) ||
    take(new RegExp(`\\b(?:after|later\\s+than)\\s+${Y}\\b`), (m) => {
      out.dateRange = [`${Number(m[1]) + 1}-01-01`, yearEnd];
    }) ||
    // "up to 2015", "in or before 2015", "through 2015", "2015 or earlier", "by the end of 2015".
    take(
      new RegExp(
        `\\b(?:(?:in|on)\\s+or\\s+before|up\\s+(?:to|until|till|through)(?:\\s+and\\s+including)?|through|thru|to\\s+the\\s+end\\s+of|by\\s+the\\s+end\\s+of|until\\s+the\\s+end\\s+of|no\\s+later\\s+than|not\\s+after)\\s+${Y}\\b|\\b${Y}\\s+(?:or|and)\\s+(?:earlier|before)\\b`,
      ),
      (m) => {
        out.dateRange = ['1900-01-01', `${m[1] ?? m[2]}-12-31`];
      },
    ) ||
    take(new RegExp(`\\b(?:before|prior\\s+to|until|till|earlier\\s+than)\\s+${Y}\\b`), (m) => {
      out.dateRange = ['1900-01-01', `${Number(m[1]) - 1}-12-31`];
    }) ||
    take(new RegExp(`\\b(?:in|during|for)?\\s*${MONTH_RE}\\s+(?:of\\s+)?${Y}\\b`), (m) => {
      out.dateRange = monthRange(Number(m[2]), monthIndex(m[1] as string));
    }) ||
    // "2020-03-15": one day; "2020-03": one month.
    take(/\b(?:on\s+|in\s+|during\s+)?((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b/, (m) => {
      const d = `${m[1]}-${m[2]}-${m[3]}`;
      out.dateRange = [d, d];
    }) ||
    take(/\b(?:in\s+|during\s+|for\s+)?((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-)/, (m) => {
      out.dateRange = monthRange(Number(m[1]), Number(m[2]) - 1);
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
