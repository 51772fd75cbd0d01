/**
 * Cohorts and null semantics: records of one cube (the head: "patients", "encounters") kept or
 * dropped by conditions on their own dimensions and by the existence — or absence — of related
 * rows in cubes keyed to them ("patients with diabetes who never had an emergency visit",
 * "encounters with no reason recorded", "living patients with an active care plan").
 *
 * Everything about the data comes from the model: which cube the others point at (their keys),
 * which dimension is a row's stop (its `null_means` words, meta `role: stop`, or an end date beside a
 * start date), values and flags. The words here are language only: negation, "ever", "also",
 * "still", "missing". Compiled to EXISTS / NOT EXISTS over the caller's cubes, so row policies apply.
 */
import { quoteIdent, quoteLiteral } from '../../core/index.ts';
import { comparedNumbers } from './compared.ts';
import { type CubeEntry, type Lexicon, matchCubes, matchMembers, matchValues } from './lexicon.ts';
import type { CohortForm, CohortTerm, Condition, LogicalForm } from './logical-form.ts';
import { headOnly, narrowRun } from './query-form.ts';
import { readTime } from './read-time.ts';
import { contentStems, deniedAt, freePhrase, isContent, type Token, tokenize } from './text.ts';
import { timeFilter, timeRangeSql } from './time-filter.ts';
import { incidental } from './value-words.ts';

type Result =
  | { kind: 'form'; form: LogicalForm; sql: string; interpretation: string }
  | {
      kind: 'clarify';
      message: string;
      unplaced: string[];
      options: Array<{ label: string; question: string }>;
    }
  | { kind: 'refuse'; message: string };

/** Words that deny what follows. */
const NEGATION = new Set([
  'never',
  'no',
  'not',
  'without',
  'none',
  'nobody',
  'neither',
  'nor',
  'nothing',
  'zero',
]);
/** Words that say a value is absent: "missing", "blank", "unknown". */
const ABSENT = new Set([
  'missing',
  'blank',
  'unknown',
  'empty',
  'null',
  'unrecorded',
  'undocumented',
  'absent',
]);
/** Words that say a cohort is meant: related rows at any time, also, both, at least one. */
const COHORT_CUES = new Set(['ever', 'also', 'both', 'among', 'amongst', 'additionally', 'too', 'either']);
/** A row with no stop yet. */
const OPEN_WORDS = new Set([
  'active',
  'current',
  'currently',
  'ongoing',
  'open',
  'still',
  'unresolved',
  'present',
  'presently',
  'now',
]);
/** A row with a stop. */
const CLOSED_WORDS = new Set([
  'ended',
  'resolved',
  'stopped',
  'past',
  'completed',
  'finished',
  'closed',
  'discontinued',
  'former',
  'previous',
  'inactive',
  'expired',
]);
/** Words that say a row is still open (`isNull`: no stop yet), or that it has ended. */
export function stateWords(isNull: boolean): ReadonlySet<string> {
  return isNull ? OPEN_WORDS : CLOSED_WORDS;
}

/** Words that say which part of a person's name a member is (English): the parts a person is called by. */
const PERSON_NAME_PARTS = new Set(['first', 'given', 'forename', 'last', 'family', 'surname']);

/** Words that say how or that something happened, not what: no member of their own. */
const SOFT = new Set(
  `have has had having get got ever been received receive receiving diagnosed diagnosis prescribed given taking take
  takes taken took on recorded record records documented listed seen see had undergone underwent undergo treated
  gone went go saw where experienced experience suffered suffering are were is was be being also both among amongst at least one
  any single all total number but and whereas while plus come came back return returned only just count how many much who whom which that those ones people individuals still currently
  additionally too either yet so far history documented entry entries kept on file
  written write wrote issued dispensed administered performed done made ordered`.split(/\s+/),
);

/** Words that join conditions or ask for a share: a question without any is no cohort. */
const GATE = new Set([
  'had',
  'have',
  'has',
  'got',
  'received',
  'were',
  'was',
  'and',
  'with',
  'who',
  'whom',
  'that',
  'but',
  'or',
  'least',
  'percent',
  'percentage',
  'share',
  'proportion',
  'fraction',
]);

const nullStemCache = new WeakMap<Lexicon, Set<string>>();

/** Stems of the words the model says mean a member is empty or filled. */
function nullWordStems(lexicon: Lexicon): Set<string> {
  let out = nullStemCache.get(lexicon);
  if (!out) {
    out = new Set(lexicon.nulls.flatMap((n) => n.stems));
    nullStemCache.set(lexicon, out);
  }
  return out;
}

/** Where a question splits into clauses: each clause is one condition (or the head). */
// "with hypertension are not on lisinopril", "diabetics not on metformin": a denial said after
// a condition starts a clause of its own, so it denies what follows it, not what came before.
const BOUNDARY =
  /\s(?=(?:and|but|also|who|whom|that|with|without|among|amongst|or|whereas|while|yet|plus|as well as|never|(?:did|do|does|have|has|had|were|was) not|(?:have|has|had) no|(?:have|has|had) been|(?:were|was|are|is) (?!not\b)|(?:were|was|are|is) not (?!yet\b|been\b|being\b|ever\b)(?=\S)|(?<!\b(?:did|do|does|have|has|had|were|was|are|is|and|but|or|who|that|with|yet|nor|whom|if|whether|still|also)\s)not (?=(?:on|taking|prescribed|given|treated|receiving|using|having|vaccinated|immunized|immunised|diagnosed|seen|admitted|covered|enrolled)\b))\b)|\s*[,;]\s*/;

interface Clause {
  text: string;
  lead: string;
  tokens: Token[];
  used: Set<number>;
  negated: boolean;
  absent: boolean;
  time?: [string, string] | string | undefined;
  /** What this clause contributes. */
  cube?: string | undefined;
  filters: Condition[];
  head: boolean;
  output: boolean;
}

const SHARE = /\b(?:percent|percentage|share|proportion|fraction)\b/;
const COUNT = /\b(?:how many|number of|count|total number)\b/;
const LIST = /^\s*(?:which|list|show|who|names?|give|what are|find)\b/;
/** A list asked for after the question ("… who are they", "name them", "show me those patients"). */
const LIST_ANYWHERE =
  /\b(?:who|which) (?:are|were) (?:they|these|those|them)\b|\b(?:name|list|show(?: me)?|give me|identify) (?:them|these|those|each of them)\b/;
const LIST_ANYWHERE_ALL = new RegExp(LIST_ANYWHERE.source, 'g');
/** The names asked for after the question ("… - list names", "give me their names"): the verb only. */
const NAMES_LISTED =
  /(?<!^\s*)\b(?:list|show(?: me)?|give(?: me)?)\s+(?:(?:their|the|its|all)\s+)?(?=names?\b)/;
const NAMES_LISTED_ALL = new RegExp(NAMES_LISTED.source, 'g');

function free(c: Clause): Set<number> {
  return new Set(c.tokens.filter((t) => !c.used.has(t.index)).map((t) => t.index));
}

function use(c: Clause, ix: Iterable<number>): void {
  for (const i of ix) c.used.add(i);
}

