import { type Lexicon, matchCubes, matchMembers, matchValues } from './lexicon.ts';
import { type Token, tokenize } from './text.ts';

/** Words that say "the date of" something: placed by the date they are said of. */
const DATE_WORDS = new Set(['date', 'dates', 'day', 'time']);

/** Adverb particles of phrasal verbs ("rack up", "hand out"): nothing of their own after a verb. */
const PARTICLES = new Set(['up', 'out', 'down', 'off', 'back', 'away']);

/** Words of periods, never a date's own word ("year of birth" names no date called "year"). */
const PERIOD = new Set(['date', 'day', 'time', 'year', 'month', 'week', 'quarter']);

/**
 * The words of the model's dates (their names, titles and synonyms: "start", "stop", "end",
 * "birth"), as stems, computed once per lexicon.
 */
const dateStemCache = new WeakMap<Lexicon, Set<string>>();

function dateStems(lexicon: Lexicon): Set<string> {
  let out = dateStemCache.get(lexicon);
  if (!out) {
    out = new Set();
    for (const m of lexicon.members.values())
      if (m.kind === 'time')
        for (const p of m.phrases) for (const s of p.stems) if (!PERIOD.has(s)) out.add(s);
    dateStemCache.set(lexicon, out);
  }
  return out;
}

/**
 * Token indexes of words that only restate what the question names, so they need no member of
 * their own:
 * - "date", "day", "time" said of one of the model's dates ("no end date", "by start date",
 *   "date of birth") when no date of the model is named by those words whole;
 * - a verb the model gives for a cube's event (cube meta `verbs`: "prescribed" for medications,
 *   "issued" for devices) where that cube, or one of its stored values, is named — unless the verb
 *   is a word the model reads a date or a state by ("discharged", "stopped"), which changes what is
 *   asked.
 */
export function restatingWords(tokens: readonly Token[], lexicon: Lexicon): number[] {
  const all = new Set(tokens.map((t) => t.index));
  const out: number[] = [];
  const dates = dateStems(lexicon);
  // The word beside it names a date of the model by itself ("end" → a stop date): "date" adds
  // nothing. ("birth" alone names none; "date of birth" is then the model's own phrase.)
  const namesDate = (x: Token | undefined) =>
    x !== undefined &&
    dates.has(x.stem) &&
    matchMembers(tokens, new Set([x.index]), lexicon, (m) => m.kind === 'time').some(
      (m) => m.completeness === 1,
    );
  for (const t of tokens) {
    if (!DATE_WORDS.has(t.word)) continue;
    const before = tokens[t.index - 1];
    const after = tokens[t.index + 1]?.word === 'of' ? tokens[t.index + 2] : undefined;
    if (namesDate(before) || namesDate(after)) out.push(t.index);
  }
  const withVerbs = [...lexicon.cubes.values()].filter((c) => c.verbs?.length);
  if (!withVerbs.length) return out;
  const said = new Set(tokens.map((t) => t.word));
  const candidates = withVerbs.filter((c) => c.verbs?.some((v) => said.has(v.split(' ')[0] as string)));
  if (!candidates.length) return out;
  const values = matchValues(tokens, all, lexicon, (v) => !v.local);
  // A cube named by words other than its verbs: a verb that is also a name of its cube
  // ("prescribed" of medications) names it only by itself, and says which rows are meant.
  const verbAt = new Set(
    tokens.filter((t) => candidates.some((c) => c.verbs?.includes(t.word))).map((t) => t.index),
  );
  const other = new Set([...all].filter((i) => !verbAt.has(i)));
  const byName = new Set(matchCubes(tokens, other, lexicon).map((c) => c.target.name));
  const inValues = new Set(values.flatMap((v) => v.covered));
  // Named by a value only: the verb restates the cube when no other cube holds the same words
  // ("prescribed lisinopril" is not an allergy to lisinopril, which the data also has).
  const byValue = (cube: string) => {
    const own = values.filter((v) => v.target.cube === cube);
    return (
      own.length > 0 &&
      !values.some(
        (v) => v.target.cube !== cube && own.some((o) => o.covered.some((k) => v.covered.includes(k))),
      )
    );
  };
  for (const cube of candidates) {
    if (!byName.has(cube.name) && !byValue(cube.name)) continue;
    // Words the model reads a date or a state of this cube by change the question: not restated.
    const meaningful = new Set<string>();
    for (const n of lexicon.nulls) if (n.cube === cube.name) for (const s of n.stems) meaningful.add(s);
    // (The words of the date the cube's rows are counted by anyway choose nothing.)
    for (const m of lexicon.members.values())
      if (m.cube === cube.name && m.member !== cube.timeDimension)
        for (const w of m.timeWords ?? []) for (const s of w) meaningful.add(s);
    // Words of a figure of the model named whole ("dispense count" of a total of dispenses) are
    // that figure's, never a verb restating the cube.
    const inFigures = new Set(
      matchMembers(tokens, all, lexicon, (m) => m.kind === 'measure' && m.cube === cube.name)
        .filter((m) => m.completeness === 1 && m.covered.length > 1)
        .flatMap((m) => m.covered),
    );
    for (const t of tokens) {
      if (meaningful.has(t.stem) || inValues.has(t.index) || inFigures.has(t.index)) continue;
      // A verb the model writes with its particle ("rack up", "bring in") is said whole.
      const run = cube.verbs
        ?.map((v) => v.split(' '))
        .find((v) => v.every((w, k) => tokens[t.index + k]?.word === w));
      if (!run) continue;
      out.push(...run.map((_, k) => t.index + k));
      // A particle after the verb is part of it ("racked up", "handed out"): placed with it.
      // ("up to 2012", "out of 10" open a phrase of their own: the particle is not the verb's.)
      const next = tokens[t.index + run.length];
      const after = tokens[t.index + run.length + 1]?.word ?? '';
      if (next && PARTICLES.has(next.word) && !inValues.has(next.index) && !['to', 'of'].includes(after))
        out.push(next.index);
    }
  }
  return [...new Set(out)];
}

