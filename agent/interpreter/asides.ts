import type { Lexicon } from './lexicon.ts';
import { isContent, stem, stemMatches, tokenize } from './text.ts';

/**
 * Asides: words an analyst adds beside the question to restate or shape the answer — a
 * parenthesis ("(row per payer)", "(totalcost)", "(org name + count)"), a source named as a table
 * ("according to the encounters table"), or a trailing clause that says what to give ("; give
 * patient id and amount", "— two columns: earliest, latest"). They are read apart from the
 * question: consumed when every word only describes the answer's rows and columns or names
 * something the interpretation already uses; otherwise the question is read with them in place
 * (a new breakdown or condition is applied, or its words are asked about).
 */
export interface Asides {
  /** The question without its asides, as typed otherwise. */
  question: string;
  /** Each aside's text. */
  asides: string[];
}

/** A parenthesis that is not a bracketed qualifier inside a value (those hold no nested parens). */
const PAREN = /\(([^()]*)\)/g;

/** "according to the encounters table", "per the payer table", "from the patients table". */
const TABLE =
  /,?\s*\b(?:according to|per|from|in|using|based on)\s+(?:the\s+)?([a-z0-9_ ]{1,40}?)\s+tables?\b/gi;

/** A trailing clause that says what to give: "; give …", ", return …", "— two columns: …". */
const TRAILING =
  /\s*(?:[;—–]|\s-\s|,|:)\s*((?:give|return|show|output|include|with columns?|two columns?|three columns?|one row|a row|as one)\b[^;()]*)$/i;

/**
 * The question's asides, and the question without them.
 *
 * @example splitAsides('top 5 organizations by number of encounters (org name + count)')
 * // { question: 'top 5 organizations by number of encounters', asides: ['org name + count'] }
 */
export function splitAsides(text: string): Asides {
  const asides: string[] = [];
  let question = text.replace(PAREN, (_, inner: string) => {
    asides.push(inner);
    return ' ';
  });
  question = question.replace(TABLE, (whole: string) => {
    asides.push(whole.replace(/^,/, '').trim());
    return ' ';
  });
  const tail = TRAILING.exec(question.replace(/[?.!\s]+$/, ''));
  if (tail?.[1] && tail.index > 0) {
    asides.push(tail[1]);
    question = question.slice(0, tail.index);
  }
  return {
    question: question
      .replace(/\s+([?.!,])/g, '$1')
      .replace(/\s+/g, ' ')
      .trim(),
    asides,
  };
}

/**
 * Words that describe an answer's shape rather than what it holds: its rows and columns, "each",
 * "one", a joining "+" or "and", a table said of a cube, the arithmetic of a restated definition.
 */
const SHAPE = new Set(
  `row rows column columns col cols each one two three per and plus with give return show output include
  table tables record records result results value values field fields list format string single
  both separate separately minus divided times over then sorted order ordered descending ascending
  desc asc respectively`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Words the answer's own statistic or form says another way: placed when the interpretation (its
 * description in words, or the members it uses) says any word of the same group.
 */
const SAME = [
  'cumulative running accumulated ytd cumulatively',
  'fraction share proportion percentage percent pct ratio rate',
  'count number how many tally frequency',
  'total sum overall',
  'average mean avg',
  'difference change delta gap',
  'earliest first oldest min minimum lowest',
  'latest last newest most recent max maximum highest',
  'median p50 middle',
  'std stdev stddev standard deviation dev sample',
  'distinct unique different',
  'name names label title',
  'id ids identifier key',
  'month monthly',
  'year yearly annual',
  'week weekly',
  'quarter quarterly',
  'day daily date',
].map((g) => new Set(g.split(' ').map(stem)));

/** What an interpretation uses: its members and cubes, and the words it is described by. */
export interface Used {
  members: Set<string>;
  cubes: Set<string>;
  /** Stems of the interpretation's description and of its other strings (values, grains). */
  said: Set<string>;
  /** Members the plan keeps to rows where they are empty ("no stop date" restates them). */
  absent?: Set<string>;
}

/**
 * The members, cubes and words a plan uses, read from any object holding member names (a semantic
 * query, a logical form) and its description.
 */