function unplaced(c: Clause): string[] {
  // A small number alone may be part of wording read elsewhere; one said as a bound ("at least
  // 65", "under 18") and not placed is named back whole, never dropped.
  // ("at least 1" is any at all: what a cohort's related rows say already.)
  const bounds = [...comparedNumbers(c.tokens)]
    .filter(([at, b]) => !c.used.has(at) && !(b.op === 'gte' && b.n === 1) && !(b.op === 'gt' && b.n === 0))
    .map(([, b]) => b);
  const inBound = new Set(bounds.flatMap((b) => b.at));
  const out: string[] = [];
  for (const t of c.tokens) {
    if (c.used.has(t.index) || !isContent(t) || SOFT.has(t.word) || SOFT.has(t.stem)) continue;
    const b = bounds.find((x) => x.at.includes(t.index));
    if (b) {
      if (!out.includes(b.said)) out.push(b.said);
      continue;
    }
    if (inBound.has(t.index) || /^\d{1,3}$/.test(t.word)) continue;
    out.push(t.word);
  }
  return out;
}

/**
 * "aged at least 65", "age under 18", "aged 70": a bound on a number member of the head's own
 * rows named right before it (by the member's words or synonyms in the model).
 */
function ownBound(c: Clause, lexicon: Lexicon, head: string): Condition[] {
  const m = matchMembers(
    c.tokens,
    free(c),
    lexicon,
    (x) => x.cube === head && x.kind !== 'measure' && x.type === 'number',
  ).find((x) => x.completeness === 1);
  if (!m) return [];
  const after = Math.max(...m.covered);
  for (const [, b] of comparedNumbers(c.tokens)) {
    if (b.at[0] !== after + 1 && b.at[0] !== after + 2) continue;
    if (b.at.some((k) => c.used.has(k))) continue;
    use(c, [...m.covered, ...b.at]);
    return [{ member: m.target.member, op: b.op, value: b.n }];
  }
  const n = c.tokens[after + 1];
  if (n && /^\d+(?:\.\d+)?$/.test(n.word) && !c.used.has(n.index)) {
    use(c, [...m.covered, n.index]);
    return [
      { member: m.target.member, op: 'gte', value: Number(n.word) },
      { member: m.target.member, op: 'lte', value: Number(n.word) },
    ];
  }
  return [];
}

/** A cube others point at through their keys: what a cohort counts. */
function keyedTo(lexicon: Lexicon, head: string): CubeEntry[] {
  return [...lexicon.cubes.values()].filter((c) => c.name !== head && c.keys.has(head));
}

/**
 * The dimension that ends a row: one the model says an empty value means something for, one
 * marked `role: stop` in its meta, or a time dimension named as an end beside another time.
 */
export function stopOf(lexicon: Lexicon, cube: string): string | undefined {
  const listed = lexicon.nulls.find((n) => n.cube === cube && n.isNull);
  const m = listed && lexicon.members.get(listed.member);
  if (m && m.kind === 'time') return m.member;
  const times = [...lexicon.members.values()].filter((x) => x.cube === cube && x.kind === 'time');
  if (times.length < 2) return undefined;
  const end = times.find(
    (x) =>
      x.role === 'stop' ||
      /^(?:stop|end|ended|stopped|end_?date|stop_?date|enddate|stopdate)$/.test(x.column),
  );
  return end?.member;
}

/**
 * A word saying a record is open or ended ("active", "current", "closed") said right before the
 * name of records that have no stop date, or whose stop the model names with other words ("alive",
 * not "active"): a question back naming it.
 */
function stateOfStopless(all: Token[], lexicon: Lexicon, head: CubeEntry): Result | undefined {
  const stop = stopOf(lexicon, head.name);
  const listed = lexicon.nulls.filter((n) => n.cube === head.name);
  // A stop date the model gives no words for: the usual state words are its own.
  if (stop && !listed.some((n) => n.member === stop)) return undefined;
  for (const t of all) {
    if (!OPEN_WORDS.has(t.word) && !CLOSED_WORDS.has(t.word)) continue;
    if (listed.some((n) => n.stems.includes(t.stem))) continue;
    const next = matchCubes(all, new Set([t.index + 1, t.index + 2]), lexicon).find(
      (m) => m.target.name === head.name && Math.min(...m.covered) === t.index + 1,
    );
    if (!next) continue;
    return {
      kind: 'clarify',
      message: `${head.title} have no end date to tell "${t.word}" ones from others. Could you say what "${t.word}" means here (for instance, seen in a given period)?`,
      unplaced: [t.word],
      options: [],
    };
  }
  return undefined;
}

/** Words inside a descriptive text value ("diabetes" of "Diabetes mellitus type 2"), by member. */
const wordIndex = new WeakMap<
  Lexicon,
  Map<string, Array<{ member: string; value: string; stems: string[] }>>
>();

function insideIndex(
  lexicon: Lexicon,
): Map<string, Array<{ member: string; value: string; stems: string[] }>> {
  let index = wordIndex.get(lexicon);
  if (index) return index;
  index = new Map();
  for (const v of lexicon.values) {
    // A value other records hold too is named whole beside its cube's words only (`yields`).
    if (v.synonym || v.yields) continue;
    const m = lexicon.members.get(v.member);
    if (
      !m ||
      !(lexicon.cubes.get(m.cube)?.label === m.member || /(description|name|title|label)$/.test(m.column))
    )
      continue;
    for (const s of new Set(v.stems)) {
      if (s.length < 4) continue;
      const list = index.get(s) ?? [];
      list.push({ member: v.member, value: v.value, stems: v.stems });
      index.set(s, list);
    }
  }
  wordIndex.set(lexicon, index);
  return index;
}

/**
 * Conditions a clause names on one cube: whole values and the model's synonyms for them, words
 * inside its descriptive values, flags, what the model says an empty member means, open/closed
 * words on its stop, and a dimension said to be missing.
 */
