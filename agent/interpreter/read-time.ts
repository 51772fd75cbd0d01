import { AMOUNT_BEFORE, MON, monthOf, type Period, periodsIn, shiftDay, shiftUnits } from './time-words.ts';

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
  /**
   * Years left unread ("2019/2020", a second period the reader did not join to the first): the
   * words to name when asking back, since a bare number is otherwise not a word to place.
   */
  unread: string[];
  /** The adverb a grain was read from ("annual"): a value's words may claim it instead ("annual physical"). */
  grainWord?: string;
  /** The word just before the period read ("stopped" in "stopped in 2019"): what the period is of. */
  wordBefore?: string;
  /**
   * "through 2023", "up to Q1 2022": the period named at the end of a range open at its start, and
   * its kind. A running total by a finer grain runs within it (the months of 2023).
   */
  through?: { from: string; to: string; unit: Period['unit'] };
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
// Grains. A unit followed by a year ("over the year 2020") is a period, not a grain.
// "by year 2014-2023", "per year 2010 onward": a year that opens a range after the unit leaves it a grain.
const RANGE_AFTER_YEAR =
  '\\d{3}\\s*(?:[-–—]|to\\b|through\\b|thru\\b|until\\b|till\\b|on(?:wards?)?\\b|forwards?\\b|(?:and|or)\\s+(?:later|after|beyond|onwards?)\\b|\\+)';
const NOT_PERIOD = `s?(?!\\s*(?:of\\s+)?(?:'|\\d(?!${RANGE_AFTER_YEAR})))\\b`;
const GRAIN_REPEAT = new RegExp(`\\b${UNIT}[\\s-]+(?:by|to|after)[\\s-]+\\1\\b`);
const GRAIN_BY = new RegExp(
  `\\b(?:(?:broken\\s+(?:down|out)|split(?:\\s+up)?|grouped|group|aggregated|bucketed|rolled\\s+up|summed|totall?ed|counted|bucketed)\\s+)?(?:by|per|each|every|for\\s+(?:each|every)|across|over)\\s+(?:the\\s+|a\\s+)?(?:calendar\\s+)?${UNIT}${NOT_PERIOD}`,
);
const GRAIN_WISE = new RegExp(`\\b${UNIT}s?[\\s-]+(?:wise|level|buckets?|breakdown)\\b`);
const GRAIN_OF_WORD = new RegExp(`\\b((?:by|per)\\s+)([a-z]+)\\s+${UNIT}${NOT_PERIOD}`);
// "from March to June 2020", "between Jan 1 and Mar 31, 2021": a first side without its year.
const PARTIAL_PAIR = new RegExp(
  `(?:^|\\s)(?:(?:between|from)\\s+)?(?:${MON}(?:\\s+(\\d{1,2})(?:st|nd|rd|th)?)?|(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MON}|q([1-4])|h([12]))\\s*(?:and|to|through|thru|until|till|-|–)\\s*$`,
);

/** The open start of a range: records have no dates before this. */
const EARLIEST = '1900-01-01';

// Words joining two periods into one range, inclusive of both ("2018 through 2020", "Jan-Mar 2021").
const SEP =
  /^\s*(?:-|–|—|to|through|thru|till|til|until|up\s+(?:to|until|till|through)(?:\s+and\s+including)?|to\s+and\s+including|through\s+to|and)\s*$/;
const PAIR_LEAD =
  /(?:^|\s)(?:between|from|in|during|for|over|within|spanning|covering|since|(?:starting|beginning)(?:\s+(?:from|in|with))?)\s+(?:the\s+(?:years?|period|months?|dates?|quarters?)\s+)?(?:of\s+)?$/;
