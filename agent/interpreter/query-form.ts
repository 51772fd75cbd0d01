/**
 * Aggregates, lists, rankings, side-by-side comparisons and follow-ups, read from the caller's
 * model into a semantic query. Every content word is placed (a measure, a dimension, a value, a
 * period, an intent word) or the answer is a question back naming the words that were not.
 */
import type { FlatCubeQuery } from '../../semantic/index.ts';
import { comparedNumbers } from './compared.ts';
import { describeQuery } from './describe.ts';
import { type Intent, readIntent } from './intent.ts';
import {
  type CubeEntry,
  type Lexicon,
  type MemberEntry,
  matchCubes,
  matchMembers,
  matchValues,
  valueKey,
} from './lexicon.ts';
import {
  distinctThrough,
  identityOf,
  periodRanked,
  rankHead,
  recordKinds,
  visibleNames,
} from './rank-head.ts';
import { type Granularity, readTime, type TimeIntent } from './read-time.ts';
import { type RecordsOfId, recordsOfId } from './records-of-id.ts';
import { dropRestating } from './restating.ts';
import { sharedLabelChoices, sharedLabelIn, sharedLabelNote } from './shared-label.ts';
import {
  boundsAsSaid,
  contentStems as contentStemsOf,
  freePhrase,
  isContent,
  normalizeQuestion,
  restateCostQuality,
  saysCostQuality,
  type Token,
  tokenize,
} from './text.ts';
import { dateFor, namedDates, recordedBefore } from './time-dimension.ts';
import {
  headFirst,
  peopleCube,
  personNouns,
  storedCount,
  valueHasStem,
  valueHead,
  valueRuns,
  valueWords,
} from './value-words.ts';

type Filter = NonNullable<FlatCubeQuery['filters']>[number];

/** What the semantic-query path made of a question. */
export type QueryReading =
  | {
      kind: 'query';
      query: FlatCubeQuery;
      interpretation: string;
      reading: 'aggregate' | 'list' | 'rank' | 'follow_up';
    }
  | {
      kind: 'clarify';
      message: string;
      unplaced: string[];
      options: Array<{ label: string; question: string }>;
    }
  | { kind: 'refuse'; message: string };

/** Words that say how, not what: counting, asking, and verbs of something happening. */
/** Words that name a record's label column. */
const LABEL_STEMS = new Set(['name', 'description', 'title', 'label']);

const SOFT = new Set(
  `average mean typical number count total value amount overall record records row rows entry data figure
  figures level ever exist exists recorded compute calculate happen happened occur occurred had have has
  seen see saw get got given give done do did made make performed perform written write administered
  used use delivered deliver received receive provided conducted taken take taking went go happening currently
  currently now right today overall all altogether breakdown break broken down split grouped group
  trend trends sorted order ordered ranked rank ones one kinds kind types type sorts sort there exist
  across different distinct unique various list show tell much many often far so just new cover covers
  covered paid pay pays billed work works working serve served treat treated happen only also instead
  same about took place handled handle handles handling managed manage manages processed utilizing
  utilized utilize utilizes affect affects affected affecting`.split(/\s+/),
);