function conditionsOn(
  c: Clause,
  lexicon: Lexicon,
  cube: string,
  opts: {
    inside: boolean;
    generic: boolean;
    values?: boolean;
    /** The head's own rows ("care plans with no end"): a state denied is the other state. */
    own?: boolean;
  },
): Condition[] {
  const out: Condition[] = [];
  const addIn = (member: string, values: string[]) => {
    const same = out.find((o) => o.member === member && o.op === 'in');
    if (same && same.op === 'in') same.values = [...new Set([...same.values, ...values])];
    else out.push({ member, op: 'in', values: [...new Set(values)] });
  };
  for (; opts.values !== false; ) {
    const v = matchValues(c.tokens, free(c), lexicon, (x) => x.cube === cube)[0];
    if (!v) break;
    // Words that name a member or cube in full are that, not a stored value reading the same.
    use(c, v.covered);
    const all = matchValues(c.tokens, new Set(v.covered), lexicon, (x) => x.member === v.target.member);
    addIn(
      v.target.member,
      all.filter((h) => h.covered.length === v.covered.length).map((h) => h.target.value),
    );
  }
  // The longest words first: "still alive" whole, not "alive" leaving "still" to some other row.
  for (const n of lexicon.nulls
    .filter((x) => x.cube === cube)
    .sort((a, b) => b.stems.length - a.stems.length)) {
    const hit = phraseAt(c, n.stems);
    if (!hit) continue;
    use(c, hit);
    // "care plans with no end", "not ended": the head's own state denied is the other one. (Of
    // other rows, "no active care plan" denies that any exists: the clause's negation; but "not
    // resolved", "never ended" said right before the state word deny the state, not the rows.)
    const denied = opts.own ? deniedAt(c.tokens, Math.min(...hit)) : stateDeniedAt(c, Math.min(...hit));
    const isNull = denied === undefined ? n.isNull : !n.isNull;
    if (denied !== undefined) {
      use(c, [denied]);
      c.negated = opts.own ? false : stillNegated(c);
    }
    if (!out.some((o) => o.member === n.member))
      out.push({ member: n.member, op: isNull ? 'is_null' : 'is_not_null' });
  }
  for (;;) {
    const b = matchMembers(c.tokens, free(c), lexicon, (m) => m.cube === cube && m.type === 'boolean').find(
      (m) => m.completeness === 1,
    );
    if (!b) break;
    use(c, b.covered);
    const negated = c.tokens.some((t) => NEGATION.has(t.word) && t.index < (b.covered[0] ?? 0));
    if (negated) for (const t of c.tokens) if (NEGATION.has(t.word)) c.used.add(t.index);
    out.push({ member: b.target.member, op: negated ? 'is_false' : 'is_true' });
  }
  const stop = opts.generic ? stopOf(lexicon, cube) : undefined;
  if (stop) {
    for (const t of c.tokens) {
      if (c.used.has(t.index)) continue;
      let open = OPEN_WORDS.has(t.word);
      if (!open && !CLOSED_WORDS.has(t.word)) continue;
      use(c, [t.index]);
      // "not finished", "no longer current": the other state.
      const denied = stateDeniedAt(c, t.index);
      if (denied !== undefined) {
        use(c, [denied]);
        open = !open;
        c.negated = stillNegated(c);
      }
      if (!out.some((o) => o.member === stop))
        out.push({ member: stop, op: open ? 'is_null' : 'is_not_null' });
    }
  }
  if (opts.inside) {
    // Words inside descriptive text: "diabetes" in "Diabetes mellitus type 2".
    const index = insideIndex(lexicon);
    for (const i of [...free(c)]) {
      const t = c.tokens[i] as Token;
      // A word a run before this one took ("kidney" of "chronic kidney") names nothing again.
      if (c.used.has(i)) continue;
      if (SOFT.has(t.word) || !isContent(t) || NEGATION.has(t.word)) continue;
      const onCube = (index.get(t.stem) ?? []).filter((h) => lexicon.members.get(h.member)?.cube === cube);
      if (!onCube.length) continue;
      // A word of the model's own ("type") found inside long values names them only as part of a
      // longer run of their words ("type 2 diabetes"), not alone.
      const { run, hits: held } = narrowRun(c.tokens, free(c), i, onCube);
      // A word that names a cube by itself ("patients") is that cube, not a word of a value
      // ("Patient discharge"), unless a longer run of the value's words is said.
      if (run.length === 1 && matchCubes(c.tokens, new Set([i]), lexicon).length) continue;
      const narrowed = run.length > 1 ? held : held.filter((h) => !incidental(lexicon, t.stem, h.value));
      if (!narrowed.length) continue;
      const byMember = new Map<string, string[]>();
      for (const h of narrowed) byMember.set(h.member, [...(byMember.get(h.member) ?? []), h.value]);
      const fitOf = (member: string) =>
        (byMember.get(member) ?? []).reduce(
          (sum, v) =>
            sum + Math.min(1, run.length / Math.max(1, contentStems(v.replace(/\([^)]*\)/g, ' ')).length)),
          0,
        ) + (lexicon.cubes.get(cube)?.label === member ? 0.5 : 0);
      const member = [...byMember.keys()].sort(
        (a, b) => fitOf(b) - fitOf(a) || a.localeCompare(b),
      )[0] as string;
      use(c, run);
      // A condition word names the values it heads, not those holding it after "due to" (headOnly).
      addIn(
        member,
        headOnly(
          byMember.get(member) ?? [],
          run.map((k) => (c.tokens[k] as Token).stem),
        ),
      );
    }
  }
  return out;
}

/**
 * "A or B" where B is rows of the same cube as A, said with no other words: rows meeting either
 * exist when a row with either value exists — one condition, the values of one member together
 * ("an allergy or an intolerance"), or any row when A named none. Merged into `prev`; false when
 * the two sides are not that (other cubes, denials, periods, other members): asked about.
 */
function orSameRows(
  c: Clause,
  lexicon: Lexicon,
  prev: CohortTerm | undefined,
  head: string,
  named: string | undefined,
): boolean {
  // "without hypertension or diabetes": the denial said before the first side covers the list
  // (neither); a side denied on its own ("… or no B") is not one condition.
  if (!prev || prev.cube === head || c.negated || c.absent || c.time) return false;
  if (prev.negated && !/^\s*or\s+\S/.test(c.text)) return false;
  if (named && named !== prev.cube) return false;
  const filters = conditionsOn(c, lexicon, prev.cube, { inside: true, generic: false });
  if (unplaced(c).length) return false;
  if (!filters.length && !named) return false;
  if (!prev.filters.length) return true;
  const [a] = prev.filters;
  const [b] = filters;
  if (prev.filters.length !== 1 || filters.length !== 1 || a?.op !== 'in' || b?.op !== 'in') return false;
  if (a.member !== b.member) return false;
  a.values = [...new Set([...a.values, ...b.values])];
  return true;
}

/** Words that deny a state said right after them ("not resolved", "never ended"), not rows. */
const STATE_DENIAL = new Set(['not', 'never']);
/** Words that may stand between such a denial and the state ("not yet resolved", "never been closed"). */
const STATE_BETWEEN = new Set(['yet', 'been', 'being', 'be', 'ever']);

/** The free "not" / "never" said right before a state word at `at`: its index, or undefined. */
function stateDeniedAt(c: Clause, at: number): number | undefined {
  for (let k = at - 1; k >= 0 && k >= at - 3; k--) {
    const t = c.tokens[k];
    if (!t || c.used.has(k)) return undefined;
    if (STATE_DENIAL.has(t.word)) return k;
    if (!STATE_BETWEEN.has(t.word)) return undefined;
  }
  return undefined;
}

/** A denial of rows still said in the clause once a denied state took its own. */
function stillNegated(c: Clause): boolean {
  return c.tokens.some((x) => NEGATION.has(x.word) && !c.used.has(x.index));
}

function phraseAt(c: Clause, stems: string[]): number[] | undefined {
  return freePhrase(c.tokens, free(c), stems);
}

/**
 * The cube a clause's values belong to when it names none: a row's own label (whole or by words
 * inside it) before other text such as a reason; a cube named in a neighbouring clause breaks ties.
 */
