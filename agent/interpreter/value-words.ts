/**
 * Words inside stored descriptive values ("diabetes" in "Diabetes mellitus type 2"): an index from
 * a word's stem to the values holding it, built once per lexicon.
 */
import { type Lexicon, type MemberEntry, matchCubes } from './lexicon.ts';
import { contentStems, isContent, type Token, tokenize } from './text.ts';

/** Stems of the words that make up stored values, for finding values by a word inside them. */
const valueWordIndex = new WeakMap<Lexicon, Map<string, Array<{ member: string; value: string }>>>();

export function valueWords(lexicon: Lexicon): Map<string, Array<{ member: string; value: string }>> {
  let index = valueWordIndex.get(lexicon);
  if (index) return index;
  index = new Map();
  for (const v of lexicon.values) {
    // The plain spelling of a value repeats its words; people's names are never found by a part.
    // (Nor a value other records hold too, said alone: those records' words — `yields`.)
    if (v.synonym || v.plain || v.local || v.yields) continue;
    const m = lexicon.members.get(v.member);
    // Only text that describes something ("Diabetes mellitus type 2"), not an address or a code.
    if (!m || !descriptive(lexicon, m)) continue;
    for (const s of new Set(v.stems)) {
      if (s.length < 4) continue;
      const list = index.get(s) ?? [];
      list.push({ member: v.member, value: v.value });
      index.set(s, list);
    }
  }
  valueWordIndex.set(lexicon, index);
  return index;
}

/** A dimension holding descriptive text: a cube's label, or one named like one ("reason description"). */
export function descriptive(lexicon: Lexicon, m: MemberEntry): boolean {
  return lexicon.cubes.get(m.cube)?.label === m.member || /(description|name|title|label)$/.test(m.column);
}

export function valueHasStem(value: string, s: string): boolean {
  return tokenize(value).some((t) => t.stem === s);
}

/**
 * A word of the model's own vocabulary (it names a cube or member: "facility", "cost") found in the
 * middle of a long stored value ("Discharge from skilled nursing facility"): one common word out
 * of many is no mention of that value.
 */
export function incidental(lexicon: Lexicon, stem: string, value: string): boolean {
  if (!lexicon.idf.has(stem)) return false;
  const words = contentStems(value.replace(/\([^)]*\)/g, ' '));
  return words.length >= 3 && words[0] !== stem;
}

/** Stored values a run of question words names inside them: all the values of one dimension holding the run. */
export interface ValueRun {
  member: string;
  cube: string;
  values: string[];
  /** The question's tokens the run covers. */
  covered: number[];
  /** The words as said ("metformin"), for a readable interpretation. */
  said: string;
}

/** Most of a dimension's values holding a word: the word says little about which (units, forms). */
const TOO_COMMON = 0.5;

/** Number of stored values of each dimension, built once per lexicon. */
const valueCounts = new WeakMap<Lexicon, Map<string, number>>();

export function storedCount(lexicon: Lexicon, member: string): number {
  let counts = valueCounts.get(lexicon);
  if (!counts) {
    counts = new Map();
    for (const v of lexicon.values)
      if (!v.synonym && !v.plain && !v.local) counts.set(v.member, (counts.get(v.member) ?? 0) + 1);
    valueCounts.set(lexicon, counts);
  }
  return counts.get(member) ?? 0;
}

/** Token stems of a stored value, once per value text. */
const valueStemCache = new Map<string, string[]>();

function stemsOf(value: string): string[] {
  let stems = valueStemCache.get(value);
  if (!stems) {
    stems = tokenize(value).map((t) => t.stem);
    if (valueStemCache.size > 20_000) valueStemCache.clear();
    valueStemCache.set(value, stems);
  }
  return stems;
}

/**
 * The question's words stand together in the value, in order, as whole words. A number glued to
 * the word before it in the value ("COVID-19 vaccine") may be passed over when the question does
 * not say it ("covid vaccine"); a number the question says must be there.
 */