/** Safe Harbor identifier kinds by the words people use for them (45 CFR 164.514(b)(2)). */
const IDENTIFIER_WORDS: Array<[string, RegExp]> = [
  ['social security numbers', /\b(ssns?|social security(?: numbers?)?)\b/],
  ['names', /\b(?:first|last|full|given|family|maiden)\s+names?\b|\bnames?\b/],
  ['addresses', /\b(addresses|address|street)\b/],
  ['birth dates', /\b(birth ?dates?|dates? of birth|dob|birthdays?)\b/],
  ['ZIP codes', /\b(zip(?: ?codes?)?|postal codes?)\b/],
  ['phone numbers', /\b(phone(?: numbers?)?|telephone)\b/],
  ['email addresses', /\b(e-?mails?(?: addresses)?)\b/],
  ['passport numbers', /\b(passports?(?: numbers?)?)\b/],
  ['licence numbers', /\b(driver'?s? licen[cs]es?|licen[cs]e numbers?)\b/],
  ['medical record numbers', /\b(mrns?|medical record numbers?)\b/],
];

const WRITE =
  /^\s*(?:please\s+|can you\s+|could you\s+|now\s+|run\s+)?(?:delete|drop|truncate|update|insert|alter|create|grant|revoke|remove|modify|change(?!\s+(?:in|of|from|between|over)\b)|set|merge|replace|erase|wipe|overwrite|rename|add)\b|\b(?:drop|truncate|alter)\s+table\b|\bdelete\s+from\b/i;

interface Words {
  tokens: Token[];
  used: Set<number>;
  free(): Set<number>;
  use(ix: Iterable<number>): void;
}

function words(text: string): Words {
  const tokens = tokenize(text);
  const used = new Set<number>();
  return {
    tokens,
    used,
    free: () => new Set(tokens.filter((t) => !used.has(t.index) && isContent(t)).map((t) => t.index)),
    use: (ix) => {
      for (const i of ix) used.add(i);
    },
  };
}

function unplacedWords(w: Words): string[] {
  // A number said as a bound ("at least 65", "over 65") and not placed is named back whole.
  const bounds = [...comparedNumbers(w.tokens)]
    .filter(([at, b]) => !w.used.has(at) && !(b.op === 'gte' && b.n === 1) && !(b.op === 'gt' && b.n === 0))
    .map(([, b]) => b);
  const out: string[] = [];
  for (const t of w.tokens) {
    if (w.used.has(t.index) || !isContent(t) || SOFT.has(t.word) || SOFT.has(t.stem)) continue;
    const b = bounds.find((x) => x.at.includes(t.index));
    if (b) {
      if (!out.includes(b.said)) out.push(b.said);
      continue;
    }
    if (/^\d+$/.test(t.word) && t.word.length <= 4) continue;
    out.push(t.word);
  }
  return out;
}

function clarify(
  message: string,
  unplaced: string[] = [],
  options: Array<{ label: string; question: string }> = [],
): QueryReading {
  return { kind: 'clarify', message, unplaced, options };
}

/**
 * Whether a question names something of the data even where a word of it cannot be placed: a cube,
 * a grouping, a grain, or a stated period (a relative one such as "today" is said of anything).
 */
function aboutTheData(cubes: number, groups: number, time: TimeIntent): boolean {
  return cubes > 0 || groups > 0 || Boolean(time.granularity) || Array.isArray(time.dateRange);
}

function outOfScope(lexicon: Lexicon): QueryReading {
  const titles = [...lexicon.cubes.values()].map((c) => c.title).slice(0, 12);
  return {
    kind: 'refuse',
    message: `I can only answer questions about the data in the model: ${titles.join(', ')}.`,
  };
}

/**
 * A question about the asker's own organisation ("how are we doing", "how did our numbers look")
 * that names nothing of the data: it is about this data but not which figure, so it is asked back
 * rather than refused as off topic. Off-topic questions leave content words unplaced or say no "we".
 */
function ownDataVague(w: Words): boolean {
  return unplacedWords(w).every((x) => HOW_WE_DO.has(x)) && w.tokens.some((t) => OURS.has(t.word));
}
const OURS = new Set(['we', 'our', 'ours', 'us']);
/** Words asking how things stand, with no figure named. */
const HOW_WE_DO = new Set(
  'doing going performing performance perform results result numbers figures look looking stand standing trending progress overview summary status'.split(
    ' ',
  ),
);

/** Asks which figure is meant, offering the counts of the given cubes (else of the first few). */
function whichFigure(lexicon: Lexicon, cubes: string[], words: string[] = []): QueryReading {
  const options = (cubes.length ? cubes : [...lexicon.cubes.keys()].slice(0, 5))
    .map((c) => lexicon.cubes.get(c)?.count)
    .filter((m): m is string => Boolean(m))
    .map((m) => lexicon.members.get(m)?.title ?? m);
  return clarify(
    `What would you like to measure?${words.length ? ` I could not place ${words.map((x) => `"${x}"`).join(', ')}.` : ''}`,
    words,
    options.map((o) => ({ label: o, question: o })),
  );
}

/**
 * A word the question spells in capitals ("PMPM", "HEDIS"): a term of the trade the caller expects
 * the data to hold, so it is named back as not placed rather than the question refused as off topic.
 */
function acronymSaid(question: string, unplaced: readonly string[]): boolean {
  return unplaced.some(
    (x) =>
      /^[a-z]{2,6}$/.test(x) &&
      !IDENTIFIER_WORDS.some(([, re]) => re.test(x)) &&
      new RegExp(`(^|[^A-Za-z])${x.toUpperCase()}s?($|[^A-Za-z])`).test(question),
  );
}

function notPlaced(list: string[]): QueryReading {
  return clarify(
    `I could not place ${list.map((x) => `"${x}"`).join(', ')} in the data you can query. Could you rephrase, or name the field or value you mean?`,
    list,
  );
}

function reaches(lexicon: Lexicon, from: string, to: string): boolean {
  return lexicon.cubes.get(from)?.reach.has(to) ?? from === to;
}

interface Found {
  filters: Filter[];
  segments: string[];
  /** Dimensions named by two or more values side by side ("men vs women"). */
  compared: string[];
  /**
   * Dimensions two or more of whose values are joined by "and" ("men and women"): a record holds
   * one value of its own dimension, so a count of records of that cube means each value's count.
   */
  joined: string[];
  /** Token → the cube whose value it named. */
  valueCube: Map<number, string>;
}

/** Runs of words for values joined by "and" alone ("male and female", "men, women and others"). */
function joinedByAnd(tokens: readonly Token[], runs: number[][]): boolean {
  const sorted = [...new Map(runs.map((r) => [Math.min(...r), r])).values()].sort(
    (a, b) => Math.min(...a) - Math.min(...b),
  );
  if (sorted.length < 2) return false;
  let and = false;
  for (let k = 1; k < sorted.length; k++) {
    const gap = tokens.filter(
      (t) =>
        t.index > Math.max(...(sorted[k - 1] as number[])) && t.index < Math.min(...(sorted[k] as number[])),
    );
    if (gap.some((t) => t.word !== 'and')) return false;
    if (gap.some((t) => t.word === 'and')) and = true;
  }
  return and;
}

/**
 * Values named in the question: whole stored values and the model's value synonyms ("women",
 * "ER"), true/false flags, what the model says an empty member means ("active"), segments, and
 * words inside a row's descriptive text ("diabetes"). Cubes the question names come first.
 */
function findValues(
  w: Words,
  lexicon: Lexicon,
  named: Set<string>,
  intent: Intent,
  /** The question as typed: a value written out with its qualifier means that spelling alone. */
  text = '',
): Found {
  const out: Found = { filters: [], segments: [], compared: [], joined: [], valueCube: new Map() };
  const byMember = new Map<string, string[]>();
  // Where each member's values were said: runs of words, to tell "a and b" from "a or b".
  const runsOf = new Map<string, number[][]>();
  const related = (cube: string) =>
    !named.size || [...named].some((n) => reaches(lexicon, n, cube) || reaches(lexicon, cube, n));
  const skip = new Set<number>();
  for (;;) {
    const hits = matchValues(w.tokens, w.free(), lexicon, (v) => related(v.cube)).filter(
      (h) => !h.covered.some((i) => skip.has(i)),
    );
    const best = hits.sort(
      (a, b) =>
        b.score - a.score ||
        Number(named.has(b.target.cube)) - Number(named.has(a.target.cube)) ||
        Number(lexicon.cubes.get(b.target.cube)?.label === b.target.member) -
          Number(lexicon.cubes.get(a.target.cube)?.label === a.target.member),
    )[0];
    if (!best) break;
    // Words that name a cube or a measure in full mean that, not a stored value that reads the same.
    const at = new Set(best.covered);
    const shadow =
      !best.target.synonym &&
      ([
        ...matchCubes(w.tokens, at, lexicon),
        ...matchMembers(w.tokens, at, lexicon, (m) => m.kind === 'measure' || m.kind === 'segment'),
      ].some((m) => m.completeness === 1 && m.covered.length === best.covered.length) ||
        // Or part of a longer name of a member ("healthcare" of "healthcare expenses").
        matchMembers(w.tokens, w.free(), lexicon, () => true).some(
          (m) =>
            m.completeness === 1 &&
            m.covered.length > best.covered.length &&
            best.covered.every((i) => m.covered.includes(i)),
        ));
    if (shadow) {
      for (const i of best.covered) skip.add(i);
      continue;
    }
    // Words inside a value of a cube the question names beat the same words as a whole value of
    // another cube ("COVID-19 vaccines": the vaccine, not the COVID-19 diagnosis).
    if (named.size && !named.has(best.target.cube)) {
      const inside = insideNamed(w, lexicon, best.covered, named);
      if (inside) {
        w.use(best.covered);
        addValue(inside.member, inside.values[0] as string, best.covered, inside.cube);
        for (const v of inside.values.slice(1)) addValue(inside.member, v, [], inside.cube);
        continue;
      }
    }
    w.use(best.covered);
    // Every stored spelling of the same words ("BOSTON", "Boston", "Chronic pain (finding)"), not
    // a shorter value inside them ("Sinusitis" of "viral sinusitis").
    const key = valueKey(best.target.value);
    // "Chronic pain (finding)" typed out is that stored value, not "Chronic pain" too.
    const typed = hits.find(
      (h) =>
        h.target.member === best.target.member &&
        /[([]/.test(h.target.value) &&
        text.toLowerCase().includes(h.target.value.toLowerCase()),
    )?.target.value;
    for (const h of hits)
      if (
        h.target.member === best.target.member &&
        (typed
          ? h.target.value === typed
          : (h.covered.length === best.covered.length && h.covered.every((i) => best.covered.includes(i))) ||
            (!h.target.synonym && valueKey(h.target.value) === key))
      )
        addValue(h.target.member, h.target.value, h.covered, h.target.cube);
  }
  function addValue(member: string, value: string, at: number[], cube: string) {
    byMember.set(member, [...new Set([...(byMember.get(member) ?? []), value])]);
    for (const i of at) out.valueCube.set(i, cube);
    if (at.length) runsOf.set(member, [...(runsOf.get(member) ?? []), at]);
  }
  for (const [member, values] of byMember) {
    if (intent.compare && values.length > 1) out.compared.push(member);
    if (values.length > 1 && joinedByAnd(w.tokens, runsOf.get(member) ?? [])) out.joined.push(member);
    out.filters.push({ member, operator: 'equals', values });
  }
  // Flags ("readmitted", "deceased") and segments ("living patients"), named in full.
  for (;;) {
    const b = matchMembers(
      w.tokens,
      w.free(),
      lexicon,
      (m) => (m.type === 'boolean' || m.kind === 'segment') && related(m.cube),
    ).find((m) => m.completeness === 1 && !measureExplains(w, lexicon, m.covered));
    if (!b) break;
    w.use(b.covered);
    const negated = w.tokens.some(
      (t) => ['not', 'non', 'never', 'without', 'no'].includes(t.word) && b.covered.includes(t.index + 1),
    );
    for (const t of w.tokens)
      if (['not', 'non', 'no'].includes(t.word) && b.covered.includes(t.index + 1)) w.use([t.index]);
    if (b.target.kind === 'segment' && !negated) out.segments.push(b.target.member);
    else
      out.filters.push({ member: b.target.member, operator: 'equals', values: [negated ? 'false' : 'true'] });
    for (const i of b.covered) out.valueCube.set(i, b.target.cube);
  }
  // What the model says an empty (or filled) member means: "active" = no stop date.
  for (const n of lexicon.nulls) {
    if (!related(n.cube)) continue;
    const hit = phraseAt(w, n.stems);
    if (!hit) continue;
    w.use(hit);
    // (A denial before it, "no active care plans", is left unplaced: of rows joined to others it
    // may deny that any exist, which a flat filter cannot say — asked back.)
    out.filters.push({ member: n.member, operator: n.isNull ? 'notSet' : 'set' });
    for (const i of hit) out.valueCube.set(i, n.cube);
  }
  // Words inside a row's descriptive text ("diabetes" in "Diabetes mellitus type 2").
  const index = valueWords(lexicon);
  const known = explained(w, lexicon);
  for (const i of [...w.free()]) {
    // A word already read inside an earlier run ("self" of "diabetes self management") is not read
    // again alone: its values would be unioned in.
    if (!w.free().has(i)) continue;
    const t = w.tokens[i] as Token;
    if (SOFT.has(t.word) || intent.aggAt.includes(i) || intent.top?.at.includes(i) || known.has(i)) continue;
    const hits = (index.get(t.stem) ?? []).filter((h) => related(lexicon.members.get(h.member)?.cube ?? ''));
    if (!hits.length) continue;
    // The next words narrow it ("type 2"): keep values holding them too.
    const { run, hits: narrowed } = narrowRun(w.tokens, w.free(), i, hits);
    const said = run.map((k) => (w.tokens[k] as Token).stem);
    let byDim = namedByDimension(narrowed, said, lexicon);
    // "lisinopril 10 mg tablets": a run of words that some values hold every one of (not as their
    // main phrase: "lisinopril 10 MG Oral Tablet") names those values — never each word alone.
    if (!byDim.size && wholeRun(w.tokens, run, lexicon)) byDim = byMemberOf(narrowed);
    if (!byDim.size) continue;
    // One word most of a dimension's values hold ("tablets", "10", "mg") names no choice among them:
    // left unplaced (asked back), never the union of every value holding it.
    if (run.length === 1 && [...byDim].every(([m, v]) => tooCommon(lexicon, m, v.length, t))) continue;
    // How much of its values the words say ("hypertension" is half of "Essential hypertension"),
    // in a cube the question names first, a cube's own label before other text.
    // A value that also says the kind of record it is ("Diabetes self management *plan*" of care
    // plans) names that record when its kind is said; the bare words ("diabetes") fit it half.
    const ownKind = (member: string, stems: string[]) => {
      const cube = lexicon.cubes.get(lexicon.members.get(member)?.cube ?? '');
      const kind = new Set(cube?.phrases.flatMap((p) => p.stems) ?? []);
      const own = stems.filter((x) => kind.has(x));
      return own.length > 0 && !own.some((x) => w.tokens.some((t) => t.stem === x));
    };
    const valueFit = (member: string) =>
      (named.has(lexicon.members.get(member)?.cube ?? '') ? 100 : 0) +
      (byDim.get(member) ?? []).reduce((sum, v) => {
        const stems = contentStemsOf(v.replace(/\([^)]*\)/g, ' '));
        const fit = Math.min(1, run.length / Math.max(1, stems.length));
        return sum + (ownKind(member, stems) ? fit / 2 : fit);
      }, 0) +
      (lexicon.cubes.get(lexicon.members.get(member)?.cube ?? '')?.label === member ? 0.01 : 0);
    const member = [...byDim.keys()].sort(
      (a, b) => valueFit(b) - valueFit(a) || a.localeCompare(b),
    )[0] as string;
    w.use(run);
    const existing = out.filters.find((f) => f.member === member && f.operator === 'equals');
    const values = headOnly(byDim.get(member) ?? [], said);
    if (existing) existing.values = [...new Set([...(existing.values ?? []), ...values])];
    else out.filters.push({ member, operator: 'equals', values });
    for (const k of run) out.valueCube.set(k, lexicon.members.get(member)?.cube ?? '');
  }
  // Words still free that stand inside stored values ("humulin", "covid vaccine"): every value of
  // the dimension holding them (value-words.ts).
  const free = new Set(
    [...w.free()].filter(
      (i) => !known.has(i) && !intent.aggAt.includes(i) && !SOFT.has((w.tokens[i] as Token).word),
    ),
  );
  for (const run of valueRuns(lexicon, w.tokens, free, related, (c) => named.has(c)).runs) {
    w.use(run.covered);
    const existing = out.filters.find((f) => f.member === run.member && f.operator === 'equals');
    if (existing) existing.values = [...new Set([...(existing.values ?? []), ...run.values])];
    else out.filters.push({ member: run.member, operator: 'equals', values: run.values });
    for (const k of run.covered) out.valueCube.set(k, run.cube);
  }
  return out;
}

/** Values by the member holding them. */
function byMemberOf(hits: ReadonlyArray<{ member: string; value: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of hits) out.set(h.member, [...new Set([...(out.get(h.member) ?? []), h.value])]);
  return out;
}

/** A run of two words or more led by a word the model itself does not use (a drug's name). */
function wholeRun(tokens: readonly Token[], run: number[], lexicon: Lexicon): boolean {
  const stems = run.map((k) => (tokens[k] as Token).stem);
  return run.length >= 2 && stems.some((s) => s.length >= 4 && !/\d/.test(s) && !lexicon.idf.has(s));
}

/** A number, or a word held by most of a dimension's stored values: no choice among them alone. */
function tooCommon(lexicon: Lexicon, member: string, n: number, t: Token): boolean {
  if (/^\d/.test(t.word)) return n > 1;
  const all = storedCount(lexicon, member);
  return all >= 8 && n / all > 0.5;
}

/** Words that end the main phrase of a coded description ("Screening *for* drug abuse"). */
const HEAD_END =
  /\b(?:of|for|due|to|using|regarding|with|without|in|on|by|from|about|at|after|before|during|following|via)\b/i;

/**
 * Of the values holding the words said, the ones they name: the values that are exactly those
 * words once qualifiers are dropped ("sinusitis" = "Sinusitis (disorder)") alone; else the values
 * whose main phrase holds them ("bronchitis" in "Acute bronchitis" and "Chronic obstructive
 * bronchitis", or as the cause in "… due to diabetes"), not values that only mention them after a
 * preposition or a comma-like double space ("Referral for bronchitis", "zoster vaccine  live");
 * else none.
 *
 * @example headValues(['Sinusitis (disorder)', 'Viral sinusitis (disorder)'], ['sinusiti']) // ['Sinusitis (disorder)']
 */
export function headValues(values: string[], stems: string[]): string[] {
  const said = stems.join(' ');
  const exact = values.filter((v) => contentStemsOf(valueKey(v)).join(' ') === said);
  if (exact.length) return exact;
  return values.filter((v) => {
    // "X due to Y" is a Y too ("Retinopathy due to type 2 diabetes mellitus" holds diabetes): kept
    // here, where the dimension is chosen; headOnly drops it when a value is a Y itself.
    const parts = mainPhrase(v).split(/\b(?:due to|caused by|secondary to|associated with)\b/i);
    return parts.some((part, i) => {
      const lead = ` ${contentStemsOf((i === 0 ? part.split(HEAD_END)[0] : part) ?? '').join(' ')} `;
      return lead.includes(` ${said} `);
    });
  });
}

/** Brackets dropped but their words kept ("SARS-COV-2 (COVID-19) vaccine"); stored commas are double spaces. */
function mainPhrase(v: string): string {
  return v.replace(/[()[\]]/g, '').split(/\s{2,}|[,;]/)[0] ?? '';
}

/**
 * Of the values that hold the words said (headValues), those holding them in their head, when any
 * does: "type 2 diabetes" is "Diabetes mellitus type 2", not "Neuropathy due to type 2 diabetes
 * mellitus" (headFirst).
 *
 * @example headOnly(['Diabetes mellitus type 2', 'Neuropathy due to diabetes'], ['diabet']) // ['Diabetes mellitus type 2']
 */
export function headOnly(values: string[], stems: string[]): string[] {
  return headFirst(values, (v) => {
    const head = new Set(tokenize(valueHead(mainPhrase(v))).map((t) => t.stem));
    return stems.every((s) => head.has(s));
  });
}

/**
 * From a word's values, the words right after it that narrow them ("diabetes type 2"): the run of
 * token positions and the values holding every word of it.
 */
export function narrowRun<H extends { value: string }>(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  start: number,
  hits: H[],
): { run: number[]; hits: H[] } {
  const run = [start];
  let narrowed = hits;
  for (let k = start + 1; free.has(k); k++) {
    const s = (tokens[k] as Token).stem;
    const both = narrowed.filter((h) => valueHasStem(h.value, s));
    if (!both.length) break;
    narrowed = both;
    run.push(k);
  }
  return { run, hits: narrowed };
}

/**
 * The values a run of words names, by dimension: only those the words name (exactly, or in the
 * value's main phrase: headValues), and none where one word is shared by several names of things
 * ("practice" in two clinics' names).
 */
export function namedByDimension(
  hits: ReadonlyArray<{ member: string; value: string }>,
  said: string[],
  lexicon: Lexicon,
): Map<string, string[]> {
  const byDim = new Map<string, string[]>();
  for (const h of hits) byDim.set(h.member, [...new Set([...(byDim.get(h.member) ?? []), h.value])]);
  for (const [member, values] of byDim) {
    const meant = headValues(values, said);
    const column = lexicon.members.get(member)?.column ?? '';
    const properName = /(^|_)(name|title)$/.test(column) && meant.length > 1 && said.length === 1;
    if (!meant.length || properName) byDim.delete(member);
    else byDim.set(member, meant);
  }
  return byDim;
}

/** Values of a named cube's descriptive text holding every one of these words. */
function insideNamed(
  w: Words,
  lexicon: Lexicon,
  at: number[],
  named: Set<string>,
): { member: string; cube: string; values: string[] } | undefined {
  const index = valueWords(lexicon);
  const stems = at.map((i) => (w.tokens[i] as Token).stem).filter((s) => s.length >= 4);
  if (!stems.length) return undefined;
  const first = (index.get(stems[0] as string) ?? []).filter((h) =>
    named.has(lexicon.members.get(h.member)?.cube ?? ''),
  );
  const all = first.filter((h) => stems.every((s) => valueHasStem(h.value, s)));
  const hit = all[0];
  if (!hit) return undefined;
  const member = hit.member;
  return {
    member,
    cube: lexicon.members.get(member)?.cube ?? '',
    values: [...new Set(all.filter((h) => h.member === member).map((h) => h.value))],
  };
}

/** A measure names these words (and maybe more) in full: "30-day readmissions" is the measure, not the flag. */
function measureExplains(w: Words, lexicon: Lexicon, at: number[]): boolean {
  return matchMembers(w.tokens, w.free(), lexicon, (m) => m.kind === 'measure').some(
    (m) => m.completeness === 1 && at.every((i) => m.covered.includes(i)) && m.covered.length >= at.length,
  );
}

/** Words some member or cube names in full: they are not words inside a value. */
function explained(w: Words, lexicon: Lexicon): Set<number> {
  const out = new Set<number>();
  const free = w.free();
  // Members first, over every free word ("healthcare expenses" before the cube "expenses"), then
  // again over what is left: a word said twice is matched once per pass.
  for (let pass = 0; pass < 3; pass++) {
    const left = new Set([...free].filter((i) => !out.has(i)));
    let added = false;
    for (const m of matchMembers(w.tokens, left, lexicon, () => true))
      if (m.completeness === 1)
        for (const i of m.covered)
          if (!out.has(i)) {
            out.add(i);
            added = true;
          }
    for (const c of matchCubes(w.tokens, left, lexicon))
      for (const i of c.covered)
        if (!out.has(i)) {
          out.add(i);
          added = true;
        }
    if (!added) break;
  }
  return out;
}

function phraseAt(w: Words, stems: string[]): number[] | undefined {
  return freePhrase(w.tokens, w.free(), stems);
}

interface Candidate {
  member: MemberEntry;
  score: number;
  covered: number[];
  /** Share of the measure's words the question said (1 = all of them). */
  completeness: number;
}

/**
 * Measures the words could mean, best first: each measure's own words (title, name, synonyms,
 * weighted by rarity), a cube named for its plain count, the aggregation asked for, and the cubes
 * the values, breakdowns and previous answer point at.
 */
function scoreMeasures(
  w: Words,
  lexicon: Lexicon,
  intent: Intent,
  ctx: {
    filterCubes: Set<string>;
    groupCubes: Set<string>;
    unitCubes: Set<string>;
    previousCube?: string | undefined;
    rankBy: number[];
    /** Words after "by" in a ranking ("by quantity used"): a measure may be named by its description. */
    rankRuns: number[];
    /** Cost said as a quality ("most expensive"): no aggregation is implied, not even a total. */
    costQuality?: boolean | undefined;
    /** A list that names its records ("which patients …", "list the visits", "who …"). */
    recordsListed?: boolean | undefined;
  },
): Candidate[] {
  const free = w.free();
  const out = new Map<string, Candidate>();
  for (const m of matchMembers(w.tokens, free, lexicon, (x) => x.kind === 'measure')) {
    // Words of counting or averaging ("number of", "total") name no measure by themselves: they
    // count toward a complete match, not toward the score; the aggregation is scored below.
    // …unless said as part of the measure's own glued name ("total cost" for totalcost).
    const own = m.covered.filter((i) => !intent.aggAt.includes(i) || m.joined?.includes(i));
    if (!own.length) continue;
    out.set(m.target.member, {
      member: m.target,
      score: (m.score * own.length) / m.covered.length,
      covered: m.covered,
      completeness: m.completeness,
    });
  }
  // A cube named makes its plain count a candidate ("how many visits" → the count of encounters).
  // In a ranking by "number of …", the cube named there, even when its name was said before too
  // ("encounter classes by number of encounters").
  const rankRun = new Set(ctx.rankRuns.filter((i) => free.has(i)));
  const cubesNamed =
    intent.top && rankRun.size
      ? [...matchCubes(w.tokens, rankRun, lexicon), ...matchCubes(w.tokens, free, lexicon)]
      : matchCubes(w.tokens, free, lexicon);
  for (const c of cubesNamed) {
    const count = c.target.count && lexicon.members.get(c.target.count);
    if (!count) continue;
    // "top 5 care plans by number of patients": the cube named outside "by …" is what is ranked,
    // not what it is ranked by.
    if (intent.top && ctx.rankRuns.length && !c.covered.some((i) => ctx.rankRuns.includes(i))) continue;
    const prev = out.get(count.member);
    if (!prev || prev.score < c.score)
      out.set(count.member, {
        member: count,
        score: c.score,
        covered: [...new Set([...(prev?.covered ?? []), ...c.covered])],
        completeness: 1,
      });
  }
  // "by quantity used": a measure whose description is about the words ranked by.
  const cubeWords = new Set(cubesNamed.flatMap((c) => c.covered));
  const rankWords = ctx.rankRuns
    .map((i) => w.tokens[i])
    .filter((t): t is Token =>
      Boolean(t && free.has(t.index) && isContent(t) && !SOFT.has(t.word) && !cubeWords.has(t.index)),
    );
  if (rankWords.length)
    for (const m of lexicon.members.values())
      if (m.kind === 'measure' && rankWords.every((t) => m.about.has(t.stem))) {
        const had = out.get(m.member);
        const covered = [...new Set([...(had?.covered ?? []), ...rankWords.map((t) => t.index)])];
        out.set(m.member, {
          member: m,
          score: Math.max(3, had?.score ?? 0),
          covered,
          completeness: had?.completeness ?? 0.6,
        });
      }
  const named = matchCubes(w.tokens, free, lexicon);
  const countWords = new Set(
    [...out.values()]
      .filter((c) => c.member.aggType === 'count' || c.member.aggType === 'countDistinct')
      .flatMap((c) => c.covered),
  );
  const countedColumn = (c: Candidate) =>
    c.covered.some((i) => !intent.aggAt.includes(i) && !cubeWords.has(i) && !countWords.has(i));
  // "total cost" of a measure found by its average's words ("visit cost"): the same column
  // added up as asked, when the cube keeps one such measure.
  if (intent.agg === 'sum' || intent.agg === 'avg')
    for (const c of [...out.values()]) {
      const twin = statTwin(c.member, intent.agg, lexicon);
      if (!twin) continue;
      const had = out.get(twin.member);
      out.delete(c.member.member);
      if (!had || had.score < c.score) out.set(twin.member, { ...c, member: twin });
    }
  const list = [...out.values()].map((c) => {
    let score = c.score;
    const agg = c.member.aggType;
    if (intent.agg && agg) {
      if (agg === intent.agg) score += 0.6;
      else if (intent.agg === 'count' && agg === 'countDistinct') score += 0.5;
      // "how many dispenses": a count kept in a number column is counted by its total, when the
      // word counted names that column and no cube or count.
      else if (intent.agg === 'count' && agg === 'sum' && countedColumn(c)) score += 0.3;
      else if (['sum', 'avg', 'count', 'countDistinct'].includes(agg)) score -= 2.5;
      // "how many … died": a count, not a rate that shares some of its words.
      else if (agg === 'number' && intent.agg === 'count' && c.completeness < 1) score -= 2.5;
    } else if (
      !intent.agg &&
      (agg === 'count' || agg === 'countDistinct') &&
      !intent.top &&
      !intent.groups.length
    )
      score -= 0.1;
    // An amount named without an aggregation ("by revenue") reads as its total.
    else if (!intent.agg && agg === 'sum' && !ctx.costQuality) score += 0.3;
    const cube = c.member.cube;
    if (ctx.filterCubes.has(cube)) score += 0.6;
    if (ctx.groupCubes.has(cube)) score += 0.3;
    // "expenses per patient": a cube named after "per" as the unit of its own measure.
    if (ctx.unitCubes.has(cube)) score += 0.5;
    // The measure's cube named by other words ("cost" of "visits").
    if (named.some((n) => n.target.name === cube && n.covered.some((i) => !c.covered.includes(i))))
      score += 0.5;
    if (ctx.previousCube === cube) score += 0.3;
    // A ratio of two things ("Encounters per Patient") is meant only when the question divides
    // ("per", "each", "average"): "how many patients had an encounter" counts patients, "which
    // patients had an encounter" lists them. (Not every list: "show me the costs" names no records,
    // and a ratio among its readings is still asked about.)
    if (
      (intent.count || ctx.recordsListed) &&
      /\bper\b/i.test(c.member.title) &&
      !w.tokens.some((t) =>
        ['per', 'each', 'every', 'average', 'avg', 'mean', 'typical', 'ratio'].includes(t.word),
      )
    )
      score -= 3;
    // A measure named in full reads better than one that shares only some of its words.
    score += c.completeness;
    // What "most" or "by number of …" ranks by.
    if (ctx.rankBy.some((i) => c.covered.includes(i))) score += 3;
    // What "how many …" counts: the measure whose words (or cube's) hold that noun.
    if (intent.counted !== undefined && c.covered.includes(intent.counted))
      score += countsOther(c.member, w.tokens[intent.counted]?.stem ?? '', lexicon) ? -3 : 3;
    // A distinct count of another cube's rows ("distinct patients" of allergies) is meant only when
    // the question is about this cube's rows too.
    if (
      agg === 'countDistinct' &&
      !ctx.filterCubes.has(cube) &&
      !ctx.groupCubes.has(cube) &&
      !named.some((n) => n.target.name === cube)
    )
      score -= 0.5;
    return { ...c, score };
  });
  // Cost said as a quality ("the most expensive procedure") names the cost, not whether it is
  // added up or averaged: a total and an average of the same words score alike, to be asked.
  if (ctx.costQuality)
    for (const c of list) {
      if (c.member.aggType !== 'sum' && c.member.aggType !== 'avg') continue;
      const key = [...c.covered].sort().join();
      for (const other of list)
        if (
          other !== c &&
          other.member.cube === c.member.cube &&
          (other.member.aggType === 'sum' || other.member.aggType === 'avg') &&
          other.member.aggType !== c.member.aggType &&
          [...other.covered].sort().join() === key
        )
          c.score = other.score = Math.max(c.score, other.score);
    }
  return list.sort((a, b) => b.score - a.score || a.member.member.localeCompare(b.member.member));
}

/**
 * The one other measure of a measure's cube that adds up the same source columns the other way
 * (a total for an average, an average for a total), when the question asks for that statistic.
 */
function statTwin(m: MemberEntry, agg: 'sum' | 'avg', lexicon: Lexicon): MemberEntry | undefined {
  if ((m.aggType !== 'sum' && m.aggType !== 'avg') || m.aggType === agg || !m.columns?.length)
    return undefined;
  const key = [...m.columns].sort().join();
  const twins = [...lexicon.members.values()].filter(
    (o) =>
      o.kind === 'measure' &&
      o.cube === m.cube &&
      o.aggType === agg &&
      o.columns?.length &&
      [...o.columns].sort().join() === key,
  );
  return twins.length === 1 ? twins[0] : undefined;
}

/**
 * Why a value cannot narrow a figure, in the words of the question: the figure is kept on one
 * kind of record, the value on another that those records do not point at ("Total Claim Cost is
 * a figure of encounters; "Acute bronchitis" is a description of conditions, …").
 */
function notLinked(lexicon: Lexicon, measure: MemberEntry, filter: Filter): string {
  const where = (cube: string) => (lexicon.cubes.get(cube)?.title ?? cube).toLowerCase();
  const member = 'member' in filter ? String(filter.member) : '';
  const dim = lexicon.members.get(member);
  const values = 'values' in filter && Array.isArray(filter.values) ? filter.values.map(String) : [];
  const said = values.length ? values.map((v) => `"${v}"`).join(' or ') : (dim?.title ?? member);
  const from = where(measure.cube);
  const other = where(dim?.cube ?? member.split('.')[0] ?? '');
  return `${readable(measure.title)} is a figure of ${from}, and ${said} ${values.length > 1 ? 'are' : 'is'} ${dim ? `a ${dim.title.toLowerCase()} of ` : ''}${other}, which ${from} do not point to, so one cannot narrow the other. Could you ask about ${other} with ${said}, or about ${from} by one of their own fields?`;
}

/**
 * A count whose words hold the noun "how many" counts only as a word about something else: "how
 * many visits did patients have" counts visits, not the patients of a measure said "patients with
 * visits". What a count counts is its title, the first word of each of its phrases, or (for a
 * cube's plain count) the cube's own words.
 */
function countsOther(m: MemberEntry, counted: string, lexicon: Lexicon): boolean {
  if (m.aggType !== 'count' && m.aggType !== 'countDistinct') return false;
  const cube = lexicon.cubes.get(m.cube);
  const heads = new Set([
    ...m.phrases.map((p) => p.stems[0]),
    ...tokenize(m.title).map((t) => t.stem),
    ...(cube?.count === m.member ? cube.phrases.flatMap((p) => p.stems) : []),
  ]);
  return !heads.has(counted);
}

/**
 * The dimension a breakdown names ("gender", "payer", "encounter class"): of a cube the measure
 * reaches; a cube's name or a key into it stands for that cube's label ("by payer" → its name).
 */
function groupDimension(
  w: Words,
  run: number[],
  lexicon: Lexicon,
  cube: string | undefined,
  /** In a ranking, a number column after "by" is what to rank by, not a breakdown. */
  ranking = false,
): { member: string; covered: number[]; time: boolean; score: number } | undefined {
  const allowed = new Set(run.filter((i) => w.free().has(i)));
  if (!allowed.size) return undefined;
  const found: Array<{ member: string; covered: number[]; score: number; time: boolean }> = [];
  for (const m of matchMembers(
    w.tokens,
    allowed,
    lexicon,
    (x) => x.kind === 'time' || (x.kind === 'dimension' && !(ranking && x.type === 'number')),
  )) {
    let member = m.target.member;
    if (m.target.references) {
      if (m.target.references === cube) continue;
      // "by patient": records with no label of their own are told apart by the key itself — when
      // named right after the breakdown word ("visits by uninsured patients" names who, not a split).
      const label = lexicon.cubes.get(m.target.references)?.label;
      if (!label && !BREAKDOWN_LEAD.has(w.tokens[Math.min(...m.covered) - 1]?.word ?? '')) continue;
      member = label ?? m.target.member;
    } else if (m.target.primaryKey) continue;
    if (!member) continue;
    found.push({
      member,
      covered: m.covered,
      score: m.score * m.completeness,
      time: m.target.kind === 'time',
    });
  }
  for (const c of matchCubes(w.tokens, allowed, lexicon)) {
    if (c.target.name === cube) continue;
    // A cube with no label is told apart by the measured rows' key to it ("by patient").
    const lead = BREAKDOWN_LEAD.has(w.tokens[Math.min(...c.covered) - 1]?.word ?? '');
    const member =
      c.target.label ?? (cube && lead ? lexicon.cubes.get(cube)?.keys.get(c.target.name) : undefined);
    if (!member) continue;
    found.push({ member, covered: c.covered, score: c.score + 0.1, time: false });
  }
  // "payer name": a member named by its own words ("name") and, right before them, by the name of
  // its cube ("payer") is read as both together — never the same title of another cube.
  for (const f of [...found]) {
    const joined = found.find(
      (g) =>
        g !== f &&
        g.member === f.member &&
        Math.max(...g.covered) + 1 === Math.min(...f.covered) &&
        !g.covered.some((i) => f.covered.includes(i)),
    );
    if (joined)
      found.push({ ...f, covered: [...joined.covered, ...f.covered], score: f.score + joined.score });
  }
  // The same dimension of several cubes ("city" of people and of sites): the one of records the
  // question names by other words ("… do our patients live in") before one of records it does not.
  const inRun = new Set(run);
  const named = new Set(
    matchCubes(w.tokens, new Set(w.tokens.map((t) => t.index).filter((i) => !inRun.has(i))), lexicon).map(
      (c) => c.target.name,
    ),
  );
  const best = found
    .filter((f) => {
      const target = lexicon.members.get(f.member);
      return target && !target.masked && (!cube || reaches(lexicon, cube, target.cube));
    })
    .map((f) => ({
      ...f,
      score:
        f.score +
        (lexicon.members.get(f.member)?.cube === cube ? 0.5 : 0) +
        (named.has(lexicon.members.get(f.member)?.cube ?? '') ? 0.3 : 0) +
        (f.covered.includes(run[0] as number) ? 0.5 : 0),
    }))
    .sort((a, b) => b.score - a.score || a.member.localeCompare(b.member))[0];
  return best;
}

/** Words that end the phrase of what is counted ("patients with …", "visits by sex"). */
const PHRASE_END = new Set(
  `of for with who whom that which whose by per in among across at from to split grouped broken
  during since having had have has where and or vs versus than each every did do does is are was
  were`.split(/\s+/),
);

/**
 * The records the phrase of what is counted ends in ("covid-vaccinated patients": patients), from
 * the word after "how many" (or the question's start) to the first word that opens another phrase
 * — when they are records other rows point at and something is said before them.
 */
function countedHead(w: Words, lexicon: Lexicon, intent: Intent): CubeEntry | undefined {
  // A ranking's head noun is what is ranked (rankHead), not what is counted.
  if (intent.top) return undefined;
  const start = intent.counted ?? 0;
  const phrase = new Set<number>();
  for (const t of w.tokens.slice(start)) {
    if (PHRASE_END.has(t.word)) break;
    phrase.add(t.index);
  }
  const last = matchCubes(w.tokens, phrase, lexicon).sort(
    (a, b) => Math.max(...b.covered) - Math.max(...a.covered),
  )[0];
  // Something said before them qualifies them ("covid-vaccinated"), not only "the".
  const qualified = w.tokens.some(
    (t) => phrase.has(t.index) && t.index < Math.min(...(last?.covered ?? [])) && isContent(t),
  );
  if (!last || !qualified) return undefined;
  const e = last.target;
  const pointedAt = [...lexicon.cubes.values()].some((c) => c.name !== e.name && c.keys.has(e.name));
  return pointedAt && e.primaryKey ? e : undefined;
}

/** The cube's own distinct count of another cube's records (its measure whose words name them). */
function distinctOf(lexicon: Lexicon, cube: string, of: CubeEntry): MemberEntry | undefined {
  return [...lexicon.members.values()].find(
    (m) =>
      m.cube === cube &&
      m.aggType === 'countDistinct' &&
      m.phrases.some((p) => of.phrases.some((c) => c.stems.every((s) => p.stems.includes(s)))),
  );
}

/** Figures of different records named by the same words in full, this close in score, are asked about. */
const TWIN_CLOSE = 0.5;

/**
 * A reading of records kept to those pointing at one record by its id: the key must be visible to
 * the caller, and every member read must be of the records pointing at it (or reached from them).
 */
function ofRecord(ofId: RecordsOfId, lexicon: Lexicon, inner: QueryReading): QueryReading {
  const key = lexicon.members.get(ofId.key);
  const owner = lexicon.cubes.get(ofId.owner);
  if (!key || key.masked)
    return {
      kind: 'refuse',
      message: `${owner?.title ?? ofId.owner} ids are masked for you, so I cannot look up a record by its id.`,
    };
  if (inner.kind !== 'query') return inner;
  const used = [
    ...(inner.query.measures ?? []),
    ...(inner.query.dimensions ?? []),
    ...(inner.query.filters ?? []).map((f) => f.member),
  ];
  if (!used.every((m) => reaches(lexicon, key.cube, m.split('.')[0] as string)))
    return clarify(
      `I could not read that as records of ${readable(owner?.title ?? ofId.owner)} ${ofId.id}. Could you rephrase?`,
    );
  const filters = [
    ...(inner.query.filters ?? []),
    { member: ofId.key, operator: 'equals' as const, values: [ofId.id] },
  ];
  const one = readable(owner?.title ?? ofId.owner).replace(/s$/, '');
  return {
    ...inner,
    query: { ...inner.query, filters },
    interpretation: `${inner.interpretation}, of ${one} ${ofId.id}`,
  };
}

/**
 * Read an aggregate, list, ranking, comparison or follow-up into a semantic query.
 *
 * @example interpretQuery('monthly encounter counts for 2021', lexicon, now)
 * // { kind: 'query', query: { measures: ['encounters.count'], timeDimensions: [{ …, granularity: 'month', dateRange: […] }] }, … }
 */
export function interpretQuery(
  question: string,
  lexicon: Lexicon,
  now: Date,
  previous?: FlatCubeQuery,
): QueryReading {
  return boundsAsSaid(readQuery(question, lexicon, now, previous), question);
}

function readQuery(question: string, lexicon: Lexicon, now: Date, previous?: FlatCubeQuery): QueryReading {
  if (WRITE.test(question.trim()))
    return { kind: 'refuse', message: 'I only read data: I cannot change data, tables or permissions.' };
  // "what conditions does patient <id> have": the records of another kind that point at the one
  // record the id names, read without it and kept to its key (records-of-id.ts).
  const ofId = recordsOfId(question, lexicon);
  if (ofId) return ofRecord(ofId, lexicon, interpretQuery(ofId.rest, lexicon, now, previous));
  // Numbers as digits ("$10,000", "two"), filler read as nothing ("on file", "please").
  // "diabetics": the people with a value holding the word (value-words.ts).
  const read = leadingBreakdown(dropRestating(normalizeQuestion(personNouns(question, lexicon)), lexicon));
  if (WRITE.test(read))
    return { kind: 'refuse', message: 'I only read data: I cannot change data, tables or permissions.' };
  // "which year had the most visits": periods are ranked, by the grain the head noun names.
  const byPeriod = previous ? undefined : periodRanked(read);
  const q = byPeriod?.rest ?? read;
  let time = readTime(q, now, { asOf: true });
  // "annual physical": a value whose words cover the grain's adverb is the value, not a grain.
  if (time.grainWord) {
    const said = new Set(tokenize(q).map((t) => t.stem));
    const adverb = tokenize(time.grainWord)[0]?.stem ?? '';
    if (
      lexicon.values.some(
        (v) => v.stems.length > 1 && v.stems.includes(adverb) && v.stems.every((x) => said.has(x)),
      )
    )
      time = readTime(q, now, { asOf: true, adverbs: false });
  }
  if (byPeriod && !time.granularity) time = { ...time, granularity: byPeriod.unit };
  const w = words(time.rest);
  const intent = readIntent(time.rest, w.tokens);
  // The dates a period or grain is said of ("discharged in 2020", "by birth year") are placed by it.
  const dated =
    time.dateRange || time.granularity ? namedDates(w.tokens, w.free(), lexicon, time.dateWord) : [];
  for (const d of dated) w.use(d.covered);

  // Safe Harbor identifiers asked for must be members the caller sees unmasked.
  // "name the allergy categories": the verb that asks for a list, not a person's name.
  const asked = q.toLowerCase().replace(/^\s*(?:please\s+|can you\s+|could you\s+)?name\b/, ' ');
  const verb = asked !== q.toLowerCase() ? w.tokens.find((t) => t.word === 'name') : undefined;
  if (verb) w.use([verb.index]);
  for (const [label, re] of IDENTIFIER_WORDS) {
    const said = re.exec(asked);
    if (!said) continue;
    const stems = new Set(tokenize(said[0]).map((t) => t.stem));
    const at = new Set(
      w.tokens.filter((t) => stems.has(t.stem) && t.index !== verb?.index).map((t) => t.index),
    );
    if (!at.size) continue;
    const visible = matchMembers(w.tokens, at, lexicon, (m) => m.phi === 'direct' && m.kind !== 'measure');
    // The name, address or phone of reference data the question names (an organization's name, a
    // payer's address) is no PHI: the model tags no PHI class on it, and the caller sees it.
    const others = new Set([...w.free()].filter((i) => !at.has(i)));
    const named = new Set(matchCubes(w.tokens, others, lexicon).map((c) => c.target.name));
    const reference = matchMembers(
      w.tokens,
      at,
      lexicon,
      (m) => m.kind === 'dimension' && !m.phi && !m.masked && !m.primaryKey && named.has(m.cube),
    );
    // "patient names": the name parts of a cube the question names, when the caller sees them.
    const nameParts =
      label === 'names' &&
      [...named].some((c) => {
        const parts = lexicon.cubes.get(c)?.names ?? [];
        return parts.length > 0 && parts.every((n) => lexicon.members.get(n)?.masked === false);
      });
    // "medication names", "the names of the medications": the label of the records named next to
    // the word, when it names no person.
    const first = Math.min(...at);
    const beside = new Set([first - 1]);
    if (w.tokens[first + 1]?.word === 'of') {
      let k = first + 2;
      while (['the', 'all', 'our', 'these', 'those'].includes(w.tokens[k]?.word ?? '')) k++;
      beside.add(k).add(k + 1);
    }
    const ownLabel = matchCubes(w.tokens, beside, lexicon).some((c) => {
      const l = lexicon.members.get(lexicon.cubes.get(c.target.name)?.label ?? '');
      return l !== undefined && !l.phi && !l.masked;
    });
    if (!visible.some((m) => !m.target.masked) && !reference.length && !nameParts && !ownLabel)
      return { kind: 'refuse', message: `You don't have access to ${label} in this data.` };
    if (ownLabel && !visible.length && !reference.length) w.use([...at]);
  }
  // Intent words are placed by the intent they state (checked against the measure chosen below).
  if (intent.top) w.use(intent.top.at);
  w.use(intent.compareAt);
  w.use(intent.kindsAt);
  const groupTokens = new Set(intent.groups.flat());
  // Values and flags named, with the cubes named (not counting words of breakdowns).
  const preNamed = new Set(
    matchCubes(w.tokens, new Set([...w.free()].filter((i) => !groupTokens.has(i))), lexicon).map(
      (c) => c.target.name,
    ),
  );
  const found = findValues(w, lexicon, preNamed, intent, q);
  const filterCubes = new Set(found.filters.map((f) => f.member.split('.')[0] as string));
  for (const s of found.segments) filterCubes.add(s.split('.')[0] as string);

  // Breakdowns: claim their words now so they never pick the measure.
  const groupRuns = intent.groups.map((g) => g.filter((i) => w.free().has(i))).filter((g) => g.length);
  // "which device types …", "top 3 kinds of allergies": the kinds of a cube's own records are
  // what is ranked, by the cube's own dimension — not another cube's that "types" alone names.
  const kinds = new Map<number[], string>();
  const kindsSaid = intent.top ? recordKinds(w.tokens, w.free(), lexicon) : undefined;
  if (kindsSaid) {
    const inside = groupRuns.find((run) => kindsSaid.run.some((i) => run.includes(i)));
    if (inside) kinds.set(inside, kindsSaid.member);
    else {
      groupRuns.push(kindsSaid.run);
      kinds.set(kindsSaid.run, kindsSaid.member);
    }
  }
  // Runs named as what is ranked (no "by" before them): never what it is ranked by.
  const rankedRuns = new Set<number[]>(kinds.keys());
  // "which 2 encounter classes cost the most": what is ranked is a dimension named in full.
  if (intent.top && !groupRuns.length) {
    const ranked = matchMembers(
      w.tokens,
      w.free(),
      lexicon,
      (m) => m.kind === 'dimension' && m.type === 'string' && !m.primaryKey && !m.masked && !m.references,
    ).find(
      (m) =>
        m.completeness === 1 &&
        Math.max(...m.covered) - Math.min(...m.covered) === m.covered.length - 1 &&
        // "the 3 patients with the most conditions": the words after "most" are what is ranked by
        // (after "most common", what is ranked).
        (intent.top?.frequent || !m.covered.includes(intent.top?.subject ?? -1)),
    );
    if (ranked) {
      const run = [...ranked.covered].sort((a, b) => a - b);
      groupRuns.push(run);
      rankedRuns.add(run);
    }
  }
  const groupCubes = new Set<string>();
  const heldForGroups = new Set<number>();
  const rankBy: number[][] = [];
  for (const run of groupRuns) {
    const kind = kinds.get(run);
    if (kind) groupCubes.add(lexicon.members.get(kind)?.cube ?? '');
    if (rankedRuns.has(run)) {
      for (const i of run) heldForGroups.add(i);
      if (kind) continue;
    }
    // "top 3 payers by number of visits": a measure after "by" in a ranking is what to rank by.
    const measureHit = matchMembers(w.tokens, new Set(run), lexicon, (m) => m.kind === 'measure')[0];
    const dim = groupDimension(w, run, lexicon, undefined, Boolean(intent.top));
    const aggWord = run.some((i) => intent.aggAt.includes(i));
    // ("by patients affected": a word of how, said with the noun, leaves it the cube's alone.)
    const said = run.filter((i) => !SOFT.has(w.tokens[i]?.word ?? ''));
    const cubeOnly = matchCubes(w.tokens, new Set(run), lexicon).some(
      (c) => c.covered.length === said.length,
    );
    if (
      !rankedRuns.has(run) &&
      ((intent.top && (aggWord || cubeOnly || (measureHit && (!dim || measureHit.score > dim.score)))) ||
        (aggWord && !dim))
    ) {
      rankBy.push(run);
      continue;
    }
    if (dim) groupCubes.add(lexicon.members.get(dim.member)?.cube ?? '');
    for (const i of run) heldForGroups.add(i);
  }
  for (const i of heldForGroups) w.used.add(i);
  // Words naming the member a value was found in ("the city of Springfield", "chronic pain as the
  // reason") are placed by that value.
  for (const f of found.filters)
    for (const m of matchMembers(w.tokens, w.free(), lexicon, (x) => x.member === f.member))
      if (m.completeness === 1) w.use(m.covered);

  const previousCube = previous?.measures?.[0]?.split('.')[0];
  const rankTokens = [...rankBy.flat(), ...(intent.top?.subject !== undefined ? [intent.top.subject] : [])];
  const unitCubes = new Set(
    groupRuns.flatMap((run) =>
      matchCubes(w.tokens, new Set(run), lexicon)
        .filter((c) => c.covered.length === run.length)
        .map((c) => c.target.name),
    ),
  );
  // "which patient had the most encounters": the records ranked are the ones the head noun names.
  const head =
    intent.top && !byPeriod && !(groupRuns.length > rankBy.length)
      ? rankHead(w.tokens, w.free(), lexicon, intent.top, rankBy.flat())
      : undefined;
  const scoring = {
    filterCubes,
    groupCubes,
    unitCubes,
    previousCube,
    rankBy: rankTokens,
    rankRuns: rankBy.flat(),
    costQuality: saysCostQuality(question),
    recordsListed: intent.list && listNamesRecords(w, lexicon),
  };
  let candidates = scoreMeasures(w, lexicon, intent, scoring);
  // What is ranked is never what it is ranked by alone, but the records' own name may qualify a
  // figure of them said beside it ("which 3 medications have the highest average cost": the
  // medication cost, not another cost column the bare word "cost" names). It picks the column
  // only: the same aggregation of the same records as the figure the other words name.
  const rankedWords = [...rankedRuns]
    .filter(
      (run) =>
        !kinds.has(run) &&
        matchCubes(w.tokens, new Set(run), lexicon).some((c) => c.covered.length === run.length),
    )
    .flat();
  const plain = candidates[0];
  if (rankedWords.length && plain) {
    for (const i of rankedWords) w.used.delete(i);
    const rankedCubes = new Set(
      [...rankedRuns]
        .map((run) => groupDimension(w, run, lexicon, undefined, true)?.member)
        .map((m) => lexicon.members.get(m ?? '')?.cube),
    );
    const wider = scoreMeasures(w, lexicon, intent, scoring).find(
      (c) =>
        rankedCubes.has(c.member.cube) &&
        c.covered.some((i) => rankedWords.includes(i)) &&
        c.covered.some((i) => !rankedWords.includes(i)),
    );
    for (const i of rankedWords) w.used.add(i);
    if (
      wider &&
      wider.score > plain.score &&
      wider.member.cube === plain.member.cube &&
      wider.member.aggType === plain.member.aggType
    )
      candidates = [wider, ...candidates.filter((c) => c.member.member !== wider.member.member)];
  }
  // The head's words name what is ranked, not a figure of another cube ("Encounters per Patient").
  // Nor is a measure named by the head's words alone ("Providers Count" of "top 5 providers by …").
  if (head) {
    const rest = candidates.filter(
      (c) =>
        (c.member.cube === head.cube.name || !c.covered.some((i) => head.covered.includes(i))) &&
        !c.covered.every((i) => head.covered.includes(i) || intent.aggAt.includes(i)),
    );
    if (rest.length) candidates = rest;
  }
  const namedNow = matchCubes(w.tokens, w.free(), lexicon);
  const hasSubject = candidates.length > 0 || namedNow.length > 0;
  const followUp = Boolean(previous) && (intent.followUp || (!hasSubject && !intent.list));

  if (followUp && previous)
    return followUpOf(w, lexicon, intent, time, found, groupRuns, heldForGroups, previous, now, candidates);

  // Lists: "which patients …", "list the payers", "what kinds of care plans …".
  const best = candidates[0];
  const countLike = !best || ['count', 'countDistinct'].includes(best.member.aggType ?? '');
  if (intent.list && !intent.top && countLike && !time.granularity) {
    for (const i of heldForGroups) w.used.delete(i);
    const listed = listOf(w, lexicon, intent, time, found, now);
    if (listed) return listed;
  }

  // "how many women have hypertension": what is counted is named by a value ("women" → patients):
  // count that cube's rows, through the other filtered cube's distinct count of them.
  if (!best && intent.count) {
    const counted = [...found.valueCube.values()][0];
    const entity = counted ? lexicon.cubes.get(counted) : undefined;
    if (entity?.count)
      candidates = [
        { member: lexicon.members.get(entity.count) as MemberEntry, score: 1, covered: [], completeness: 1 },
      ];
  }
  let chosen = candidates[0];
  if (!chosen && intent.top) {
    // "top 5 diagnoses": the count of the cube ranked; "least common encounter class": of the
    // dimension's cube.
    for (const i of heldForGroups) w.used.delete(i);
    const rankedDim = groupRuns
      .map((run) => {
        const kind = kinds.get(run);
        return kind ? { member: kind } : groupDimension(w, run, lexicon, undefined, true);
      })
      .find(Boolean);
    for (const i of heldForGroups) w.used.add(i);
    const cube =
      namedNow[0]?.target ??
      (rankedDim && lexicon.cubes.get(lexicon.members.get(rankedDim.member)?.cube ?? ''));
    const count = cube?.count && lexicon.members.get(cube.count);
    if (count) chosen = { member: count, score: 1, covered: namedNow[0]?.covered ?? [], completeness: 1 };
  }
  if (!chosen) {
    // A number column named without how to aggregate it ("the charge"): ask which figure of it.
    const columns = matchMembers(
      w.tokens,
      w.free(),
      lexicon,
      (m) => m.kind === 'dimension' && m.type === 'number',
    ).filter((m) => m.completeness === 1);
    if (columns.length)
      return clarify(
        'Which figure do you mean?',
        [],
        columns.slice(0, 2).flatMap((m) => {
          const of = `${m.target.title} of ${(lexicon.cubes.get(m.target.cube)?.title ?? m.target.cube).toLowerCase()}`;
          return [`Total ${of}`, `Average ${of}`].map((label) => ({ label, question: label }));
        }),
      );
    if (
      !found.filters.length &&
      !groupRuns.length &&
      !intent.top &&
      !intent.count &&
      !time.dateRange &&
      !time.granularity
    )
      return ownDataVague(w)
        ? whichFigure(lexicon, [])
        : acronymSaid(question, unplacedWords(w))
          ? notPlaced(unplacedWords(w))
          : outOfScope(lexicon);
    const words = unplacedWords(w);
    // Words nothing in the caller's model explains beside words that are about the data (a cube,
    // a grouping, a grain or a stated period): the question is about this data, so its unplaced
    // words are named back. With none of those, it is not about this data.
    if (words.length && aboutTheData(namedNow.length, groupRuns.length, time)) return notPlaced(words);
    if (words.length) return acronymSaid(question, words) ? notPlaced(words) : outOfScope(lexicon);
    return whichFigure(lexicon, [...new Set([...filterCubes, ...namedNow.map((c) => c.target.name)])], words);
  }
  // "how many claims" where only an amount holds the word ("Total Claim Cost"): an amount is no
  // count of those things, and the count asked for is of records the model does not keep.
  if (
    intent.agg === 'count' &&
    intent.counted !== undefined &&
    chosen.covered.includes(intent.counted) &&
    (chosen.member.aggType === 'sum' || chosen.member.aggType === 'avg') &&
    chosen.completeness < 1 &&
    // ("how many dispenses": a count kept in a column is named by its last word, "Total Dispenses".)
    tokenize(chosen.member.title).at(-1)?.stem !== w.tokens[intent.counted]?.stem
  ) {
    const word = w.tokens[intent.counted]?.word ?? '';
    return clarify(
      `I cannot count "${word}": ${readable(chosen.member.title)} is an amount, not a number of them. Did you mean ${readable(chosen.member.title)}, or something to count?`,
      [word],
      [{ label: chosen.member.title, question: chosen.member.title }],
    );
  }
  // Two measures that read as well as each other: ask with both.
  const second = candidates.find((c) => c !== chosen);
  // Or a partial match ("cost") that another measure matches by the same words just as well.
  const sameWords = (c: Candidate) =>
    c.covered.length === chosen.covered.length && c.covered.every((i) => chosen.covered.includes(i));
  const ownCubeNamed = (c: Candidate) =>
    namedNow.some((n) => n.target.name === c.member.cube && n.covered.some((i) => !c.covered.includes(i)));
  const ownOrRanked = (c: Candidate) =>
    ownCubeNamed(c) || (Boolean(intent.top) && groupCubes.has(c.member.cube));
  const partial =
    chosen.completeness < 1 &&
    candidates.some(
      (c) =>
        c !== chosen &&
        sameWords(c) &&
        (!intent.agg ||
          c.member.aggType === 'number' ||
          c.member.aggType === intent.agg ||
          (intent.agg === 'count' && c.member.aggType === 'countDistinct')) &&
        !(
          !intent.agg &&
          chosen.member.aggType === 'sum' &&
          c.member.aggType === 'avg' &&
          c.member.cube === chosen.member.cube
        ) &&
        readable(c.member.title) !== readable(chosen.member.title) &&
        c.score >= chosen.score * 0.7 &&
        // A cube named by other words ("a procedure"), or the cube of the dimension ranked
        // ("which 2 encounter classes cost the most"), settles whose measure it is.
        !(ownOrRanked(chosen) && !ownOrRanked(c)),
    );
  // The same words named in full by figures of different records ("doses": vaccines given, or
  // medication doses dispensed), neither settled by a cube named by other words: the higher score
  // is only how each was named (a cube's name, a column's), not what was meant, so ask.
  // (Not a figure of the other's records counted another way: "Distinct Patients" of visits
  // beside "Patients Count", "Total Provider Encounters" beside "Encounters Count".)
  // Two "Distinct Patients" of different rows count the same records too.
  const recordsOf = (c: Candidate) => {
    const said = new Set(tokenize(c.member.title).map((t) => t.stem));
    return new Set(
      [...lexicon.cubes.values()]
        .filter((x) => tokenize(`${x.name} ${x.title}`).some((t) => said.has(t.stem)))
        .map((x) => x.name),
    );
  };
  const sameRecords = (a: Candidate, b: Candidate) => {
    const of = recordsOf(a);
    return (
      lexicon.cubes.get(a.member.cube)?.keys.has(b.member.cube) === true ||
      of.has(b.member.cube) ||
      [...recordsOf(b)].some((x) => of.has(x))
    );
  };
  const twin =
    chosen.completeness === 1 &&
    !ownOrRanked(chosen) &&
    candidates.some(
      (c) =>
        c !== chosen &&
        c.completeness === 1 &&
        c.member.cube !== chosen.member.cube &&
        sameWords(c) &&
        !ownOrRanked(c) &&
        !sameRecords(c, chosen) &&
        !sameRecords(chosen, c) &&
        c.score >= chosen.score * TWIN_CLOSE,
    );
  if (
    partial ||
    twin ||
    (second &&
      second.score >= chosen.score - 0.05 &&
      !(
        chosen.completeness === 1 &&
        second.completeness < 1 &&
        second.covered.every((i) => chosen.covered.includes(i))
      ) &&
      (readable(second.member.title) !== readable(chosen.member.title) ||
        second.member.cube !== chosen.member.cube))
  ) {
    const tied = candidates
      .filter(
        (c) =>
          c === chosen ||
          c.score >= chosen.score - 0.05 ||
          (partial && sameWords(c)) ||
          (twin &&
            c.completeness === 1 &&
            sameWords(c) &&
            c.member.cube !== chosen.member.cube &&
            !sameRecords(c, chosen) &&
            !sameRecords(chosen, c) &&
            c.score >= chosen.score * TWIN_CLOSE),
      )
      .slice(0, 4);
    return clarify(
      'That could mean more than one thing. Which did you mean?',
      [],
      tied.map((c) => {
        const cubeTitle = lexicon.cubes.get(c.member.cube)?.title ?? c.member.cube;
        const shared = tied.filter((x) => readable(x.member.title) === readable(c.member.title)).length > 1;
        const label = shared ? `${c.member.title} (${cubeTitle})` : c.member.title;
        const rest = /\b(by|per|in|for|since|during)\b.*/i.exec(q)?.[0];
        const base = shared ? `${c.member.title} of ${cubeTitle.toLowerCase()}` : c.member.title;
        // Cost said as a quality: the question again, with the figure in place of the quality.
        if (saysCostQuality(question))
          return { label, question: restateCostQuality(question, base.toLowerCase()) };
        return { label, question: rest ? `${base} ${rest}` : base };
      }),
    );
  }
  let measure = chosen.member;
  // The same figure kept on several kinds of records ("Total Payer Coverage" of visits and of
  // prescriptions): the one whose records the question's values narrow ("… for insulin").
  const farCubes = [...new Set(found.filters.map((f) => f.member.split('.')[0] as string))].filter(
    (c) => !reaches(lexicon, measure.cube, c),
  );
  const saidCubes = matchCubes(w.tokens, new Set(w.tokens.map((t) => t.index)), lexicon).map(
    (c) => c.target.name,
  );
  if (farCubes.length && !saidCubes.includes(measure.cube)) {
    const twin = [...lexicon.members.values()].find(
      (m) =>
        m.kind === 'measure' &&
        m.member !== measure.member &&
        m.aggType === measure.aggType &&
        readable(m.title) === readable(measure.title) &&
        found.filters.every((f) => reaches(lexicon, m.cube, f.member.split('.')[0] as string)),
    );
    if (twin) measure = twin;
  }
  w.use(chosen.covered);
  // "covid-vaccinated patients by sex", "how many flu-shot patients": the phrase counted ends in
  // records other rows point at, and the rows counted qualify them — those records are counted,
  // each once (the rows' own distinct count of them, the model's measure).
  const headOfPhrase = countedHead(w, lexicon, intent);
  if (
    headOfPhrase &&
    measure.aggType === 'count' &&
    headOfPhrase.name !== measure.cube &&
    lexicon.cubes.get(measure.cube)?.keys.has(headOfPhrase.name)
  ) {
    const once = distinctOf(lexicon, measure.cube, headOfPhrase);
    if (once) measure = once;
  }
  // "how many women have hypertension": a count of one cube's rows narrowed by another cube that
  // points at it is that other cube's distinct count of them (the model's own measure).
  const farFilter = found.filters.find(
    (f) => !reaches(lexicon, measure.cube, f.member.split('.')[0] as string),
  );
  if (farFilter && (measure.aggType === 'count' || measure.aggType === 'countDistinct')) {
    const counted = lexicon.cubes.get(measure.cube);
    const other = farFilter.member.split('.')[0] as string;
    const distinct =
      counted &&
      [...lexicon.members.values()].find(
        (m) =>
          m.cube === other &&
          m.aggType === 'countDistinct' &&
          reaches(lexicon, other, counted.name) &&
          m.phrases.some((p) => counted.phrases.some((c) => c.stems.every((s) => p.stems.includes(s)))),
      );
    if (distinct) measure = distinct;
  }
  // "which provider saw the most patients": patients counted once each in rows that reach providers.
  if (
    head &&
    measure.member === lexicon.cubes.get(measure.cube)?.count &&
    !reaches(lexicon, measure.cube, head.cube.name)
  ) {
    const through = distinctThrough(lexicon, lexicon.cubes.get(measure.cube) as CubeEntry, head.cube);
    if (through) measure = through;
  }
  // "which allergy affects the most people": the same, when what is ranked is a dimension named in
  // full (or a cube's kinds) of records the counted ones do not reach.
  for (const i of heldForGroups) w.used.delete(i);
  const rankedOf = [...rankedRuns]
    .map((run) => kinds.get(run) ?? groupDimension(w, run, lexicon, undefined, true)?.member)
    .map((m) => lexicon.cubes.get(lexicon.members.get(m ?? '')?.cube ?? ''))
    .find(Boolean);
  for (const i of heldForGroups) w.used.add(i);
  if (
    !head &&
    rankedOf &&
    measure.member === lexicon.cubes.get(measure.cube)?.count &&
    !reaches(lexicon, measure.cube, rankedOf.name)
  ) {
    const through = distinctThrough(lexicon, lexicon.cubes.get(measure.cube) as CubeEntry, rankedOf);
    if (through) measure = through;
  }
  const cube = measure.cube;
  // The measure's own cube named again ("claim cost of an encounter") is placed by the measure.
  for (;;) {
    const own = matchCubes(w.tokens, w.free(), lexicon).find((c) => c.target.name === cube);
    if (!own) break;
    w.use(own.covered);
  }
  // Words of the measure's own title or description ("in minutes", "claim costs") are what it is.
  w.use([...w.free()].filter((i) => measure.about.has((w.tokens[i] as Token).stem)));
  // Aggregation words agree with the measure, or they stay unplaced.
  const agg = measure.aggType;
  const aggOk =
    intent.agg === undefined ||
    agg === 'number' ||
    (intent.agg === 'count' && (agg === 'count' || agg === 'countDistinct')) ||
    (intent.agg === 'sum' && agg !== 'avg') ||
    intent.agg === agg;
  // "average dispenses" where the model keeps only their total: the total would drop the word that
  // asks for an average, so the figure is asked back (the interpreter reads a column's average).
  if (intent.agg === 'avg' && agg === 'sum')
    return clarify(
      `The data keeps ${readable(measure.title)} as a total, not an average. Do you want the total, or an average of something else?`,
      [],
      [{ label: measure.title, question: measure.title }],
    );
  // "mean number of patients": a count has no average of its own — the word would be dropped.
  if (intent.agg === 'avg' && (agg === 'count' || agg === 'countDistinct'))
    return clarify(
      `An average of ${readable(measure.title)} over what? Could you say per what (per month, per provider, …), or name a figure to average?`,
      [],
    );
  // "average number of encounters": an average found only by its averaging word and its records'
  // noun ("Average Encounter Duration") names no figure the question said.
  const allCubeWords = new Set(
    matchCubes(w.tokens, new Set(w.tokens.map((t) => t.index)), lexicon).flatMap((c) => c.covered),
  );
  if (
    intent.agg === 'avg' &&
    agg === 'avg' &&
    chosen.member === measure &&
    chosen.covered.every((i) => intent.aggAt.includes(i) || allCubeWords.has(i))
  ) {
    const averages = [...lexicon.members.values()]
      .filter((m) => m.kind === 'measure' && m.cube === measure.cube && m.aggType === 'avg')
      .slice(0, 4);
    return clarify(
      'An average of which figure?',
      [],
      averages.map((m) => ({ label: m.title, question: m.title })),
    );
  }
  if (aggOk) w.use(intent.aggAt);
  else
    w.use(
      intent.aggAt.filter(
        (i) => !['average', 'avg', 'mean', 'typical', 'typically'].includes(w.tokens[i]?.word ?? ''),
      ),
    );
  for (const run of rankBy) {
    // What to rank by is the measure (its words, or the cube whose rows it counts).
    const ok = run.every(
      (i) => w.used.has(i) || chosen.covered.includes(i) || !isContent(w.tokens[i] as Token),
    );
    if (!ok) {
      const own = matchCubes(w.tokens, new Set(run), lexicon).find((c) => c.target.name === cube);
      if (own) w.use(own.covered);
    }
  }

  const dims: string[] = [];
  let rankedAt: number[] = [];
  let granularity: Granularity | undefined = time.granularity;
  for (const i of heldForGroups) w.used.delete(i);
  for (const run of groupRuns) {
    if (rankBy.includes(run)) continue;
    // "cost per encounter": the measure's own cube after "per" is its unit, not a breakdown.
    const own = matchCubes(w.tokens, new Set(run), lexicon).find(
      (c) => c.target.name === cube && c.covered.length === run.filter((i) => w.free().has(i)).length,
    );
    if (own && !kinds.has(run)) {
      w.use(own.covered);
      continue;
    }
    // Kinds of records the measured rows do not reach stay unplaced: asked back.
    const kind = kinds.get(run);
    const d = kind
      ? reaches(lexicon, cube, lexicon.members.get(kind)?.cube ?? '')
        ? { member: kind, covered: run, time: false }
        : undefined
      : groupDimension(w, run, lexicon, cube, Boolean(intent.top));
    if (!d) continue;
    w.use(d.covered);
    if (!rankedAt.length) rankedAt = d.covered;
    if (d.time) granularity ??= 'month';
    else if (!dims.includes(d.member)) {
      // "by organization" where several share a name: each record by its key, the label beside it.
      const of = lexicon.cubes.get(lexicon.members.get(d.member)?.cube ?? '');
      const pk = of?.primaryKey && lexicon.members.get(of.primaryKey);
      if (of?.label === d.member && lexicon.members.get(d.member)?.unique === false && pk && !pk.masked) {
        const key = lexicon.cubes.get(cube)?.keys.get(of.name) ?? pk.member;
        if (!dims.includes(key)) dims.push(key);
      }
      dims.push(d.member);
      // "by patient": a person told apart by a key is shown with the name parts the caller sees.
      const by = lexicon.cubes.get(lexicon.members.get(d.member)?.references ?? '');
      if (by && !by.label) for (const n of visibleNames(lexicon, by)) if (!dims.includes(n)) dims.push(n);
    }
  }
  for (const m of found.compared) if (!dims.includes(m)) dims.push(m);
  // "how many men and women": a count of the records whose own dimension the values are of, by
  // that dimension (kept to those values); values of other records ("patients with diabetes and
  // hypertension") are conditions on them, and "or" is one total.
  if (!intent.top && measure.aggType === 'count')
    for (const m of found.joined)
      if (lexicon.members.get(m)?.cube === cube && !dims.includes(m)) dims.push(m);

  // The records the head noun names: by their name, or their key when they have none ("which patient").
  const ranked = head && reaches(lexicon, cube, head.cube.name) && identityOf(lexicon, head.cube, cube);
  if (intent.top && !dims.length && head && ranked && (head.cube.name !== cube || !head.cube.label)) {
    w.use(head.covered);
    rankedAt = head.covered;
    dims.push(ranked);
    // A record with no name of its own (a patient) is shown with the name parts the caller sees.
    if (ranked !== head.cube.label) dims.push(...visibleNames(lexicon, head.cube));
  }
  // Top N without "by": the dimension named elsewhere, another cube's label, or the measure cube's.
  if (intent.top && !dims.length && !(byPeriod && granularity === byPeriod.unit)) {
    const mentioned = matchMembers(
      w.tokens,
      w.free(),
      lexicon,
      (m) =>
        m.kind === 'dimension' &&
        m.type === 'string' &&
        !m.primaryKey &&
        !m.masked &&
        reaches(lexicon, cube, m.cube),
    ).find((m) => m.completeness === 1);
    if (mentioned) {
      w.use(mentioned.covered);
      rankedAt = mentioned.covered;
      dims.push(
        mentioned.target.references
          ? (lexicon.cubes.get(mentioned.target.references)?.label ?? mentioned.target.member)
          : mentioned.target.member,
      );
    } else {
      const other = matchCubes(w.tokens, new Set(w.tokens.map((t) => t.index)), lexicon)
        .filter((c) => c.target.name !== cube && c.target.label && reaches(lexicon, cube, c.target.name))
        .sort((a, b) => (a.covered[0] ?? 0) - (b.covered[0] ?? 0))[0];
      if (other) w.use(other.covered);
      const label = other?.target.label ?? lexicon.cubes.get(cube)?.label;
      if (label) dims.push(label);
    }
  }

  const unreachable = found.filters.find((f) => !reaches(lexicon, cube, f.member.split('.')[0] as string));
  if (unreachable) return clarify(notLinked(lexicon, measure, unreachable));

  // A cube the measure's rows belong to, named without a condition ("visits by uninsured patients"):
  // every row has one, so it narrows nothing.
  for (const c of matchCubes(w.tokens, w.free(), lexicon))
    if (c.target.name !== cube && reaches(lexicon, cube, c.target.name)) w.use(c.covered);

  // "the 3 payers that paid the most": ranking the records of a cube other cubes point at by
  // their own count ranks every one of them at 1 — ask what to rank them by.
  const rankedCube = lexicon.cubes.get(measure.cube);
  if (
    intent.top &&
    rankedCube &&
    measure.member === rankedCube.count &&
    dims.length === 1 &&
    (dims[0] === rankedCube.label || dims[0] === rankedCube.primaryKey) &&
    [...lexicon.cubes.values()].some((c) => c.name !== rankedCube.name && c.keys.has(rankedCube.name))
  )
    return rankByWhat(lexicon, rankedCube.name);
  // "top patients": nothing to rank the figure by (no dimension, no period grain) — a ranking of
  // one number is no ranking; ask by what, or which records.
  if (intent.top && !dims.length && !granularity)
    return rankedCube && measure.member === rankedCube.count
      ? rankByWhat(lexicon, rankedCube.name)
      : clarify(`Which records should I rank by ${readable(measure.title)}?`);
  // A filter by a label several records share ("MOUNT AUBURN HOSPITAL", two organizations): one
  // row per record, by its key with the label beside it, never their silent sum.
  const shared = intent.top
    ? undefined
    : sharedLabelIn(
        lexicon,
        found.filters.filter((f) => f.operator === 'equals'),
      );
  if (shared) {
    const pk = lexicon.members.get(lexicon.cubes.get(shared.cube)?.primaryKey ?? '');
    const key = cube === shared.cube ? pk?.member : lexicon.cubes.get(cube)?.keys.get(shared.cube);
    if (!key || !pk || pk.masked || lexicon.members.get(key)?.masked)
      return clarify(
        `${sharedLabelNote(lexicon, shared).replace(/: one row each$/, '')}: ${sharedLabelChoices(shared).join('; ')}. Which one do you mean?`,
      );
    dims.unshift(...[key, shared.member].filter((m) => !dims.includes(m)));
  }
  const query: FlatCubeQuery = { measures: [measure.member] };
  if (dims.length) query.dimensions = dims;
  if (found.segments.length) query.segments = found.segments;
  if (time.asOf && !['count', 'countDistinct', 'sum'].includes(measure.aggType ?? ''))
    return clarify(
      `${readable(measure.title)} "as of" a date needs that date as its reference, not as a period. Ask for a period instead?`,
      ['as of'],
    );
  if (time.dateRange || granularity) {
    const recorded = recordedBefore(
      lexicon,
      found.filters.filter((f) => f.operator === 'set').map((f) => f.member),
      time.wordBefore,
    );
    let dimension = dateFor(lexicon, cube, dated, { measure: measure.member, recorded });
    // "how many patients did we see in 2021": a period said of records whose model names their
    // activity (meta `activity`), with no date of their own named, is of that activity — the
    // records with activity rows in the period, each once — not of their own date (a birth date).
    const active =
      time.dateRange && !dated.length && !recorded.length && !intent.top
        ? activityCount(lexicon, cube, measure.member, [...dims, ...found.filters.map((f) => f.member)])
        : undefined;
    if (active) {
      query.measures = [active.measure];
      dimension = active.date;
    }
    if (dated.length && !dated.some((d) => d.member === dimension))
      return clarify(
        `${readable(measure.title)} cannot be counted by ${dated.map((d) => lexicon.members.get(d.member)?.title ?? d.member).join(' or ')}. Ask by its own date?`,
      );
    if (!dimension)
      return clarify(
        `${lexicon.cubes.get(cube)?.title ?? cube} has no date to filter or group by. Ask without the time period?`,
      );
    const td: NonNullable<FlatCubeQuery['timeDimensions']>[number] = { dimension };
    // "over time" names no grain: by month, or by year where the caller sees the date as a year.
    if (granularity)
      td.granularity = time.grainChosen && lexicon.members.get(dimension)?.yearOnly ? 'year' : granularity;
    if (time.dateRange) td.dateRange = time.dateRange;
    query.timeDimensions = [td];
    // "started in 2018": the date's own name is placed by the period.
    for (const m of matchMembers(w.tokens, w.free(), lexicon, (x) => x.member === dimension))
      w.use(m.covered);
  }
  const filters = [...found.filters];
  if (intent.top) {
    query.order = [[measure.member, intent.top.direction]];
    // "the most common condition": what is ranked is said in the singular, so one is wanted — the
    // dimension named, else the word after "most".
    // "which allergies affect the most people": with no dimension named, the records ranked are
    // named by their cube's noun before "most" — not the word after it, which says what is counted.
    const rankedCube = lexicon.members.get(dims[0] ?? '')?.cube;
    const top = intent.top.at[0] ?? 0;
    const head = matchCubes(w.tokens, new Set(w.tokens.map((t) => t.index)), lexicon).find(
      (c) => c.target.name === rankedCube && Math.max(...c.covered) < top,
    );
    const said = rankedAt.length
      ? rankedAt
      : head
        ? [Math.max(...head.covered)]
        : intent.top.subject !== undefined
          ? [intent.top.subject]
          : [];
    query.limit = byPeriod
      ? intent.top.explicit || !byPeriod.one
        ? intent.top.limit
        : 1
      : intent.top.explicit
        ? intent.top.limit
        : rankedSingular(w, intent, said)
          ? 1
          : // "which care plan types …": the records ranked are said in the plural.
            rankedAt.length && plural(w.tokens[Math.max(...rankedAt)])
            ? Math.max(intent.top.limit, 10)
            : intent.top.limit;
    const ranked = dims[0];
    if (ranked) filters.push({ member: ranked, operator: 'set' });
  } else if (dims.length) query.order = [[measure.member, 'desc']];
  if (filters.length) query.filters = filters;

  const missing = [...unplacedWords(w), ...time.unread];
  if (missing.length) return notPlaced(missing);
  const chosenGrain = time.grainChosen ? query.timeDimensions?.[0]?.granularity : undefined;
  return {
    kind: 'query',
    query,
    interpretation:
      describeQuery(query, lexicon, now) +
      (chosenGrain ? ` (no grain was named: by ${chosenGrain})` : '') +
      (shared ? `; ${sharedLabelNote(lexicon, shared)}` : ''),
    reading: intent.top ? 'rank' : 'aggregate',
  };
}

/**
 * "for each provider, the number of encounters", "per payer: total claim cost": a breakdown said
 * first, before the figure, said after it as "by" so its words end where the figure's begin.
 *
 * @example leadingBreakdown('for every patient, the total claim cost') // 'the total claim cost by patient'
 */
export function leadingBreakdown(q: string): string {
  const m = /^\s*(?:for|in)?\s*(?:each|every|per)\s+([^,:;]{1,60}?)\s*[,:;]\s*(.+)$/i.exec(q);
  if (!m) return q;
  return `${m[2]} by ${m[1]}`;
}

/** Words right before a breakdown's records ("by patient", "for each member", "per patient"). */
const BREAKDOWN_LEAD = new Set(['by', 'per', 'each', 'every', 'across']);

/** Words that join the records listed to attributes of theirs: "with their", "and its". */
const ATTRIBUTE_JOIN = new Set(['with', 'and', 'including', 'plus', 'showing', 'along']);
const POSSESSIVE = new Set(['their', 'its', 'his', 'her']);

/**
 * The words of a column to list name the same column of several records reached from the subject
 * ("medication names": the names of organizations, payers and providers), none of them the
 * subject's own: a label's words ("names", "descriptions") are the subject's own label; any other
 * words are asked back, naming each record. `undefined` when the best match is not shared.
 */
function otherRecordsColumn(
  w: Words,
  complete: ReadonlyArray<ReturnType<typeof matchMembers>[number]>,
  subject: string,
  lexicon: Lexicon,
):
  | { kind: 'label'; label: string; covered: number[] }
  | Extract<QueryReading, { kind: 'clarify' }>
  | undefined {
  const d = complete[0];
  if (!d || d.target.cube === subject) return undefined;
  const alike = complete.filter(
    (m) =>
      m.target.cube !== d.target.cube &&
      m.covered.join() === d.covered.join() &&
      (m.joined ?? []).join() === (d.joined ?? []).join() &&
      m.score >= d.score * 0.95,
  );
  if (!alike.length) return undefined;
  const label = lexicon.cubes.get(subject)?.label;
  if (label && d.covered.every((i) => LABEL_STEMS.has(w.tokens[i]?.stem ?? '')))
    return { kind: 'label', label, covered: d.covered };
  // "site towns": the record named right before the words tells whose.
  const before = Math.min(...d.covered) - 1;
  const owner = matchCubes(w.tokens, new Set([before]), lexicon)[0]?.target.name;
  const own = [d, ...alike].find((m) => m.target.cube === owner);
  if (own) return { kind: 'label', label: own.target.member, covered: [before, ...d.covered] };
  const said = d.covered.map((i) => w.tokens[i]?.word).join(' ');
  return {
    kind: 'clarify',
    message: `"${said}" could be the ${readable(d.target.title)} of several records. Which did you mean?`,
    unplaced: [],
    options: [d, ...alike].map((m) => {
      const owner = lexicon.cubes.get(m.target.cube)?.title ?? m.target.cube;
      return {
        label: `${owner} ${m.target.title}`,
        question: w.tokens
          .map((t) => (t.index === m.covered[0] ? `${readable(owner)} ${t.word}` : t.word))
          .join(' '),
      };
    }),
  };
}

/**
 * The attributes a list asks for beside its records, after "with their", "and their", "including
 * its": dimensions and dates of the subject (or of cubes it reaches) named in full there, whether
 * or not a period or value placed their words already.
 */
function attributesAsked(
  w: Words,
  lexicon: Lexicon,
  subject: string,
  subjectAt: number[],
): string[] | Extract<QueryReading, { kind: 'clarify' }> {
  const after = Math.max(-1, ...subjectAt);
  const join = w.tokens.find(
    (t) => t.index > after && ATTRIBUTE_JOIN.has(t.word) && POSSESSIVE.has(w.tokens[t.index + 1]?.word ?? ''),
  );
  if (!join) return [];
  const zone = new Set(w.tokens.filter((t) => t.index > join.index + 1 && isContent(t)).map((t) => t.index));
  const out: string[] = [];
  for (;;) {
    const complete = matchMembers(
      w.tokens,
      zone,
      lexicon,
      (m) =>
        (m.kind === 'dimension' || m.kind === 'time') &&
        m.type !== 'boolean' &&
        !m.primaryKey &&
        !m.masked &&
        reaches(lexicon, subject, m.cube),
    )
      .filter((m) => m.completeness === 1)
      .sort((a, b) => Number(b.target.cube === subject) - Number(a.target.cube === subject));
    const d = complete[0];
    if (!d) break;
    const other = otherRecordsColumn(w, complete, subject, lexicon);
    if (other?.kind === 'clarify') return other;
    const covered = other?.covered ?? d.covered;
    for (const i of covered) zone.delete(i);
    w.use([join.index, join.index + 1, ...covered]);
    const member = other
      ? other.label
      : d.target.references
        ? (lexicon.cubes.get(d.target.references)?.label ?? d.target.member)
        : d.target.member;
    if (!out.includes(member)) out.push(member);
  }
  return out;
}

/**
 * The count of a cube's records through its activity (meta `activity`): the activity cube's
 * distinct count of its key to the records, and the activity's date — when the figure is the plain
 * count of the records and everything else the question names is reachable from the activity.
 */
function activityCount(
  lexicon: Lexicon,
  cube: string,
  measure: string,
  named: readonly string[],
): { measure: string; date: string } | undefined {
  const entry = lexicon.cubes.get(cube);
  if (!entry?.activity || measure !== entry.count) return undefined;
  const act = lexicon.cubes.get(entry.activity);
  const key = act?.keys.get(cube);
  const date = act?.timeDimension;
  if (!act || !key || !date) return undefined;
  const keyColumns = lexicon.members.get(key)?.columns;
  if (!keyColumns?.length) return undefined;
  const distinct = [...lexicon.members.values()].find(
    (m) =>
      m.cube === act.name &&
      m.kind === 'measure' &&
      m.aggType === 'countDistinct' &&
      !m.masked &&
      m.columns?.length === keyColumns.length &&
      m.columns.every((c, i) => c === keyColumns[i]),
  );
  if (!distinct) return undefined;
  if (!named.every((n) => reaches(lexicon, act.name, n.split('.')[0] as string))) return undefined;
  return { measure: distinct.member, date };
}

/** A question back: by which figure to rank the records of a cube (its own figures, or rows pointing at it). */
function rankByWhat(lexicon: Lexicon, cube: string): QueryReading {
  const entry = lexicon.cubes.get(cube);
  const own = [...lexicon.members.values()]
    .filter((m) => m.cube === cube && m.kind === 'measure' && (m.aggType === 'sum' || m.aggType === 'avg'))
    .slice(0, 3);
  const pointing = [...lexicon.cubes.values()]
    .filter((c) => c.name !== cube && c.keys.has(cube) && c.count)
    .slice(0, 2)
    .map((c) => lexicon.members.get(c.count as string))
    .filter((m): m is MemberEntry => Boolean(m));
  const title = (entry?.title ?? cube).toLowerCase();
  return clarify(
    `By what should I rank ${title}? Each of them counts once.`,
    [],
    [...own, ...pointing].map((m) => ({
      label: m.title,
      question: `${title} with the most ${m.title.toLowerCase()}`,
    })),
  );
}

/** "most common allergy category": the thing ranked is named in the singular, so one is wanted. */
function rankedSingular(w: Words, intent: Intent, at: number[]): boolean {
  const t = w.tokens[Math.max(-1, ...at)];
  if (!t || !intent.top || ['top', 'bottom'].includes(w.tokens[intent.top.at[0] ?? -1]?.word ?? ''))
    return false;
  return t.word === t.stem;
}

/**
 * Whether a list names the records it lists: its first content word names a cube ("which
 * patients …", "list the visits …"), or it asks "who". "show me the costs" names a figure instead.
 */
function listNamesRecords(w: Words, lexicon: Lexicon): boolean {
  if (w.tokens[0]?.word === 'who') return true;
  const first = w.tokens.find(isContent);
  if (!first) return false;
  const near = new Set([first.index, first.index + 1, first.index + 2]);
  return matchCubes(w.tokens, near, lexicon).some((c) => c.covered.includes(first.index));
}

/** A noun said in the plural ("types", "settings"; not "class", "setting"). */
function plural(t: Token | undefined): boolean {
  return Boolean(t && /s$/.test(t.word) && t.word !== t.stem);
}

function readable(title: string): string {
  return title.toLowerCase();
}

/**
 * A list: the subject's key and label (or the dimensions named), one row per record or value.
 * Direct identifiers appear only when asked for and visible (minimum necessary).
 */
function listOf(
  w: Words,
  lexicon: Lexicon,
  intent: Intent,
  time: TimeIntent,
  found: Found,
  now: Date,
): QueryReading | undefined {
  const named = matchCubes(w.tokens, w.free(), lexicon).sort(
    (a, b) => (a.covered[0] ?? 0) - (b.covered[0] ?? 0),
  );
  // The subject: the first cube named, else the cube of a value or of a dimension named in full.
  const dimension = matchMembers(
    w.tokens,
    w.free(),
    lexicon,
    (m) => m.kind === 'dimension' && !m.primaryKey && !m.masked && m.type === 'string',
  ).find((m) => m.completeness === 1);
  let subject = named[0]?.target.name ?? [...found.valueCube.values()][0] ?? dimension?.target.cube;
  if (!subject) return undefined;
  const columns: string[] = [];
  const filters = [...found.filters];
  // "who had a wellness visit in 2020": the people those records belong to, when a value of the
  // records named narrows them (their condition stays on the records).
  if (
    w.tokens[0]?.word === 'who' &&
    named[0]?.target.name === subject &&
    filters.some((f) => f.member.split('.')[0] === subject)
  )
    subject = peopleCube(lexicon, subject) ?? subject;
  // "what types of encounters": a dimension of the subject named by the kind word and the cube's
  // words ("encounter type"); "care plan types": the kinds of the subject itself.
  const kindWord = w.tokens.find((t) => /^(kinds?|types?|sorts?)$/.test(t.word));
  if (kindWord && named[0]) {
    const words = new Set([kindWord.index, ...named[0].covered]);
    const own = matchMembers(
      w.tokens,
      words,
      lexicon,
      (m) => m.kind === 'dimension' && m.cube === subject && m.type === 'string' && !m.primaryKey,
    ).find((m) => m.completeness === 1 && m.covered.includes(kindWord.index));
    w.use([kindWord.index]);
    if (own) {
      w.use(own.covered);
      columns.push(own.target.member);
    } else intent.kinds = true;
  }
  if (named[0]) w.use(named[0].covered);
  // "patient ids", "the ids of encounters": the subject's own key, listed alone when the caller
  // may see it (a direct identifier never is).
  const keyName = lexicon.cubes.get(subject)?.primaryKey;
  const key = keyName ? lexicon.members.get(keyName) : undefined;
  if (key && key.phi !== 'direct') {
    const said = matchMembers(w.tokens, w.free(), lexicon, (m) => m.member === key.member).find(
      (m) => m.completeness === 1,
    );
    if (said) {
      w.use(said.covered);
      columns.push(key.member);
    }
  }
  // "organizations and their cities", "patients who died, with their dates of death": attributes
  // of the records listed, each a column beside what the records are known by — even a date a
  // period was said of.
  const attributes = attributesAsked(w, lexicon, subject, named[0]?.covered ?? []);
  if (!Array.isArray(attributes)) return attributes;
  for (const a of attributes) if (!columns.includes(a)) columns.push(a);
  for (;;) {
    const complete = matchMembers(
      w.tokens,
      w.free(),
      lexicon,
      (m) => m.kind === 'dimension' && !m.primaryKey && !m.masked && reaches(lexicon, subject, m.cube),
    )
      .filter((m) => m.completeness === 1)
      // "provider names": the subject's own name before the name of a cube it points at.
      .sort((a, b) => Number(b.target.cube === subject) - Number(a.target.cube === subject));
    const d = complete[0];
    if (!d) break;
    const other = otherRecordsColumn(w, complete, subject, lexicon);
    if (other?.kind === 'clarify') return other;
    if (other) {
      w.use(other.covered);
      if (!columns.includes(other.label)) columns.push(other.label);
      continue;
    }
    w.use(d.covered);
    if (d.target.type === 'boolean')
      filters.push({ member: d.target.member, operator: 'equals', values: ['true'] });
    else if (d.target.references) {
      const label = lexicon.cubes.get(d.target.references)?.label;
      if (label && !columns.includes(label)) columns.push(label);
    } else if (!columns.includes(d.target.member)) columns.push(d.target.member);
  }
  // "patients who had an inpatient visit": a cube named with a value of its own is where the
  // value's condition is kept.
  const filterCubes = new Set(filters.map((f) => f.member.split('.')[0]));
  for (const c of named.slice(1))
    if (
      c.target.name === subject ||
      reaches(lexicon, subject, c.target.name) ||
      filterCubes.has(c.target.name)
    )
      w.use(c.covered);
  const entry = lexicon.cubes.get(subject);
  // "names", "who": the subject's name (a person's first and last name), when the caller sees it.
  // (Not the verb "name the …", placed as the list it asks for.)
  const nameWords = w.tokens.filter((t) => (t.stem === 'name' && !w.used.has(t.index)) || t.word === 'who');
  const names = (entry?.names ?? []).filter((n) => lexicon.members.get(n)?.masked === false);
  if (nameWords.length && names.length && columns.every((c) => names.includes(c))) {
    w.use(nameWords.map((t) => t.index));
    // The record's key beside its name, as for any list of records: two people may share a name.
    const key = entry?.primaryKey && lexicon.members.get(entry.primaryKey);
    if (!columns.length && key && key.phi !== 'direct') columns.push(key.member);
    for (const n of names) if (!columns.includes(n)) columns.push(n);
  }
  if ((!columns.length || (attributes.length && columns.length === attributes.length)) && entry) {
    const own: string[] = [];
    const key = entry.primaryKey && lexicon.members.get(entry.primaryKey);
    if (key && key.phi !== 'direct' && !intent.kinds) own.push(key.member);
    if (entry.label) own.push(entry.label);
    // A person with no label is listed by the name parts the caller sees.
    else if (!intent.kinds) own.push(...visibleNames(lexicon, entry));
    columns.unshift(...own.filter((c) => !columns.includes(c)));
  }
  if (!columns.length) return undefined;
  const query: FlatCubeQuery = { dimensions: columns, limit: 1000 };
  if (filters.length) query.filters = filters;
  if (found.segments.length) query.segments = found.segments;
  if (time.dateRange) {
    // Records are listed by when their events happened: a filter's cube before the subject's own dates.
    const cubes = [
      ...filters.map((f) => f.member.split('.')[0] as string),
      ...found.segments.map((s) => s.split('.')[0] as string),
      subject,
    ];
    // "patients who died in 2023": the date the condition says is recorded, said right before the period.
    const recorded = recordedBefore(
      lexicon,
      filters.filter((f) => f.operator === 'set').map((f) => f.member),
      time.wordBefore,
    );
    const own = recorded[0]
      ? dateFor(lexicon, recorded[0].split('.')[0] as string, [], { recorded })
      : undefined;
    const dimension = own ?? cubes.map((c) => lexicon.cubes.get(c)?.timeDimension).find(Boolean);
    if (dimension) query.timeDimensions = [{ dimension, dateRange: time.dateRange }];
  }
  w.use(intent.aggAt);
  const missing = [...unplacedWords(w), ...time.unread];
  if (missing.length) return notPlaced(missing);
  // "Payers (Id, Name), where Ownership is GOVERNMENT": what is listed, its columns, its conditions.
  // A column of another record says whose it is ("Organizations Name").
  const shown = columns
    .map((c) => {
      const m = lexicon.members.get(c);
      if (!m) return c;
      const owner = m.cube !== subject ? lexicon.cubes.get(m.cube)?.title : undefined;
      return owner && !m.title.toLowerCase().startsWith(owner.toLowerCase().replace(/s$/, ''))
        ? `${owner} ${m.title}`
        : m.title;
    })
    .join(', ');
  const rest = describeQuery({ ...query, dimensions: [] }, lexicon, now);
  return {
    kind: 'query',
    query,
    interpretation: `${entry?.title ?? subject} (${shown})${rest}`,
    reading: 'list',
  };
}

/**
 * A follow-up ("and by gender?", "only 2019", "what about immunizations?", "and the total?") applied
 * to the previous answer's query: what the new words name replaces or joins what was there.
 */
function followUpOf(
  w: Words,
  lexicon: Lexicon,
  intent: Intent,
  time: TimeIntent,
  found: Found,
  groupRuns: number[][],
  held: Set<number>,
  previous: FlatCubeQuery,
  now: Date,
  candidates: Candidate[],
): QueryReading {
  const q: FlatCubeQuery = structuredClone(previous);
  const oldMeasure = q.measures?.[0];
  let measure = candidates[0]?.member.member;
  if (measure) w.use(candidates[0]?.covered ?? []);
  if (!measure && oldMeasure && intent.agg) {
    // "and the total?": the measure of the same column with the other aggregation.
    const old = lexicon.members.get(oldMeasure);
    const stems = (m: MemberEntry) =>
      m.phrases[0]?.stems
        .filter((s) => !['total', 'sum', 'avg', 'average', 'mean', 'count'].includes(s))
        .join(' ');
    const sibling = [...lexicon.members.values()].find(
      (m) =>
        old &&
        m.kind === 'measure' &&
        m.cube === old.cube &&
        m.aggType === intent.agg &&
        m.member !== old.member &&
        stems(m) === stems(old),
    );
    measure = sibling?.member;
  }
  if (measure) {
    q.measures = [measure];
    if (q.order) q.order = q.order.map(([m, d]) => [m === oldMeasure ? (measure as string) : m, d]);
  }
  w.use(intent.aggAt);
  const cube = (q.measures?.[0] ?? q.dimensions?.[0] ?? '').split('.')[0] as string;
  const reachable = (member: string) => reaches(lexicon, cube, member.split('.')[0] as string);
  for (const i of held) w.used.delete(i);
  const dims: string[] = [];
  let granularity = time.granularity;
  for (const run of groupRuns) {
    const d = groupDimension(w, run, lexicon, cube);
    if (!d) continue;
    w.use(d.covered);
    if (d.time) granularity ??= 'month';
    else dims.push(d.member);
  }
  for (const m of found.compared) if (!dims.includes(m)) dims.push(m);
  if (dims.length) q.dimensions = [...new Set([...(q.dimensions ?? []), ...dims])];
  q.dimensions = q.dimensions?.filter(reachable);
  if (found.filters.length) {
    const replaced = new Set(found.filters.map((f) => f.member));
    q.filters = [...(q.filters ?? []).filter((f) => !replaced.has(f.member)), ...found.filters];
  }
  q.filters = q.filters?.filter((f) => reachable(f.member));
  if (found.segments.length) q.segments = [...new Set([...(q.segments ?? []), ...found.segments])];
  const prevTd = q.timeDimensions?.[0];
  const timeDimension = prevTd?.dimension.startsWith(`${cube}.`)
    ? prevTd.dimension
    : lexicon.cubes.get(cube)?.timeDimension;
  if (timeDimension && (prevTd || time.dateRange || granularity)) {
    const td: NonNullable<FlatCubeQuery['timeDimensions']>[number] = { dimension: timeDimension };
    const g = granularity ?? prevTd?.granularity;
    const r = time.dateRange ?? prevTd?.dateRange;
    if (g) td.granularity = g;
    if (r) td.dateRange = r;
    q.timeDimensions = [td];
  } else if (!timeDimension) delete q.timeDimensions;
  if (intent.top?.explicit) {
    q.limit = intent.top.limit;
    q.order = [[q.measures?.[0] ?? '', intent.top.direction]];
  }
  for (const k of ['dimensions', 'filters', 'segments'] as const) if (q[k]?.length === 0) delete q[k];
  for (const c of matchCubes(w.tokens, w.free(), lexicon)) if (c.target.name === cube) w.use(c.covered);
  const missing = [...unplacedWords(w), ...time.unread];
  if (missing.length) return notPlaced(missing);
  if (JSON.stringify(q) === JSON.stringify(previous))
    return clarify('What would you like to change about the last answer?');
  return { kind: 'query', query: q, interpretation: describeQuery(q, lexicon, now), reading: 'follow_up' };
}