function valueCube(c: Clause, lexicon: Lexicon, candidates: string[], near: string[]): string | undefined {
  const f = free(c);
  const isLabel = (m: string) => lexicon.cubes.get(lexicon.members.get(m)?.cube ?? '')?.label === m;
  const score = new Map<string, number>();
  const add = (cube: string, n: number) =>
    score.set(cube, Math.max(score.get(cube) ?? 0, n + (near.includes(cube) ? 0.1 : 0)));
  for (const v of matchValues(c.tokens, f, lexicon, (x) => candidates.includes(x.cube)))
    add(v.target.cube, (isLabel(v.target.member) ? 3 : 2.1) + v.score / 10);
  const index = insideIndex(lexicon);
  for (const i of f) {
    const t = c.tokens[i] as Token;
    // A denial ("without any insulin") places no value inside some text ("… without …"): the
    // inside words conditionsOn reads skip it too.
    if (SOFT.has(t.word) || !isContent(t) || NEGATION.has(t.word)) continue;
    const sums = new Map<string, number>();
    for (const h of index.get(t.stem) ?? []) {
      const cube = lexicon.members.get(h.member)?.cube ?? '';
      if (!candidates.includes(cube) || incidental(lexicon, t.stem, h.value)) continue;
      const fit = 1 / Math.max(1, contentStems(h.value.replace(/\([^)]*\)/g, ' ')).length);
      // The best fitting value, and a little for each other value holding the word.
      const n = isLabel(h.member) ? 1 + fit : 0.3 * fit;
      const prev = sums.get(cube);
      sums.set(cube, prev === undefined ? n : Math.max(prev, n) + (prev < 1.1 + n ? 0.02 : 0));
    }
    for (const [cube, n] of sums) add(cube, n);
  }
  return [...score.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function clauses(text: string): Clause[] {
  const parts: string[] = [];
  let current = '';
  for (const piece of text.split(BOUNDARY)) {
    if (!piece.trim()) continue;
    // "between 2019 and 2021": one period, not two clauses.
    if (/^and\b/.test(piece.trim()) && /\bbetween\s+\S+\s*$/.test(current)) current += ` ${piece}`;
    else {
      if (current.trim()) parts.push(current);
      current = piece;
    }
  }
  if (current.trim()) parts.push(current);
  return parts.map((p) => {
    const lead = /^\s*([a-z]+)/.exec(p)?.[1] ?? '';
    return {
      text: p,
      lead,
      tokens: [],
      used: new Set<number>(),
      negated: false,
      absent: false,
      filters: [],
      head: false,
      output: false,
    };
  });
}

/**
 * "both a COVID vaccine and a flu shot in 2021": a period said at the end of the last side of
 * "both … and …" is said of every side — unless another side names its own period ("both in 2020
 * and in 2021" are two periods).
 */
function bothTakePeriod(parts: Clause[], now: Date): void {
  const start = parts.findIndex((c) => /\bboth\b/.test(c.text));
  if (start < 0) return;
  let end = start;
  while (parts[end + 1]?.lead === 'and') end++;
  const last = parts[end] as Clause;
  if (end === start || !last.time) return;
  const sides = parts.slice(start, end);
  if (sides.some((c) => c.time)) return;
  // Said at the end of the side, after what it names ("… a flu shot in 2021").
  const rest = readTime(last.text, now).rest.trim();
  if (!rest || !last.text.trim().startsWith(rest)) return;
  for (const c of sides) c.time = last.time;
}

/**
 * Read a cohort ("how many patients with diabetes never had an emergency visit", "what share of
 * patients have ever had an allergy", "which patients had A but not B") or a missing value
 * ("encounters with no reason recorded"). `undefined` when the question is not one: other readings
 * answer it. A question back when it is one but a word cannot be placed.
 */
export function readCohort(
  question: string,
  lexicon: Lexicon,
  now: Date,
  /**
   * `head`: the cube whose records the words qualify, already known ("… per patient for women":
   * patients); `within`: the words are only the qualifier, read as conditions on the head's records
   * however they are said (no cue word needed), listed for another figure to keep its rows to them.
   */
  opts: { head?: string; within?: boolean } = {},
): Result | undefined {
  const within = opts.within === true;
  let text = ` ${question
    .toLowerCase()
    .replace(/%/g, ' percent ')
    .replace(/n[’']t\b/g, ' not')
    // "without a single allergy", "not one visit": no such rows at all.
    .replace(
      /\b(without|no|not|never)\s+(?:(?:had|have|has|got)\s+)?(?:a\s+single|one\s+single|a\s+solitary)\b/g,
      '$1 any',
    )
    // "not yet ended": "yet" adds nothing to the denial (and would start a clause of its own).
    .replace(/\b(not|never)\s+yet\b/g, '$1')
    .replace(/[?!.]+\s*$/, '')} `;
  // "… — who are they?", "name them": the records are asked for, wherever that is said.
  let listAsked = LIST_ANYWHERE.test(text);
  if (listAsked) text = text.replace(LIST_ANYWHERE_ALL, ' ');
  // "… - list names", "… show their names": the records by name, the names kept to say so.
  if (NAMES_LISTED.test(text)) {
    listAsked = true;
    text = text.replace(NAMES_LISTED_ALL, ' ');
  }
  const output: CohortForm['output'] = within
    ? 'list'
    : listAsked
      ? 'list'
      : SHARE.test(text)
        ? 'share'
        : COUNT.test(text)
          ? 'count'
          : // A phrase describing records with no counting word asks for them ("patients who …").
            'list';
  // Cheap first: a cohort or a missing value is said with one of these words, or not at all.
  const said = tokenize(text);
  const nullStems = nullWordStems(lexicon);
  if (
    !within &&
    !said.some(
      (t) =>
        GATE.has(t.word) ||
        NEGATION.has(t.word) ||
        ABSENT.has(t.word) ||
        COHORT_CUES.has(t.word) ||
        OPEN_WORDS.has(t.word) ||
        CLOSED_WORDS.has(t.word) ||
        nullStems.has(t.stem),
    )
  )
    return undefined;
  // A follow-up ("for women only", "and in 2021?") refines the last answer: not read here.
  if (
    !within &&
    /^\s*(?:and|also|what about|how about|now|only|just|same|instead|then|ok|okay|for)\b/.test(text) &&
    !SHARE.test(text) &&
    !COUNT.test(text) &&
    !LIST.test(text)
  )
    return undefined;
  const parts = clauses(text);
  // The head: the first cube named (or whose value is named) before any condition.
  const all = tokenize(readTime(text, now).rest);
  const named = matchCubes(all, new Set(all.map((t) => t.index)), lexicon).sort(
    (a, b) => Math.min(...a.covered) - Math.min(...b.covered),
  );
  let head = named[0]?.target;
  // "how many women never …": the cube of a value named before any cube is the head.
  const v = matchValues(all, new Set(all.map((t) => t.index)), lexicon, (x) =>
    Boolean(lexicon.cubes.get(x.cube)?.primaryKey && keyedTo(lexicon, x.cube).length),
  ).sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
  // Not a value that qualifies the cube named right after it ("COVID-19 vaccines").
  const qualifies =
    v &&
    named[0] &&
    Math.min(...named[0].covered) === Math.max(...v.covered) + 1 &&
    named[0].target.name !== v.target.cube;
  if (v && !qualifies && (!named[0] || Math.min(...v.covered) < Math.min(...named[0].covered)))
    head = lexicon.cubes.get(v.target.cube);
  if (opts.head) head = lexicon.cubes.get(opts.head);
  if (!head) return undefined;
  // Direct identifiers asked for ("social security numbers") are the list path's to allow or refuse;
  // not a word of a stored value said whole ("first" of "Miscarriage in first trimester").
  const inValues = new Set(
    matchValues(all, new Set(all.map((t) => t.index)), lexicon, (x) => !x.local).flatMap((m) =>
      m.covered.length > 1 ? m.covered : [],
    ),
  );
  const identifier = matchMembers(
    all,
    new Set(all.filter((t) => !inValues.has(t.index)).map((t) => t.index)),
    lexicon,
    (m) => m.phi === 'direct' && m.kind !== 'measure',
  ).find(
    (m) =>
      m.completeness === 1 &&
      // Said as written, not a near spelling ("count" is not "county").
      m.covered.every((i) => m.target.phrases.some((p) => p.stems.includes((all[i] as Token).stem))),
  );
  if (identifier && !within) return undefined;
  // "active patients": a state word said of the head's records, which have no stop date nor any
  // words the model gives for the state — not read on some other cube's stop date: asked about.
  const stateless = stateOfStopless(all, lexicon, head);
  if (stateless && !within) return stateless;
  const related = keyedTo(lexicon, head.name).map((c) => c.name);
  const cueWords = all.filter(
    (t) =>
      COHORT_CUES.has(t.word) ||
      (NEGATION.has(t.word) && !insideValue(all, t.index, lexicon)) ||
      ABSENT.has(t.word) ||
      (t.word === 'least' && all[t.index + 1]?.word === 'one'),
  );
  let namesAsked = false;
  let stopSaid = false;
  /** "A or B" read as one condition: rows of the head with either, a cohort. */
  let eitherSaid = false;

  for (const c of parts) {
    const t = readTime(c.text, now);
    c.time = t.dateRange;
    if (t.granularity) return undefined;
    c.tokens = tokenize(t.rest);
    // "paid by NO_INSURANCE", "no insurance" said of a payer so named: a denial word inside a run
    // of words that is a whole value (or a value synonym) is part of that value, not a denial.
    c.negated = c.tokens.some((x) => NEGATION.has(x.word) && !insideValue(c.tokens, x.index, lexicon));
    c.absent = c.tokens.some((x) => ABSENT.has(x.word));
    c.output = SHARE.test(c.text) || COUNT.test(c.text) || LIST.test(c.text);
    for (const x of c.tokens)
      if (/^(?:percent|percentage|share|proportion|fraction)$/.test(x.word)) c.used.add(x.index);
    if (c.tokens.some((x) => x.word === 'names' || x.word === 'name')) {
      namesAsked = true;
      for (const x of c.tokens) if (x.word === 'names' || x.word === 'name') c.used.add(x.index);
    }
    // The head named again ("patients", "people") is the head.
    for (;;) {
      const own = matchCubes(c.tokens, free(c), lexicon).find((m) => m.target.name === head.name);
      if (!own) break;
      use(c, own.covered);
      c.head = true;
    }
  }
  bothTakePeriod(parts, now);
  // Each clause's cube: named in it; else the cube its values belong to, preferring a cube named
  // in the next clause ("both emergency and inpatient visits") or the one before.
  // "viral sinusitis": words a stored value of other rows holds together with more words are that
  // value, not a kind of rows ("viral" of some other record) beside a value split off the rest.
  const namedIn = parts.map((c) => {
    const hit = matchCubes(c.tokens, free(c), lexicon).find((m) => related.includes(m.target.name));
    const other =
      hit &&
      matchValues(
        c.tokens,
        free(c),
        lexicon,
        (x) => x.cube !== hit.target.name && (x.cube === head.name || related.includes(x.cube)),
      ).some((v) => hit.covered.every((k) => v.covered.includes(k)) && v.covered.length > hit.covered.length);
    return other ? undefined : hit;
  });
  const terms: Array<CohortTerm & { clause: number }> = [];
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i] as Clause;
    const hit = namedIn[i];
    // "a flu vaccine": a value of the cube spelled with the cube's own word is the value.
    const longer =
      hit &&
      matchValues(c.tokens, free(c), lexicon, (x) => x.cube === hit.target.name).some(
        (v) => hit.covered.every((k) => v.covered.includes(k)) && v.covered.length > hit.covered.length,
      );
    if (hit && !longer) use(c, hit.covered);
    // The same rows named again ("prescribed a medication") are those rows.
    for (let again = longer ? undefined : hit; again; ) {
      again = matchCubes(c.tokens, free(c), lexicon).find((m) => m.target.name === hit?.target.name);
      if (again) use(c, again.covered);
    }
    if (
      parts[i]?.lead === 'or' &&
      !/^\s*or\s+(?:more|fewer|less|greater|above|below|over|under|older|younger|later|earlier|so)\b/.test(
        c.text,
      )
    ) {
      // "an allergy or intolerance": another value of the same rows' member is one condition.
      if (orSameRows(c, lexicon, terms.at(-1), head.name, hit?.target.name)) {
        eitherSaid = true;
        continue;
      }
      return {
        kind: 'clarify',
        message:
          'Do you mean records that meet either condition, or both? Could you ask with "and", or one at a time?',
        unplaced: ['or'],
        options: [],
      };
    }
    // Conditions on the head's own rows ("women", "living", "with no marital status").
    const own = [
      ...ownBound(c, lexicon, head.name),
      ...conditionsOn(c, lexicon, head.name, { inside: false, generic: false, own: true }),
    ];
    if (c.negated || c.absent) {
      const dim = matchMembers(
        c.tokens,
        free(c),
        lexicon,
        (m) => m.cube === head.name && m.kind !== 'measure' && m.kind !== 'segment' && !m.primaryKey,
      ).find((m) => m.completeness === 1);
      if (dim && !hit) {
        use(c, dim.covered);
        for (const x of c.tokens) if (NEGATION.has(x.word) || ABSENT.has(x.word)) c.used.add(x.index);
        // "zero payer coverage", "no copay": a number that is none is 0 (a missing one is "missing").
        if (dim.target.type === 'number' && !c.absent)
          own.push(
            { member: dim.target.member, op: 'gte', value: 0 },
            { member: dim.target.member, op: 'lte', value: 0 },
          );
        else own.push({ member: dim.target.member, op: 'is_null' });
        c.negated = false;
      }
    }
    let cube = hit?.target.name;
    if (!cube) {
      const order = [
        namedIn[i + 1],
        namedIn[i - 1],
        ...namedIn.slice(i + 2),
        ...namedIn.slice(0, Math.max(0, i - 1)),
      ]
        .map((m) => m?.target.name)
        .filter((x): x is string => Boolean(x));
      // "… with hypertension that is still active": a clause of state words alone says the state
      // of the rows named just before, not of some other cube whose text holds the word.
      const prev = terms.at(-1);
      const words = [...free(c)]
        .map((k) => c.tokens[k] as Token)
        .filter((x) => isContent(x) && !SOFT.has(x.word) && !NEGATION.has(x.word));
      const stateOnly =
        prev &&
        prev.cube !== head.name &&
        !own.length &&
        words.length > 0 &&
        words.every(
          (x) =>
            OPEN_WORDS.has(x.word) ||
            CLOSED_WORDS.has(x.word) ||
            lexicon.nulls.some((n) => n.cube === prev.cube && n.stems.includes(x.stem)),
        );
      const state = stateOnly
        ? conditionsOn(c, lexicon, prev.cube, { inside: false, generic: true, values: false })
        : [];
      if (prev && state.length) {
        for (const f of state) if (!prev.filters.some((x) => x.member === f.member)) prev.filters.push(f);
        if (c.negated) prev.negated = !prev.negated;
        continue;
      }
      cube = valueCube(c, lexicon, related, [...order.slice(0, 2), ...terms.map((t) => t.cube)]);
    }
    const filters = cube ? conditionsOn(c, lexicon, cube, { inside: true, generic: true }) : [];
    if (filters.some((f) => f.member === stopOf(lexicon, cube as string))) stopSaid = true;
    // "active", "still" with no related rows in the clause: the head's own stop ("still alive").
    if (!cube)
      own.push(
        ...conditionsOn(c, lexicon, head.name, { inside: false, generic: true, values: false, own: true }),
      );
    if (own.length) terms.push({ cube: head.name, filters: own, negated: false, clause: i });
    const time = c.time;
    // "conditions resolved in 2020": a period said with the stop's words is a period of the stop.
    const ended =
      cube && time
        ? filters.find((x) => x.op === 'is_not_null' && x.member === stopOf(lexicon, cube as string))
        : undefined;
    if (cube && ended && time) {
      filters.splice(filters.indexOf(ended), 1);
      terms.push({
        cube,
        key: lexicon.cubes.get(cube)?.keys.get(head.name),
        filters,
        time: timeFilter(ended.member, time, now, lexicon.latestDate),
        negated: c.negated,
        clause: i,
      });
      c.time = undefined;
    } else if (cube && (hit || filters.length)) {
      terms.push({
        cube,
        key: lexicon.cubes.get(cube)?.keys.get(head.name),
        filters,
        time: timeOn(lexicon, cube, time, now),
        negated: c.negated,
        clause: i,
      });
      c.time = undefined;
    } else if ((c.negated || time) && !own.length && terms.some((x) => x.cube !== head.name)) {
      // "but none in 2021", "and 2022": the previous related rows again, in this clause's period.
      const prev = [...terms].reverse().find((x) => x.cube !== head.name) as CohortTerm;
      terms.push({
        ...prev,
        filters: prev.filters.map((f) => ({ ...f })),
        time: timeOn(lexicon, prev.cube, time, now),
        negated: c.negated,
        clause: i,
      });
      c.time = undefined;
    }
    // Another related cube named, or whose values are, in the clause ("… have open refills",
    // "with a food allergy have asthma").
    for (let k = 0; k < 3 && cube; k++) {
      const named2 = matchCubes(c.tokens, free(c), lexicon).find(
        (m) => related.includes(m.target.name) && m.target.name !== cube,
      );
      if (named2) {
        use(c, named2.covered);
        const more = conditionsOn(c, lexicon, named2.target.name, { inside: true, generic: true });
        terms.push({
          cube: named2.target.name,
          key: lexicon.cubes.get(named2.target.name)?.keys.get(head.name),
          filters: more,
          negated: c.negated,
          clause: i,
        });
        continue;
      }
      const other = valueCube(
        c,
        lexicon,
        related.filter((x) => !terms.some((t) => t.cube === x && t.clause === i)),
        [],
      );
      if (!other) break;
      const more = conditionsOn(c, lexicon, other, { inside: true, generic: false });
      if (!more.length) break;
      terms.push({
        cube: other,
        key: lexicon.cubes.get(other)?.keys.get(head.name),
        filters: more,
        negated: c.negated,
        clause: i,
      });
    }
    if (c.time) {
      // A period with no related rows in its clause: the head's own date when the clause names
      // it ("born in 2000"), else the rows the model says the head's activity is ("seen in 2018").
      const date = matchMembers(
        c.tokens,
        free(c),
        lexicon,
        (m) => m.cube === head.name && m.kind === 'time',
      ).find((m) => m.completeness === 1);
      const activity = head.activity && lexicon.cubes.get(head.activity)?.keys.get(head.name);
      // "died in 2020": the period is of the date whose filled value the words said.
      const said = own.find((x) => x.op === 'is_not_null' && lexicon.members.get(x.member)?.kind === 'time');
      if (said && !date && related.length) {
        own.splice(own.indexOf(said), 1);
        const ownTerm = terms.find((x) => x.clause === i && x.cube === head.name);
        if (ownTerm) ownTerm.filters = ownTerm.filters.filter((x) => x !== said);
        terms.push({
          cube: head.name,
          filters: [],
          time: timeFilter(said.member, c.time, now, lexicon.latestDate),
          negated: false,
          clause: i,
        });
        stopSaid = true;
      } else if (date) {
        use(c, date.covered);
        terms.push({
          cube: head.name,
          filters: [],
          time: timeFilter(date.target.member, c.time, now, lexicon.latestDate),
          negated: false,
          clause: i,
        });
      } else if (activity && head.activity) {
        terms.push({
          cube: head.activity,
          key: activity,
          filters: [],
          time: timeOn(lexicon, head.activity, c.time, now),
          negated: c.negated,
          clause: i,
        });
      } else if (cueWords.length)
        return {
          kind: 'clarify',
          message: `Which records' dates should the period in "${c.text.trim()}" apply to?`,
          unplaced: [c.text.trim()],
          options: [],
        };
      else return undefined;
    }
    if (c.negated) for (const x of c.tokens) if (NEGATION.has(x.word)) c.used.add(x.index);
    // "at least one": existence.
    for (const x of c.tokens)
      if (x.word === 'least' && c.tokens[x.index + 1]?.word === 'one') use(c, [x.index, x.index + 1]);
  }
  for (let k = terms.length - 1; k >= 0; k--) {
    const t = terms[k] as CohortTerm;
    if (t.cube === head.name && !t.filters.length && !t.time) terms.splice(k, 1);
  }
  // "a COVID vaccine and a flu shot in 2021": rows of one cube listed together with one period
  // said at the end of the last are all of that period (unless a side says "ever" or its own).
  for (let i = terms.length - 1; i > 0; i--) {
    const t = terms[i] as CohortTerm & { clause: number };
    const before = terms[i - 1] as CohortTerm & { clause: number };
    const last = parts[t.clause] as Clause;
    if (
      t.time &&
      !before.time &&
      t.cube === before.cube &&
      t.cube !== head.name &&
      !t.negated &&
      !before.negated &&
      before.clause === t.clause - 1 &&
      last.lead === 'and' &&
      !/\bever\b/.test(parts[before.clause]?.text ?? '') &&
      /^(?:\s*and\s+)?\S.*\S\s*$/.test(last.text) &&
      readTime(last.text, now).rest.trim() !== last.text.trim() &&
      last.text.trim().startsWith(readTime(last.text, now).rest.trim())
    )
      before.time = { ...t.time };
  }
  // "both wellness visits in 2020 and 2021": a later clause naming only a period takes the earlier filters.
  for (let i = 1; i < terms.length; i++) {
    const t = terms[i] as CohortTerm & { clause: number };
    const before = terms[i - 1] as CohortTerm & { clause: number };
    if (
      t.cube === before.cube &&
      t.cube !== head.name &&
      !t.filters.length &&
      !namedIn[t.clause] &&
      before.filters.length
    )
      t.filters = before.filters.map((f) => ({ ...f }));
  }
  const related_ = terms.filter((t) => t.cube !== head.name);
  const ownTerms = terms.filter((t) => t.cube === head.name);
  const negatedAny =
    terms.some((t) => t.negated) ||
    ownTerms.some((t) =>
      t.filters.some((f) => f.op === 'is_null' && parts.some((c) => c.negated || c.absent)),
    );
  const cohortLike =
    within ||
    cueWords.length > 0 ||
    stopSaid ||
    eitherSaid ||
    related_.length >= 2 ||
    (related_.length >= 1 && ownTerms.length >= 1) ||
    (output === 'share' && related_.length >= 1) ||
    negatedAny;
  // A negation or absence that placed nothing is a cohort this reading cannot make: ask.
  const missing = parts.flatMap(unplaced);
  // Asked back only when the words say a cohort for sure: a negation, "ever", "at least one", or related rows.
  const sure = cueWords.some(
    (t) => !['among', 'amongst', 'also', 'too', 'either', 'additionally'].includes(t.word),
  );
  if ((!cohortLike || !terms.length) && !(sure && missing.length) && !(within && missing.length))
    return undefined;
  if (missing.length) {
    if (!sure && !within) return undefined;
    if (!cueWords.length && !within) return undefined;
    return {
      kind: 'clarify',
      message: `I could not place ${missing.map((w) => `"${w}"`).join(', ')} in the data you can query. Could you rephrase, or name the field or value you mean?`,
      unplaced: missing,
      options: [],
    };
  }
  if (related_.some((t) => !t.key) || (related_.length && !head.primaryKey)) return undefined;
  // "both allergies and intolerances": rows of a cube with no condition beside rows of the same
  // cube with one say the same twice — the words are probably two kinds of it: ask.
  // "patients diagnosed with hypertension": rows named, then narrowed by a modifier, are one term.
  for (const t of [...related_]) {
    const next = related_.find((x) => x !== t && x.cube === t.cube && x.clause === t.clause + 1);
    if (
      !t.negated &&
      !t.filters.length &&
      !t.time &&
      next &&
      ['with', 'who', 'that', 'whom'].includes(parts[next.clause]?.lead ?? '') &&
      !namedIn[next.clause]
    ) {
      related_.splice(related_.indexOf(t), 1);
      terms.splice(terms.indexOf(t), 1);
    }
  }
  const bare = related_.find((t) => !t.negated && !t.filters.length && !t.time);
  const narrower =
    bare && related_.find((t) => t !== bare && t.cube === bare.cube && !t.negated && t.filters.length);
  if (bare && narrower) {
    const what = (lexicon.cubes.get(bare.cube)?.title ?? bare.cube).toLowerCase();
    return {
      kind: 'clarify',
      message: `Do you mean any ${what} and also ${describeTerm(lexicon, narrower)}, or two kinds of ${what}? Could you name each kind?`,
      unplaced: [],
      options: [],
    };
  }
  // "for every patient with X, how many visits do they each have": a number of rows for each
  // record, not a number of records — asked back rather than counted as a cohort.
  const countAt = parts.findIndex((c) => COUNT.test(c.text));
  const eachCounted =
    output === 'count' && /\b(?:each|every|per)\b/.test(text)
      ? terms.find((t) => t.clause === countAt && t.cube !== head.name && !t.negated)
      : undefined;
  if (eachCounted) {
    const rows = (lexicon.cubes.get(eachCounted.cube)?.title ?? eachCounted.cube).toLowerCase();
    const who = head.title.toLowerCase();
    return {
      kind: 'clarify',
      message: `Do you mean the number of ${rows} of each of those ${who} (a list), their average per ${who.replace(/s$/, '')}, or how many ${who} there are?`,
      unplaced: [],
      options: [
        {
          label: `Average ${rows} per ${who.replace(/s$/, '')}`,
          question: `average number of ${rows} per ${who.replace(/s$/, '')}`,
        },
        { label: `Number of ${who}`, question: `how many ${who}` },
      ],
    };
  }
  // A share: the denominator is who the question is about before its condition.
  let scope: CohortTerm[] = [];
  let body: CohortTerm[] = terms;
  if (output === 'share') {
    const outputAt = parts.findIndex((c) => SHARE.test(c.text));
    const lead = (t: { clause: number }) => parts[t.clause]?.lead ?? '';
    let split = -1;
    if (outputAt > 0 && terms.some((t) => t.clause < outputAt) && terms.some((t) => t.clause >= outputAt))
      split = outputAt;
    else {
      const first = terms.findIndex(
        (t) => t.clause > outputAt && !['with', 'who', 'whom', 'that', 'among', 'amongst'].includes(lead(t)),
      );
      if (first > 0) split = (terms[first] as { clause: number }).clause;
      // "what share of women have diabetes": the head's own words in the share's clause are who.
      else if (
        first < 0 &&
        terms.length > 1 &&
        terms.some((t) => t.clause === outputAt && t.cube === head.name)
      ) {
        scope = terms.filter((t) => t.clause === outputAt && t.cube === head.name);
        body = terms.filter((t) => !scope.includes(t));
      }
    }
    if (split >= 0) {
      scope = terms.filter((t) => t.clause < split);
      body = terms.filter((t) => t.clause >= split);
    }
  }
  const clean = (t: CohortTerm & { clause?: number }): CohortTerm => {
    const { clause: _c, ...rest } = t as CohortTerm & { clause: number };
    if (!rest.time) delete rest.time;
    if (!rest.key) delete rest.key;
    return rest;
  };
  const columns: string[] = [];
  if (output === 'list' && !within) {
    if (namesAsked) {
      // The members the model tags as a person's name (Safe Harbor `name`): the parts a person is
      // called by (those the lexicon reads as the row's names, or said with "name") before the
      // others (a prefix, a suffix); any member of the cube's names when the model tags none.
      const tagged = [...lexicon.members.values()].filter(
        (m) => m.cube === head.name && m.safeHarbor === 'name',
      );
      const called = tagged.filter(
        (m) =>
          head.names?.includes(m.member) ||
          m.phrases.some((p) => p.stems.some((x) => x === 'name' || PERSON_NAME_PARTS.has(x))),
      );
      const names = called.length
        ? called
        : tagged.length
          ? tagged
          : (head.names ?? []).map((n) => lexicon.members.get(n)).filter((m) => m !== undefined);
      if (!names.length || names.some((m) => m.masked))
        return { kind: 'refuse', message: "You don't have access to names in this data." };
      columns.push(...names.map((m) => m.member));
    } else if (head.label) columns.push(head.label);
  }
  const form: CohortForm = {
    kind: 'cohort',
    cube: head.name,
    entity: head.name,
    key: head.primaryKey ?? '',
    scope: scope.map(clean),
    terms: body.map(clean),
    output,
    columns,
    filters: [],
  };
  const f = form as unknown as LogicalForm;
  return {
    kind: 'form',
    form: f,
    sql: compileCohort(form, lexicon),
    interpretation: describeCohort(form, lexicon),
  };
}

