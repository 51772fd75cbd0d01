/**
 * Words inside stored descriptive values ("diabetes" in "Diabetes mellitus type 2"): an index from
 * a word's stem to the values holding it, built once per lexicon.
 */
import type { Lexicon, MemberEntry } from './lexicon.ts';
import { tokenize } from './text.ts';

/** Stems of the words that make up stored values, for finding values by a word inside them. */
const valueWordIndex = new WeakMap<Lexicon, Map<string, Array<{ member: string; value: string }>>>();

export function valueWords(lexicon: Lexicon): Map<string, Array<{ member: string; value: string }>> {
  let index = valueWordIndex.get(lexicon);
  if (index) return index;
  index = new Map();
  for (const v of lexicon.values) {
    if (v.synonym || v.bare) continue;
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
