import { type Lexicon, valueKey } from './lexicon.ts';
import { isContent, tokenize } from './text.ts';

/**
 * Acronyms of stored values, derived from the values themselves: the initials of a run of three
 * or more words of a value said without its bracketed qualifiers ("ckd" for "Chronic kidney
 * disease stage 1 (disorder)", "esrd" for "End-stage renal disease"). A number in the run keeps
 * its digits. Acronyms no value spells this way (HTN, DM2) are the model's `value_synonyms`.
 */

/** The fewest words of a value an acronym may stand for: two letters say too little. */
const MIN_RUN = 3;
/** Runs longer than this are no acronym anyone types. */
const MAX_RUN = 6;

/** Acronym → the phrases of stored values whose initials spell it (each phrase as the value says it). */
const indexCache = new WeakMap<Lexicon, Map<string, Set<string>>>();

function acronymIndex(lexicon: Lexicon): Map<string, Set<string>> {
  let index = indexCache.get(lexicon);
  if (index) return index;
  index = new Map();
  const seen = new Set<string>();
  for (const v of lexicon.values) {
    if (v.synonym || v.local || v.plain) continue;
    const key = valueKey(v.value);
    if (seen.has(key)) continue;
    seen.add(key);
    // Runs of content words only: a grammar word ("of", "to") breaks a run.
    const tokens = tokenize(key);
    let start = 0;
    for (let i = 0; i <= tokens.length; i++) {
      const t = tokens[i];
      if (t && isContent(t)) continue;
      const run = tokens.slice(start, i).map((x) => x.word);
      for (let a = 0; a < run.length; a++)
        for (let b = a + MIN_RUN; b <= Math.min(run.length, a + MAX_RUN); b++) {
          const words = run.slice(a, b);
          // The run must open with a word: "1 diabetes mellitus" is no phrase of its own.
          if (/^\d/.test(words[0] as string)) continue;
          const acronym = words.map((w) => (/^\d+$/.test(w) ? w : w[0])).join('');
          const phrases = index.get(acronym) ?? new Set<string>();
          phrases.add(words.join(' '));
          index.set(acronym, phrases);
        }
      start = i + 1;
    }
  }
  indexCache.set(lexicon, index);
  return index;
}

/** What the acronyms of a question stand for. */
export type AcronymReading =
  /** Every acronym stands for one phrase: the question with each spelled out. */
  | { kind: 'expanded'; question: string; expanded: Array<{ word: string; phrase: string }> }
  /** An acronym spells phrases of values that share none: each choice spelled out. */
  | { kind: 'ambiguous'; word: string; questions: Array<{ phrase: string; question: string }> }
  | { kind: 'none' };

/**
 * The question with the acronyms of stored values spelled out, for words the model does not
 * know otherwise: not a word of a member, cube or value, nor grammar. An acronym whose values
 * share one phrase ("ckd": every "Chronic kidney disease stage N") is that phrase, which names
 * them all; one that spells phrases of values that share none is offered as a choice.
 *
 * @example expandAcronyms('how many patients have ckd', lexicon)
 * // { kind: 'expanded', question: 'how many patients have chronic kidney disease', … }
 */
export function expandAcronyms(question: string, lexicon: Lexicon): AcronymReading {
  const index = acronymIndex(lexicon);
  const known = (s: string) => lexicon.idf.has(s) || lexicon.valueStems.has(s);
  const synonyms = new Set(lexicon.values.filter((v) => v.synonym).flatMap((v) => v.stems));
  let out = question;
  const expanded: Array<{ word: string; phrase: string }> = [];
  for (const t of tokenize(question)) {
    if (t.word.length < MIN_RUN || !/[a-z]/.test(t.word) || !isContent(t)) continue;
    if (known(t.stem) || synonyms.has(t.stem)) continue;
    const phrases = [...(index.get(t.word) ?? [])];
    if (!phrases.length) continue;
    const spell = (phrase: string) =>
      out.replace(new RegExp(`(?<![A-Za-z0-9])${t.word}(?![A-Za-z0-9])`, 'i'), phrase);
    if (phrases.length > 1)
      return {
        kind: 'ambiguous',
        word: t.word,
        questions: phrases.sort().map((phrase) => ({ phrase, question: spell(phrase) })),
      };
    const phrase = phrases[0] as string;
    out = spell(phrase);
    expanded.push({ word: t.word, phrase });
  }
  return expanded.length ? { kind: 'expanded', question: out, expanded } : { kind: 'none' };
}