export function holdsRun(value: string, run: readonly string[]): boolean {
  const stems = stemsOf(value);
  for (let start = 0; start < stems.length; start++) {
    if (stems[start] !== run[0]) continue;
    let at = start + 1;
    let ok = true;
    for (const s of run.slice(1)) {
      while (at < stems.length && stems[at] !== s && /^\d/.test(stems[at] as string) && !/^\d/.test(s)) at++;
      if (stems[at] !== s) {
        ok = false;
        break;
      }
      at++;
    }
    if (ok) return true;
  }
  return false;
}

/**
 * Words that open a dependent clause of a stored description: "Neuropathy due to type 2 diabetes
 * mellitus" is a neuropathy, its diabetes only the cause.
 */
const DEPENDENT = /\b(?:due to|secondary to|caused by|associated with)\b/i;

/** The head of a stored description: its text before a dependent clause ("Neuropathy" of "Neuropathy due to …"). */
export function valueHead(value: string): string {
  return value.split(DEPENDENT)[0] ?? value;
}

/**
 * Of the values some words name, those naming them in their head: a condition word means the
 * values it heads, not those that only hold it after "due to / secondary to / caused by /
 * associated with" ("type 2 diabetes" is "Diabetes mellitus type 2", not "Neuropathy due to type 2
 * diabetes mellitus"). When no value holds them in its head, all are kept.
 *
 * @example headFirst(hits, (h) => holdsRun(valueHead(h.value), ['diabet']))
 */
export function headFirst<H>(values: H[], inHead: (value: H) => boolean): H[] {
  const head = values.filter(inHead);
  return head.length ? head : values;
}

/**
 * The word is the value's first word (past numbers, units and codes: "24 HR Metformin …"), or a
 * name in brackets ("[Humulin]", "(COVID-19)").
 */
export function leadsOrNames(value: string, stem: string): boolean {
  for (const m of value.matchAll(/[([]([^()[\]]*)[)\]]/g))
    if (tokenize(m[1] ?? '').some((x) => x.stem === stem)) return true;
  const words = value.replace(/[([][^()[\]]*[)\]]/g, ' ').split(/[\s/]+/);
  const first = words.find(
    (w) => /[a-z]/i.test(w) && !/\d/.test(w) && w.length >= 3 && w !== w.toUpperCase(),
  );
  return first !== undefined && tokenize(first).some((x) => x.stem === stem);
}

/**
 * A word that may name values by itself: not a word the model uses for its cubes and members
 * (those are read as that), not a number, and held by few enough of a dimension's values.
 */
function distinctive(lexicon: Lexicon, t: Token): boolean {
  return t.stem.length >= 4 && !/\d/.test(t.word) && !lexicon.idf.has(t.stem) && !lexicon.idf.has(t.word);
}

/**
 * Runs of free question words found inside stored descriptive values ("metformin" in "24 HR
 * Metformin hydrochloride 500 MG …", "covid vaccine" in "SARS-COV-2 (COVID-19) vaccine …"): each
 * run starts at a word the model itself does not use, takes the free words around it that the
 * same values hold next to it, and names every value of the dimension holding the whole run. Of
 * several dimensions holding it, those of a preferred cube (the one measured or named), then a
 * cube's label; when dimensions of several cubes still remain, `ambiguous` lists them and no run
 * is taken. A word most of a dimension's values hold ("oral", "tablet") names none of them alone.
 * Whole-value matches are read before this (matchValues); this places what they left.
 *
 * @example valueRuns(lexicon, tokenize('humulin prescriptions'), free, () => true, (c) => c === 'prescriptions')
 */
