import { MON, monthOf, type Period, periodsIn, shiftDay } from './time-words.ts';

export type Granularity = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Time read from a question: a Cube dateRange (relative string or [from, to]) and/or a grain. */
export interface TimeIntent {
  dateRange?: string | [string, string];
  granularity?: Granularity;
  /** The grain was not named ("over time", "trend"): the reader chose it, and says so. */
  grainChosen?: boolean;
  /** "as of 2020-12-31": the point in time the question is asked at (rows up to then). */
  asOf?: string;
  /** A word that says which date the grain is of ("by birth year", "by month of discharge"), left in `rest`. */
  dateWord?: string;
  /** The question with the time phrases blanked out, for member matching. */
  rest: string;
}

const UNIT = '(day|week|month|quarter|year)';
const ADVERB: Record<string, Granularity> = {
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  quarterly: 'quarter',
  yearly: 'year',
  annually: 'year',
  annual: 'year',
};
/** The open start of a range: records have no dates before this. */
const EARLIEST = '1900-01-01';

// Words joining two periods into one range, inclusive of both ("2018 through 2020", "Jan-Mar 2021").
const SEP =
  /^\s*(?:-|–|—|to|through|thru|till|til|until|up\s+(?:to|until|till|through)(?:\s+and\s+including)?|to\s+and\s+including|through\s+to|and)\s*$/;
const PAIR_LEAD =
  /(?:^|\s)(?:between|from|in|during|for|over|within|spanning|covering)\s+(?:the\s+(?:years?|period|months?|dates?|quarters?)\s+)?(?:of\s+)?$/;
const BETWEEN_LEAD = /(?:^|\s)between\s+(?:the\s+(?:years?|period|months?|dates?|quarters?)\s+)?(?:of\s+)?$/;
const SIDE_BY_SIDE = /^\s*(?:and|vs\.?|versus|compared\s+(?:to|with))\s*$/;
const INCLUSIVE = /^\s*,?\s*\(?\s*(?:both\s+)?(?:inclusive(?:ly)?|included|incl\.?)\s*\)?/;
const EXCLUSIVE = /^\s*,?\s*\(?\s*(?:both\s+)?(?:exclusive(?:ly)?|excluded|excl\.?)\s*\)?/;
// Words before one period.
const UP_TO =
  /(?:^|\s)(?:up\s+(?:to|until|till|through)(?:\s+and\s+including)?|through|thru|(?:to|by|until|till|through)\s+the\s+end\s+of|no\s+later\s+than|not\s+(?:after|later\s+than)|(?:in|on)\s+or\s+before|as\s+(?:of|at)|by)\s+$/;
const AS_OF = /(?:^|\s)as\s+(?:of|at)\s+$/;
const BEFORE = /(?:^|\s)(?:before|prior\s+to|earlier\s+than|preceding|until|till|til)\s+$|(?:^|\s)pre[\s-]*$/;
const SINCE =
  /(?:^|\s)(?:since|starting(?:\s+(?:in|on|from|with))?|beginning(?:\s+(?:in|on|with))?|commencing|from|(?:in|on)\s+or\s+after|no\s+earlier\s+than|not\s+(?:before|earlier\s+than)|as\s+from|effective)\s+(?:the\s+(?:start|beginning)\s+of\s+)?$/;
const AFTER = /(?:^|\s)(?:after|later\s+than|following|since\s+the\s+end\s+of)\s+$|(?:^|\s)post[\s-]*$/;
const PLAIN =
  /(?:^|\s)(?:(?:in|during|for|of|within|on|throughout|over|at)\s+)?(?:the\s+(?:course\s+of\s+(?:the\s+)?|period\s+(?:of\s+)?|month\s+of\s+|quarter\s+of\s+|whole\s+(?:of\s+)?|entire\s+|entirety\s+of\s+)?)?$/;
// Words after one period.
const ONWARD =
  /^\s*(?:on(?:wards?)?|forwards?|(?:and|or)\s+(?:later|after|beyond|onwards?|since|up)|(?:to|until|till|through|-|–)\s+(?:now|today|date|the\s+present|present|the\s+present\s+day))(?!\w)/;
const OR_EARLIER = /^\s*(?:and|or)\s+(?:earlier|before|prior)(?!\w)/;