function timeOn(lexicon: Lexicon, cube: string, range: [string, string] | string | undefined, now: Date) {
  const member = lexicon.cubes.get(cube)?.timeDimension;
  return range && member ? timeFilter(member, range, now, lexicon.latestDate) : undefined;
}

function col(lexicon: Lexicon, member: string, alias: string): string {
  const m = lexicon.members.get(member);
  return `${alias}.${quoteIdent(m?.column ?? member.split('.').slice(1).join('.'))}`;
}

function cond(lexicon: Lexicon, c: Condition, alias: string): string {
  const x = col(lexicon, c.member, alias);
  switch (c.op) {
    case 'in':
      return `${x} IN (${c.values.map(quoteLiteral).join(', ')})`;
    case 'is_true':
      return `${x} = true`;
    case 'is_false':
      return `${x} = false`;
    case 'is_null':
      // A missing text is stored as NULL or as an empty string, depending on the source.
      return lexicon.members.get(c.member)?.type === 'string' ? `coalesce(${x}, '') = ''` : `${x} IS NULL`;
    case 'is_not_null':
      return lexicon.members.get(c.member)?.type === 'string'
        ? `coalesce(${x}, '') <> ''`
        : `${x} IS NOT NULL`;
    default:
      return `${x} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op]} ${Number(c.value)}`;
  }
}