export function valueRuns(
  lexicon: Lexicon,
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  accept: (cube: string) => boolean,
  prefer: (cube: string) => boolean = () => false,
): { runs: ValueRun[]; ambiguous: ValueRun[][] } {
  const index = valueWords(lexicon);
  const taken = new Set<number>();
  const runs: ValueRun[] = [];
  const ambiguous: ValueRun[][] = [];
  const byIndex = new Map(tokens.map((t) => [t.index, t]));
  for (const t of tokens) {
    if (!free.has(t.index) || taken.has(t.index) || !distinctive(lexicon, t)) continue;
    let hits = (index.get(t.stem) ?? []).filter((h) => {
      const cube = lexicon.members.get(h.member)?.cube;
      return cube !== undefined && accept(cube) && holdsRun(h.value, [t.stem]);
    });
    if (!hits.length) continue;
    let run = [t.index];
    // Words after it, then before it, that the same values hold beside it ("lisinopril 10 mg").
    for (const step of [1, -1]) {
      for (let k = step > 0 ? (run.at(-1) as number) + 1 : (run[0] as number) - 1; ; k += step) {
        const next = byIndex.get(k);
        if (!next || !free.has(k) || taken.has(k) || !isContent(next)) break;
        const longer = step > 0 ? [...run, k] : [k, ...run];
        const words = longer.map((i) => byIndex.get(i)?.stem as string);
        const both = hits.filter((h) => holdsRun(h.value, words));
        if (!both.length) break;
        hits = both;
        run = longer;
      }
    }
    // Words inside values said right before a noun of another cube qualify that noun ("pediatric
    // patients" are no pediatric vaccine).
    const after = run.at(-1) as number;
    const noun = matchCubes(tokens, new Set([after + 1]), lexicon)[0]?.target.name;
    if (noun) hits = hits.filter((h) => lexicon.members.get(h.member)?.cube === noun);
    if (!hits.length) continue;
    const byMember = new Map<string, string[]>();
    for (const h of hits) byMember.set(h.member, [...new Set([...(byMember.get(h.member) ?? []), h.value])]);
    const said = run.map((i) => byIndex.get(i)?.word).join(' ');
    const runStems = run.map((i) => byIndex.get(i)?.stem as string);
    let found: ValueRun[] = [...byMember].map(([member, values]) => ({
      member,
      cube: lexicon.members.get(member)?.cube as string,
      values: headFirst(values, (v) => holdsRun(valueHead(v), runStems)).sort(),
      covered: run,
      said,
    }));
    // One word names values only where it leads one of them or stands in brackets as its name
    // ("Humulin", "COVID-19"): an ordinary word inside a description ("single" of "Major
    // depression single episode", "pediatric" of "Hep B adolescent or pediatric") names none.
    if (run.length === 1) {
      const named = hits.filter((h) => leadsOrNames(h.value, t.stem));
      if (!named.length) continue;
    }
    // One word most of a dimension's values hold is no choice among them.
    if (run.length === 1)
      found = found.filter((f) => {
        const n = storedCount(lexicon, f.member);
        return n < 4 || f.values.length / n <= TOO_COMMON;
      });
    if (found.some((f) => prefer(f.cube))) found = found.filter((f) => prefer(f.cube));
    const cubes = new Set(found.map((f) => f.cube));
    if (cubes.size > 1) {
      ambiguous.push(found);
      continue;
    }
    const label = lexicon.cubes.get([...cubes][0] ?? '')?.label;
    const pick =
      found.find((f) => f.member === label) ?? found.sort((a, b) => a.member.localeCompare(b.member))[0];
    if (!pick) continue;
    for (const i of run) taken.add(i);
    runs.push(pick);
  }
  return { runs, ambiguous };
}

/** Endings that make a person noun of a condition's word ("asthmatics", "diabetics", "hypertensives"). */
const PERSON_ENDINGS = ['tics', 'ics', 'tic', 'ic', 'ives', 'ive'];

/** The shortest shared root a person noun and a value word must have: shorter roots match by chance. */
const MIN_ROOT = 5;

/** Value-word stems by their first five letters, built once per lexicon. */
const prefixIndex = new WeakMap<Lexicon, Map<string, string[]>>();

function byPrefix(lexicon: Lexicon): Map<string, string[]> {
  let out = prefixIndex.get(lexicon);
  if (!out) {
    out = new Map();
    for (const s of valueWords(lexicon).keys()) {
      if (s.length < MIN_ROOT) continue;
      const key = s.slice(0, MIN_ROOT);
      out.set(key, [...(out.get(key) ?? []), s]);
    }
    prefixIndex.set(lexicon, out);
  }
  return out;
}

/**
 * The cube of people the rows of a value's cube belong to: the cube one of its keys points at
 * that the model calls "people" or "persons" (by its name or synonyms).
 */
export function peopleCube(lexicon: Lexicon, cube: string): string | undefined {
  const keys = lexicon.cubes.get(cube)?.keys;
  return [...(keys?.keys() ?? [])].find((c) =>
    lexicon.cubes
      .get(c)
      ?.phrases.some((p) => p.stems.length === 1 && ['people', 'person'].includes(p.stems[0] as string)),
  );
}