/**
 * Read time phrases as people write them in analytics questions: a period (a year, "CY2020",
 * "'21", a month, a quarter, a half, a decade, a day in ISO, US or written form), a range of two
 * ("between 1/1/2019 and 12/31/2019", "2018-2020", "from March to June 2020", "up to and
 * including 2020"), an open range ("since", "after", "before", "prior to", "on or after", "no
 * later than", "pre-2020", "2020 and later", "as of"), a period relative to `now` ("last 3 years",
 * "this month", "YTD"), and a grain ("by month", "monthly", "month by month", "each year", "over
 * time"). `pairs: false` reads one period, never two joined (a comparison's). The words read are blanked out of `rest`, which is how they count as placed. Fiscal
 * periods are left unread: the model does not say when its fiscal year starts.
 *
 * @example readTime('visits by month in 2019', new Date()) // { dateRange: ['2019-01-01','2019-12-31'], granularity: 'month', … }
 */
export function readTime(
  question: string,
  now: Date,
  options: { pairs?: boolean; asOf?: boolean } = {},
): TimeIntent {
  let rest = ` ${question.toLowerCase()} `;
  const out: TimeIntent = { rest };
  const blank = (a: number, b: number) => {
    rest = rest.slice(0, a) + ' '.repeat(b - a) + rest.slice(b);
  };
  let grainEnd = 0;
  const take = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    const m = re.exec(rest);
    if (!m) return false;
    fn(m);
    blank(m.index, m.index + m[0].length);
    grainEnd = m.index + m[0].length;
    return true;
  };

  // Grain. A unit followed by a year ("over the year 2020") is a period, not a grain.
  const notPeriod = `s?(?!\\s*(?:of\\s+)?['\\d])\\b`;
  take(new RegExp(`\\b${UNIT}[\\s-]+(?:by|to|after)[\\s-]+\\1\\b`), (m) => {
    out.granularity = m[1] as Granularity;
  }) ||
    take(
      new RegExp(
        `\\b(?:(?:broken\\s+(?:down|out)|split(?:\\s+up)?|grouped|group|aggregated|bucketed|rolled\\s+up|summed|totall?ed|counted|bucketed)\\s+)?(?:by|per|each|every|for\\s+(?:each|every)|across|over)\\s+(?:the\\s+|a\\s+)?(?:calendar\\s+)?${UNIT}${notPeriod}`,
      ),
      (m) => {
        out.granularity = m[1] as Granularity;
      },
    ) ||
    take(new RegExp(`\\b${UNIT}s?[\\s-]+(?:wise|level|buckets?|breakdown)\\b`), (m) => {
      out.granularity = m[1] as Granularity;
    }) ||
    // "by birth year", "per admission month": the grain, and a word that says which date it is of
    // (left for choosing the date).
    ((m) => {
      if (!m || /^(?:fiscal|financial|school|academic|the)$/.test(m[2] as string)) return false;
      out.granularity = m[3] as Granularity;
      out.dateWord = m[2] as string;
      const at = m.index + (m[1] as string).length;
      blank(m.index, m.index + 3);
      blank(at + (m[2] as string).length + 1, m.index + m[0].length);
      return true;
    })(new RegExp(`\\b((?:by|per)\\s+)([a-z]+)\\s+${UNIT}${notPeriod}`).exec(rest)) ||
    take(/\b(daily|weekly|monthly|quarterly|yearly|annually|annual)\b/, (m) => {
      out.granularity = ADVERB[m[1] as string];
    }) ||
    take(
      /\b(?:over\s+(?:the\s+)?(?:time|years|months)|through\s+the\s+years|across\s+time|as\s+a\s+time\s+series|time\s+series|trends?|trending|timeline)\b/,
      () => {
        out.granularity = 'month';
        out.grainChosen = true;
      },
    );

  // "by year of birth": the word after "of" says which date.
  const of = /^\s*of\s+(?:the\s+)?([a-z]+)/.exec(rest.slice(grainEnd));
  if (grainEnd && of && !out.dateWord) {
    out.dateWord = of[1] as string;
    blank(grainEnd, grainEnd + of[0].length - (of[1] as string).length);
  }
  const periods = periodsIn(rest, now);
  // Comparisons read their two periods one at a time: "from Q1 2023 to Q1 2024" is two periods there.
  const read = readRange(rest, periods, now, options.pairs !== false);
  // "as of <date>" is the date a figure is taken at: rows up to then for the readers that say they
  // count so (asOf), else left unread, so the question comes back naming it (an age or a status
  // "as of" a date needs that date as the reference, not as a filter).
  if (read && (options.asOf || !read.asOf)) {
    out.dateRange = read.range;
    if (read.asOf) out.asOf = read.asOf;
    if (read.byYear) out.granularity ??= 'year';
    blank(read.span[0], read.span[1]);
  }
  out.rest = rest.trim();
  return out;
}

interface RangeRead {
  range: string | [string, string];
  span: [number, number];
  asOf?: string;
  byYear?: boolean;
}