const BETWEEN_LEAD = /(?:^|\s)between\s+(?:the\s+(?:years?|period|months?|dates?|quarters?)\s+)?(?:of\s+)?$/;
const SIDE_BY_SIDE = /^\s*(?:and|vs\.?|versus|compared\s+(?:to|with))\s*$/;
const INCLUSIVE = /^\s*,?\s*\(?\s*(?:both\s+)?(?:inclusive(?:ly)?|included|incl\.?)\s*\)?/;
const EXCLUSIVE = /^\s*,?\s*\(?\s*(?:both\s+)?(?:exclusive(?:ly)?|excluded|excl\.?)\s*\)?/;
// Words before one period.
const UP_TO =
  /(?:^|\s)(?:up\s+(?:to|until|till|through)(?:\s+and\s+including)?|through|thru|(?:to|by|until|till|through)\s+the\s+end\s+of|no\s+later\s+than|not\s+(?:after|later\s+than)|(?:in|on)\s+or\s+before|as\s+(?:of|at)|by)\s+$/;
const AS_OF = /(?:^|\s)as\s+(?:of|at)\s+$/;
// Of those, the words that name the period as the range's last ("through 2023"), not as a bound
// with everything before it ("no later than 2023", "in or before 2023", "as of 2023").
const THROUGH =
  /(?:^|\s)(?:up\s+(?:to|until|till|through)(?:\s+and\s+including)?|through|thru|(?:to|until|till|through)\s+the\s+end\s+of)\s+$/;
const BEFORE = /(?:^|\s)(?:before|prior\s+to|earlier\s+than|preceding|until|till|til)\s+$|(?:^|\s)pre[\s-]*$/;
const SINCE =
  /(?:^|\s)(?:since|(?:starting|beginning)(?:\s+(?:from|with))?|commencing|from|(?:in|on)\s+or\s+after|no\s+earlier\s+than|not\s+(?:before|earlier\s+than)|as\s+from|effective)\s+(?:the\s+(?:start|beginning)\s+of\s+)?$/;
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
  options: { pairs?: boolean; asOf?: boolean; adverbs?: boolean } = {},
): TimeIntent {
  // Parentheses around a time phrase ("(through 2024)", "(all years)") only set it apart.
  let rest = ` ${question.toLowerCase().replace(/[()[\]]/g, ' ')} `;
  const out: TimeIntent = { rest, unread: [] };
  const blank = (a: number, b: number) => {
    rest = rest.slice(0, a) + ' '.repeat(b - a) + rest.slice(b);
  };
  let grainEnd = 0;
  let grainStart = 0;
  const take = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    const m = re.exec(rest);
    if (!m) return false;
    fn(m);
    blank(m.index, m.index + m[0].length);
    grainEnd = m.index + m[0].length;
    grainStart = m.index;
    return true;
  };

  // Grain. A unit followed by a year ("over the year 2020") is a period, not a grain.
  take(GRAIN_REPEAT, (m) => {
    out.granularity = m[1] as Granularity;
  }) ||
    take(GRAIN_BY, (m) => {
      out.granularity = m[1] as Granularity;
    }) ||
    take(GRAIN_WISE, (m) => {
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
    })(GRAIN_OF_WORD.exec(rest)) ||
    (options.adverbs !== false &&
      take(/\b(daily|weekly|monthly|quarterly|yearly|annually|annual)\b/, (m) => {
        out.granularity = ADVERB[m[1] as string];
        out.grainWord = m[1] as string;
      })) ||
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
  let periods = periodsIn(rest, now);
  // A stated period beside one relative to today ("YTD … in 2015"): the stated one is the period; a
  // "to date" marker only says "so far" within it, any other relative period conflicts with it and
  // is named in the question back.
  // (A comparison's two periods, read one at a time, are both meant.)
  if (
    options.pairs !== false &&
    periods.some((p) => p.unit === 'relative') &&
    periods.some((p) => p.unit !== 'relative')
  ) {
    for (const p of periods.filter((x) => x.unit === 'relative'))
      if (!p.toDate) out.unread.push(rest.slice(p.start, p.end).trim());
    for (const p of periods.filter((x) => x.toDate)) blank(p.start, p.end);
    periods = periods.filter((p) => p.unit !== 'relative');
    if (out.unread.length) periods = [];
  }
  // Comparisons read their two periods one at a time: "from Q1 2023 to Q1 2024" is two periods there.
  const read = readRange(rest, periods, now, options.pairs !== false);
  // "as of <date>" is the date a figure is taken at: rows up to then for the readers that say they
  // count so (asOf), else left unread, so the question comes back naming it (an age or a status
  // "as of" a date needs that date as the reference, not as a filter).
  if (read && (options.asOf || !read.asOf)) {
    out.dateRange = read.range;
    if (read.asOf) out.asOf = read.asOf;
    if (read.byYear) out.granularity ??= 'year';
    if (read.through) out.through = read.through;
  }
  // The word just before the period (else the grain) says what it is of: "stopped in 2019".
  const pre = /([a-z]+)\s*$/.exec(rest.slice(0, read ? read.span[0] : grainStart));
  if (pre && (read || grainEnd)) out.wordBefore = pre[1] as string;
  if (read && (options.asOf || !read.asOf)) {
    // "since 2015 (inclusive)": the period's own end is in the range already.
    // ("before 2015 inclusive" is left to ask back: its range leaves the period out.)
    const open = /\b(?:before|after|prior|pre|post|earlier|later|following|preceding)\b/.test(
      rest.slice(read.span[0], read.span[1]),
    );
    const inc = open ? null : INCLUSIVE.exec(rest.slice(read.span[1]));
    blank(read.span[0], read.span[1] + (inc ? inc[0].length : 0));
  }
  for (const m of rest.matchAll(/[^\s]*(?<!\d)(?:19|20)\d\d(?!\d)[^\s]*/g))
    if (!/[a-z]/.test(m[0]) && !AMOUNT_BEFORE.test(rest.slice(Math.max(0, m.index - 24), m.index)))
      out.unread.push(m[0]);
  out.rest = rest.trim();
  return out;
}

