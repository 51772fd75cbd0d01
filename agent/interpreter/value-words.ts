/**
 * Words inside stored descriptive values ("diabetes" in "Diabetes mellitus type 2"): an index from
 * a word's stem to the values holding it, built once per lexicon.
 */
import type { Lexicon, MemberEntry } from './lexicon.ts';
import { contentStems, tokenize } from './text.ts';

/** Stems of the words that make up stored values, for finding values by a word inside them. */
const valueWordIndex = new WeakMap<Lexicon, Map<string, Array<{ member: string; value: string }>>>();

export function valueWords(lexicon: Lexicon): Map<string, Array<{ member: string; value: string }>> {
  let index = valueWordIndex.get(lexicon);
  if (index) return index;
  index = new Map();
  for (const v of lexicon.values) {
    // The plain spelling of a value repeats its words; people's names are never found by a part.
    if (v.synonym || v.plain || v.local) continue;
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