/** The first period of the text with its connecting words, read as one date range. */
function readRange(text: string, periods: Period[], now: Date, pairs: boolean): RangeRead | undefined {
  const a = periods[0];
  if (!a) return undefined;
  const today = now.toISOString().slice(0, 10);
  const openEnd = (p: Period) =>
    p.unit === 'year' || p.unit === 'decade' ? `${now.getUTCFullYear()}-12-31` : today;
  const before = text.slice(0, a.start);
  const b = periods[1];
  if (b) {
    const between = text.slice(a.end, b.start);
    const lead = PAIR_LEAD.exec(before);
    const and = /^\s*and\s*$/.test(between);
    if (pairs && SEP.test(between) && (!and || BETWEEN_LEAD.test(before))) {
      let [from, to] = a.from <= b.from ? [a.from, b.to] : [b.from, a.to];
      let end = b.end;
      const after = text.slice(end);
      const ex = EXCLUSIVE.exec(after);
      const inc = INCLUSIVE.exec(after);
      if (ex) {
        // "from 2019 to 2021 exclusive": up to the second period, not into it.
        to = shiftDay([a.from, b.from].sort()[1] as string, -1);
        if (to < from) return undefined;
        end += ex[0].length;
      } else if (inc) end += inc[0].length;
      else {
        const onward = ONWARD.exec(after);
        if (onward) return undefined;
      }
      return { range: [from, to], span: [lead ? lead.index : a.start, end] };
    }
    // "2022 and 2023", "2022 vs 2023": both years, side by side.
    if (a.unit === 'year' && b.unit === 'year' && SIDE_BY_SIDE.test(between)) {
      const [x, y] = a.from <= b.from ? [a, b] : [b, a];
      const lead2 = /(?:^|\s)(?:in|for|during)\s+$/.exec(before);
      return { range: [x.from, y.to], span: [lead2 ? lead2.index : a.start, b.end], byYear: true };
    }
  }
  if (!pairs) return { range: a.relative ?? [a.from, a.to], span: [a.start, a.end] };
  // "from March to June 2020", "between Jan 1 and Mar 31, 2021": the first side takes the year of
  // the second.
  const partial = new RegExp(
    `(?:^|\\s)(?:between|from)\\s+(?:${MON}(?:\\s+(\\d{1,2})(?:st|nd|rd|th)?)?|(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MON}|q([1-4])|h([12]))\\s*(?:and|to|through|thru|until|till|-|–)\\s*$`,
  ).exec(before);
  if (partial && ['day', 'month', 'quarter', 'half'].includes(a.unit)) {
    const y = Number(a.from.slice(0, 4));
    const mon = partial[1] ?? partial[4];
    const dayN = Number(partial[2] ?? partial[3] ?? 1);
    const from = mon
      ? new Date(Date.UTC(y, monthOf(mon), dayN)).toISOString().slice(0, 10)
      : partial[5]
        ? `${y}-${String((Number(partial[5]) - 1) * 3 + 1).padStart(2, '0')}-01`
        : `${y}-${partial[6] === '1' ? '01' : '07'}-01`;
    if (from <= a.from) {
      const inc = INCLUSIVE.exec(text.slice(a.end));
      return { range: [from, a.to], span: [partial.index, a.end + (inc ? inc[0].length : 0)] };
    }
  }
  const after = text.slice(a.end);
  const onward = ONWARD.exec(after);
  const earlier = OR_EARLIER.exec(after);
  const upTo = UP_TO.exec(before);
  const since = SINCE.exec(before);
  const beforeIt = BEFORE.exec(before);
  const afterIt = AFTER.exec(before);
  if (upTo || earlier) {
    const lead = upTo ? upTo.index : a.start;
    return {
      range: [EARLIEST, a.to],
      span: [lead, a.end + (earlier ? earlier[0].length : 0)],
      ...(upTo && AS_OF.test(upTo[0]) ? { asOf: a.to } : {}),
    };
  }
  if (since || onward) {
    const lead = since ? since.index : (PLAIN.exec(before)?.index ?? a.start);
    return { range: [a.from, openEnd(a)], span: [lead, a.end + (onward ? onward[0].length : 0)] };
  }
  if (beforeIt) return { range: [EARLIEST, shiftDay(a.from, -1)], span: [beforeIt.index, a.end] };
  if (afterIt) return { range: [shiftDay(a.to, 1), openEnd(a)], span: [afterIt.index, a.end] };
  const plain = PLAIN.exec(before);
  return {
    range: a.relative ?? [a.from, a.to],
    span: [plain ? plain.index : a.start, a.end],
  };
}