function termSql(lexicon: Lexicon, f: CohortForm, t: CohortTerm, n: number): string {
  if (t.cube === f.cube) {
    const parts = t.filters.map((c) => cond(lexicon, c, 'e'));
    if (t.time) {
      parts.push(timeRangeSql(col(lexicon, t.time.member, 'e'), t.time));
    }
    const all = parts.length ? parts.join(' AND ') : 'true';
    return t.negated ? `NOT coalesce((${all}), false)` : `(${all})`;
  }
  const a = `r${n}`;
  const parts = [
    `${col(lexicon, t.key as string, a)} = ${col(lexicon, f.key, 'e')}`,
    ...t.filters.map((c) => cond(lexicon, c, a)),
  ];
  if (t.time) {
    parts.push(timeRangeSql(col(lexicon, t.time.member, a), t.time));
  }
  return `${t.negated ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${quoteIdent(t.cube)} AS ${a} WHERE ${parts.join(' AND ')})`;
}

/**
 * Governed SQL for a cohort: the head's rows (under the caller's row policy) with EXISTS / NOT
 * EXISTS on each related cube through its key.
 */
export function compileCohort(f: CohortForm, lexicon: Lexicon): string {
  let n = 0;
  const scope = f.scope.map((t) => termSql(lexicon, f, t, n++));
  const body = f.terms.map((t) => termSql(lexicon, f, t, n++));
  const from = `${quoteIdent(f.cube)} AS e`;
  const key = f.key ? col(lexicon, f.key, 'e') : '';
  const keep = key ? [`${key} IS NOT NULL`] : [];
  if (f.output === 'share') {
    const where = [...keep, ...scope];
    if (!where.length) where.push('true');
    return `SELECT avg(CASE WHEN ${body.length ? body.join(' AND ') : 'true'} THEN 1.0 ELSE 0.0 END) AS "share" FROM ${from} WHERE ${where.join(' AND ')}`;
  }
  const where = [
    ...keep,
    ...scope,
    ...body,
    ...(keep.length || scope.length || body.length ? [] : ['true']),
  ].join(' AND ');
  if (f.output === 'list' && key) {
    const extra = f.columns.map((c) => `, ${col(lexicon, c, 'e')}`).join('');
    return `SELECT ${key} AS "entity"${extra} FROM ${from} WHERE ${where} ORDER BY 1`;
  }
  return `SELECT count(*) AS "entities" FROM ${from} WHERE ${where}`;
}