export function usedBy(plan: unknown, interpretation: string | undefined, lexicon: Lexicon): Used {
  const used: Used = { members: new Set(), cubes: new Set(), said: new Set(), absent: new Set() };
  const walk = (x: unknown): void => {
    if (typeof x === 'string') {
      if (lexicon.members.has(x)) used.members.add(x);
      else if (lexicon.cubes.has(x)) used.cubes.add(x);
      else for (const t of tokenize(x.replace(/_/g, ' '))) used.said.add(t.stem);
    } else if (Array.isArray(x)) for (const y of x) walk(y);
    else if (x && typeof x === 'object') {
      const f = x as { member?: unknown; operator?: unknown; op?: unknown };
      if (typeof f.member === 'string' && (f.operator === 'notSet' || f.op === 'is_null'))
        used.absent?.add(f.member);
      for (const y of Object.values(x)) walk(y);
    }
  };
  walk(plan);
  for (const m of used.members) {
    const cube = lexicon.members.get(m)?.cube;
    if (cube) used.cubes.add(cube);
  }
  // Records listed (a threshold's or cohort's list) show their key, and their label when the
  // caller sees it and it names no person: "(ids)", "(names)" restate those columns.
  const form = plan as { entity?: unknown; list?: unknown; output?: unknown } | undefined;
  const entity = typeof form?.entity === 'string' ? lexicon.cubes.get(form.entity) : undefined;
  if (entity && (form?.list === true || form?.output === 'list')) {
    if (entity.primaryKey) used.members.add(entity.primaryKey);
    const label = entity.label ? lexicon.members.get(entity.label) : undefined;
    if (label && !label.masked && label.phi !== 'direct') used.members.add(label.member);
  }
  // A form that measures nothing named counts its cube's rows ("running total of encounters").
  if (![...used.members].some((m) => lexicon.members.get(m)?.kind === 'measure'))
    for (const c of used.cubes) {
      const count = lexicon.cubes.get(c)?.count;
      if (count) used.members.add(count);
    }
  for (const t of tokenize(interpretation ?? '')) used.said.add(t.stem);
  return used;
}

const DENIAL = new Set(['no', 'without', 'not', 'never']);

/** The stems naming what is used: its members (names, titles, synonyms, description), its cubes. */
function namingStems(used: Used, lexicon: Lexicon, descriptions = true): Set<string> {
  const out = new Set(used.said);
  const columns = new Set<string>();
  for (const name of used.members) {
    const m = lexicon.members.get(name);
    if (!m) continue;
    columns.add(`${m.cube}.${m.column}`);
    for (const p of m.phrases) for (const s of p.stems) out.add(s);
    if (descriptions) for (const s of m.about) out.add(s);
  }
  for (const name of used.cubes) {
    const c = lexicon.cubes.get(name);
    if (!c) continue;
    for (const p of c.phrases) for (const s of p.stems) out.add(s);
  }
  return out;
}

/**
 * The words of the asides nothing in the interpretation places: empty when every aside only
 * restates or shapes what is answered.
 *
 * @example asideWordsLeft(['row per payer'], usedBy(query, 'Count of encounters by payer', lexicon), lexicon) // []
 */
export function asideWordsLeft(
  asides: readonly string[],
  used: Used,
  lexicon: Lexicon,
  opts: { descriptions?: boolean } = {},
): string[] {
  const naming = namingStems(used, lexicon, opts.descriptions ?? true);
  const named = (s: string) => naming.has(s) || [...naming].some((n) => n.length > 3 && stemMatches(s, n));
  // "no resolution/stop date", "without a stop date": a denial before words naming a member the
  // plan keeps empty restates that condition.
  const absentStems = new Set<string>();
  for (const name of used.absent ?? [])
    for (const p of lexicon.members.get(name)?.phrases ?? []) for (const s of p.stems) absentStems.add(s);
  const out: string[] = [];
  for (const aside of asides) {
    const tokens = tokenize(aside.replace(/_/g, ' ').replace(/\+/g, ' plus '));
    for (const t of tokens) {
      if (!isContent(t) || SHAPE.has(t.word) || SHAPE.has(t.stem)) continue;
      if (DENIAL.has(t.word)) {
        const next = tokens
          .slice(t.index + 1)
          .find((n) => isContent(n) && !['a', 'an', 'the', 'any'].includes(n.word));
        if (next && absentStems.has(next.stem)) continue;
      }
      if (named(t.stem)) continue;
      // "all years", "every month": no restriction, said of the whole period.
      const before = tokens[t.index - 1]?.word;
      if ((before === 'all' || before === 'every') && SAME.slice(-5).some((g) => g.has(t.stem))) continue;
      if (SAME.some((g) => g.has(t.stem) && [...g].some(named))) continue;
      out.push(t.word);
    }
  }
  return out;
}

/** The measures a plan uses: what its statistic is. */
function measuresOf(used: Used, lexicon: Lexicon): string {
  return [...used.members]
    .filter((m) => lexicon.members.get(m)?.kind === 'measure')
    .sort()
    .join();
}

/**
 * Whether an aside may change the statistic a question read without it answers: only when its
 * words name the new statistic by its title or synonyms ("(average)"), not when they only occur
 * in its description ("(continuous)" in a percentile's "90th percentile (continuous) of …").
 *
 * @example asidesMayChange(['continuous'], usedBy(plainQuery, …), usedBy(fullQuery, …), lexicon) // false
 */
export function asidesMayChange(
  asides: readonly string[],
  plain: Used,
  full: Used,
  lexicon: Lexicon,
): boolean {
  if (measuresOf(plain, lexicon) === measuresOf(full, lexicon)) return true;
  return asideWordsLeft(asides, full, lexicon, { descriptions: false }).length === 0;
}