/**
 * The question without the words that only restate what it names (`restatingWords`): each is
 * removed where it stands, the rest kept as typed.
 *
 * @example dropRestating('how many care plans have no end date', lexicon) // 'how many care plans have no end '
 */
/** Words that open a noun phrase: a word said between one and a record's noun qualifies that noun. */
const DETERMINERS = new Set(['a', 'an', 'any', 'one', 'each', 'every']);

/**
 * Ordinary adjectives of a record noun that name a value of another kind of record only through
 * that value's synonym: "a single prescription" (no marital status "S": one prescription), "any
 * one visit". Said between an article and a noun of another cube, the word is inside that noun's
 * phrase and describes the record, never the other records' attribute — so it names no value.
 * Said before the value's own records ("a single patient", "single patients") it still does.
 */
export function qualifyingWords(tokens: readonly Token[], lexicon: Lexicon): number[] {
  const out: number[] = [];
  for (const t of tokens) {
    if (!DETERMINERS.has(tokens[t.index - 1]?.word ?? '')) continue;
    const after = new Set([t.index + 1, t.index + 2, t.index + 3]);
    const noun = matchCubes(tokens, after, lexicon).find((c) => c.covered.includes(t.index + 1));
    if (!noun) continue;
    // Values the word is part of, read with the words after it ("a dialysis care plan" is a care
    // plan's own value, not a procedure's synonym "dialysis").
    const rest = new Set(tokens.filter((x) => x.index >= t.index).map((x) => x.index));
    const values = matchValues(tokens, rest, lexicon, () => true).filter((v) => v.covered.includes(t.index));
    if (
      values.length &&
      values.every((v) => v.target.synonym && v.target.cube !== noun.target.name) &&
      // The word is no name of the noun's own rows or their attributes ("a home visit").
      !matchMembers(tokens, new Set([t.index]), lexicon, (m) => m.cube === noun.target.name).length
    )
      out.push(t.index);
  }
  return out;
}

/** Words that say "just one" of the records after an article: "a single visit", "any one visit". */
const ONE_OF = new Set(['single', 'individual', 'sole', 'solitary']);

/**
 * "a single prescription with more than 100 dispenses", "any one visit over 500": the word says
 * that one record meets the condition — what "a prescription with …" already says (a condition on
 * the record's row, not a total over an entity's rows). Said between an article and a record's
 * noun, it adds nothing; "the single most expensive visit" (no noun next) keeps it.
 */
export function oneRecordWords(tokens: readonly Token[], lexicon: Lexicon): number[] {
  const out: number[] = [];
  for (const t of tokens) {
    const before = tokens[t.index - 1]?.word ?? '';
    // "the most conditions for a single patient": the record each figure is of, not a condition.
    if (['for', 'per', 'by', 'of', 'in', 'on', 'from'].includes(tokens[t.index - 2]?.word ?? '')) continue;
    const one =
      (ONE_OF.has(t.word) && ['a', 'an', 'any', 'one'].includes(before)) ||
      (t.word === 'one' && before === 'any');
    if (!one) continue;
    const noun = matchCubes(tokens, new Set([t.index + 1, t.index + 2]), lexicon).find((c) =>
      c.covered.includes(t.index + 1),
    );
    if (noun) out.push(t.index);
  }
  return out;
}

export function dropRestating(question: string, lexicon: Lexicon): string {
  const tokens = tokenize(question);
  const drop = new Set([
    ...restatingWords(tokens, lexicon),
    ...qualifyingWords(tokens, lexicon),
    ...oneRecordWords(tokens, lexicon),
  ]);
  if (!drop.size) return question;
  // The k-th time a word is said among the tokens is its k-th whole-word occurrence in the text.
  let out = question;
  const seen = new Map<string, number>();
  const targets: Array<{ word: string; nth: number }> = [];
  for (const t of tokens) {
    const nth = seen.get(t.word) ?? 0;
    seen.set(t.word, nth + 1);
    if (drop.has(t.index)) targets.push({ word: t.word, nth });
  }
  for (const { word, nth } of targets.reverse()) {
    const re = new RegExp(`(?<![A-Za-z0-9])${word}(?![A-Za-z0-9])`, 'gi');
    const hits = [...out.matchAll(re)];
    const hit = hits[nth];
    if (hit?.index === undefined) continue;
    out = `${out.slice(0, hit.index)} ${out.slice(hit.index + word.length)}`;
  }
  return out.replace(/\s+/g, ' ').trim();
}