function title(lexicon: Lexicon, member: string): string {
  return lexicon.members.get(member)?.title ?? member;
}

function condText(lexicon: Lexicon, c: Condition): string {
  const t = title(lexicon, c.member);
  switch (c.op) {
    case 'in':
      // Many values (every kind of a thing): how many, and the first of them.
      return `${t} is ${c.values.length > 3 ? `one of ${c.values.length} values: ${c.values.slice(0, 3).join(', ')} or ${c.values.length - 3} more` : c.values.join(' or ')}`;
    case 'is_true':
      return `${t}`;
    case 'is_false':
      return `not ${t}`;
    case 'is_null':
      return `no ${t} recorded`;
    case 'is_not_null':
      return `${t} recorded`;
    default:
      return `${t} ${{ gt: '>', gte: '≥', lt: '<', lte: '≤' }[c.op]} ${c.value}`;
  }
}

/** Conditions in words, a number kept between one value and itself said as that value ("= 0"). */
function condTexts(lexicon: Lexicon, filters: Condition[]): string[] {
  const out: string[] = [];
  for (const c of filters) {
    if (c.op === 'lte') {
      const low = filters.find((x) => x.member === c.member && x.op === 'gte' && x.value === c.value);
      if (low) {
        out.push(`${title(lexicon, c.member)} = ${c.value}`);
        continue;
      }
    }
    if (c.op === 'gte' && filters.some((x) => x.member === c.member && x.op === 'lte' && x.value === c.value))
      continue;
    out.push(condText(lexicon, c));
  }
  return out;
}