interface RangeRead {
  range: string | [string, string];
  span: [number, number];
  asOf?: string;
  byYear?: boolean;
  through?: { from: string; to: string; unit: Period['unit'] };
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
        const later = a.from <= b.from ? b : a;
        to = shiftDay(later.from, -1);
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
  const partial = PARTIAL_PAIR.exec(before);
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
  // "the 12 months before 2020", "30 days after 2021-01-01", "the year ending June 2021".
  const span =
    /(?:^|\s)(?:the\s+|in\s+the\s+|during\s+the\s+|within\s+)?(?:(\d+)\s+)?(day|week|month|quarter|year)s?\s+(?:(before|prior\s+to|preceding|leading\s+up\s+to)|(after|following))\s+$/.exec(
      before,
    );
  if (span) {
    const [n, unit] = [Number(span[1] ?? 1), span[2] as string];
    const range: [string, string] = span[3]
      ? [shiftUnits(a.from, unit, -n), shiftDay(a.from, -1)]
      : [shiftDay(a.to, 1), shiftDay(shiftUnits(shiftDay(a.to, 1), unit, n), -1)];
    return { range, span: [span.index, a.end] };
  }
  const ending =
    /(?:^|\s)(?:the\s+|in\s+the\s+|during\s+the\s+)?(?:(\d+)\s+)?(month|quarter|year)s?\s+(?:ending|ended|ending\s+in|through|to)\s+$/.exec(
      before,
    );
  if (ending) {
    const [n, unit] = [Number(ending[1] ?? 1), ending[2] as string];
    return { range: [shiftUnits(shiftDay(a.to, 1), unit, -n), a.to], span: [ending.index, a.end] };
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
      ...(upTo && THROUGH.test(upTo[0]) && a.unit !== 'relative'
        ? { through: { from: a.from, to: a.to, unit: a.unit } }
        : {}),
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