/**
 * "everyone with …", "anybody who …": the people of the model (the cube it calls "people" or
 * "person"), said by that word so the readings that follow place them. Unchanged when no cube is
 * the model's people.
 */
function everyoneAsPeople(question: string, lexicon: Lexicon): string {
  const EVERYONE = /\b(?:everyone|everybody|anyone|anybody)\b/gi;
  if (!EVERYONE.test(question)) return question;
  const people = [...lexicon.cubes.values()].some((c) =>
    c.phrases.some((p) => p.stems.length === 1 && ['people', 'person'].includes(p.stems[0] as string)),
  );
  return people ? question.replace(EVERYONE, 'people') : question;
}

/**
 * A person noun derived from a word of stored values ("diabetics", "Type 2 diabetics",
 * "asthmatic patients"): the people with a value holding that word, said so ("patients with
 * diabetes", "patients with type 2 diabetes") for the readings that follow. Only for words the
 * model itself does not use, sharing a root of at least five letters with a value word; the
 * question is returned unchanged otherwise.
 *
 * @example personNouns('number of diabetics', lexicon) // 'number of patients with diabetes'
 */
export function personNouns(asked: string, lexicon: Lexicon): string {
  let question = everyoneAsPeople(asked, lexicon);
  if (!/(?:ics?|ives?)\b/i.test(question)) return question;
  const index = valueWords(lexicon);
  const tokens = tokenize(question);
  for (let n = tokens.length - 1; n >= 0; n--) {
    const t = tokens[n] as Token;
    const word = t.word.toLowerCase();
    if (lexicon.idf.has(t.stem) || !PERSON_ENDINGS.some((e) => word.endsWith(e))) continue;
    const next = tokens[n + 1];
    const plural = word.endsWith('s');
    for (const ending of PERSON_ENDINGS) {
      const core = plural ? word : `${word}s`;
      if (!core.endsWith(ending.endsWith('s') ? ending : `${ending}s`)) continue;
      const root = core.slice(0, core.length - (ending.endsWith('s') ? ending.length : ending.length + 1));
      if (root.length < MIN_ROOT) continue;
      const stems = (byPrefix(lexicon).get(root.slice(0, MIN_ROOT)) ?? []).filter(
        (s) => s.startsWith(root) && s.length - root.length <= 4 && s !== t.stem && !lexicon.idf.has(s),
      );
      const s = stems.sort((a, b) => a.length - b.length)[0];
      if (!s) continue;
      const hits = index.get(s) ?? [];
      const people = hits
        .map((h) => peopleCube(lexicon, lexicon.members.get(h.member)?.cube ?? ''))
        .find((c) => c !== undefined);
      if (!people) continue;
      // A singular adjective only before the people it describes ("diabetic patients").
      const noun =
        next &&
        lexicon.cubes.get(people)?.phrases.some((p) => p.stems.length === 1 && p.stems[0] === next.stem);
      if (!plural && !noun) continue;
      const valueWord = hits
        .flatMap((h) => tokenize(h.value))
        .find((x) => x.stem === s)
        ?.word.toLowerCase();
      if (!valueWord) continue;
      // Words before it that the values hold before the word ("type 2 diabetics").
      let from = n;
      // (Content words only: "for diabetics" is not a value's "for diabetes".)
      while (from > 0 && isContent(tokens[from - 1] as Token)) {
        const before = tokens.slice(from - 1, n).map((x) => x.stem);
        if (!hits.some((h) => holdsRun(h.value, [...before, s]))) break;
        from--;
      }
      const said = tokens
        .slice(from, n)
        .map((x) => x.word)
        .concat(valueWord)
        .join(' ');
      const title = (lexicon.cubes.get(people)?.title ?? people).toLowerCase();
      const span = tokens
        .slice(from, noun ? n + 2 : n + 1)
        .map((x) => x.word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const at = new RegExp(`\\b${span.join('[^a-z0-9]+')}\\b`, 'i');
      if (!at.test(question)) continue;
      question = question.replace(at, `${title} with ${said}`);
      break;
    }
  }
  return question;
}