function describeTerm(lexicon: Lexicon, t: CohortTerm): string {
  return condTexts(lexicon, t.filters).join(', ');
}

function termText(lexicon: Lexicon, f: CohortForm, t: CohortTerm): string {
  const conds = condTexts(lexicon, t.filters);
  if (t.time)
    conds.push(
      t.time.member === lexicon.cubes.get(t.cube)?.timeDimension
        ? t.time.label
        : `${title(lexicon, t.time.member)} in ${t.time.label}`,
    );
  if (t.cube === f.cube) return `${t.negated ? 'not ' : ''}${conds.join(', ')}`;
  const rows = (lexicon.cubes.get(t.cube)?.title ?? t.cube).toLowerCase();
  return `${t.negated ? 'no' : 'any'} ${rows}${conds.length ? ` (${conds.join(', ')})` : ''}`;
}

/** "Number of patients with any conditions (Description is Asthma) and no encounters (2023)". */
export function describeCohort(f: CohortForm, lexicon: Lexicon): string {
  const entity = (lexicon.cubes.get(f.cube)?.title ?? f.cube).toLowerCase();
  const body = f.terms.map((t) => termText(lexicon, f, t)).join(' and ');
  const scope = f.scope.map((t) => termText(lexicon, f, t)).join(' and ');
  if (f.output === 'share') return `Share of ${entity}${scope ? ` with ${scope}` : ''} that have ${body}`;
  const lead = f.output === 'list' ? entity[0]?.toUpperCase() + entity.slice(1) : `Number of ${entity}`;
  return `${lead} with ${[scope, body].filter(Boolean).join(' and ')}`;
}

/**
 * Whether the word at `at` lies inside a run of the question's words that is a whole value of the
 * model, word for word ("no insurance" for NO_INSURANCE).
 */
function insideValue(tokens: readonly Token[], at: number, lexicon: Lexicon): boolean {
  const word = tokens[at]?.stem;
  if (!word) return false;
  return lexicon.values.some((v) => {
    if (v.stems.length < 2) return false;
    return v.stems.some((s, k) => {
      if (s !== word) return false;
      const start = at - k;
      return v.stems.every((x, j) => tokens[start + j]?.stem === x);
    });
  });
}
