import type { PlannerCatalog } from './catalog.ts';
import { contentStems, stems } from './text.ts';
import { claim, range, runMatches, type Token } from './tokens.ts';

/** Distinct values per dimension, already filtered by the caller's row policy. */
export type ValueIndex = ReadonlyArray<{ dimension: string; values: readonly string[] }>;

/** Words of the question that name stored values: one or more dimensions could hold them. */
export interface ValueHit {
  at: number[];
  /** Candidate dimensions, each with the values the words stand for and how many values it has. */
  options: Array<{ dimension: string; values: string[]; score: number }>;
}

/**
 * Whole values named in the question — as stored ("Humana", "ambulatory", "urgent care" for
 * `urgentcare`) or by the model's value synonyms ("women" for `F`, "ER" for `emergency`). Longer
 * matches first; words that name a cube ("allergy") are left to the cube.
 */
export function wholeValues(tokens: Token[], values: ValueIndex, catalog: PlannerCatalog): ValueHit[] {
  const found = new Map<string, ValueHit>();
  const add = (start: number, length: number, dimension: string, value: string) => {
    const key = `${start}:${length}`;
    const hit = found.get(key) ?? { at: range(start, length), options: [] };
    const opt = hit.options.find((o) => o.dimension === dimension);
    if (opt) {
      if (!opt.values.includes(value)) opt.values.push(value);
    } else hit.options.push({ dimension, values: [value], score: 1 });
    found.set(key, hit);
  };
  // Words the model itself defines — a cube ("allergy"), a measure ("hospital admissions"), a
  // segment ("emergency") — mean that, not a stored value that happens to read the same.
  const cubePhrases = new Set([
    ...[...catalog.cubeWords.values()].flat().map((p) => p.join(' ')),
    ...catalog.entries
      .filter((e) => e.kind === 'measure' || e.kind === 'segment')
      .map((e) => e.phrase.join(' ')),
  ]);
  for (const { dimension, values: vs } of values) {
    for (const value of vs) {
      const st = stems(value);
      if (st.join('').length < 3) continue;
      for (const [start, length] of runMatches(tokens, st)) {
        const window = tokens.slice(start, start + length);
        if (window.every((t) => !t.content)) continue;
        if (cubePhrases.has(window.map((t) => t.stem).join(' '))) continue;
        add(start, length, dimension, value);
      }
    }
  }
  for (const [dimension, byValue] of catalog.valueSynonyms) {
    for (const [value, phrases] of byValue) {
      for (const phrase of phrases)
        for (const [start, length] of runMatches(tokens, phrase)) add(start, length, dimension, value);
    }
  }
  // In descriptive text a stored value also stands for the other values that contain it as words:
  // "asthma" is "Asthma" and "Childhood asthma". Not in names of places: Boston is not South Boston.
  for (const hit of found.values()) {
    for (const opt of hit.options) {
      if (!/description$/.test(opt.dimension.split('.')[1] ?? '')) continue;
      if (catalog.valueSynonyms.get(opt.dimension)?.has(opt.values[0] ?? '')) continue;
      const words = stems(opt.values[0] ?? '');
      const all = values.find((v) => v.dimension === opt.dimension)?.values ?? [];
      for (const v of all) if (!opt.values.includes(v) && containsRun(stems(v), words)) opt.values.push(v);
    }
  }
  // Longest first; a shorter match inside a longer one is dropped.
  const hits = [...found.values()].sort(
    (a, b) => b.at.length - a.at.length || (a.at[0] ?? 0) - (b.at[0] ?? 0),
  );
  const taken = new Set<number>();
  const out: ValueHit[] = [];
  for (const h of hits) {
    if (h.at.some((i) => taken.has(i) || tokens[i]?.used)) continue;
    for (const i of h.at) taken.add(i);
    out.push(h);
  }
  return out;
}

/**
 * Words that occur inside stored values ("diabetes" in "Diabetes mellitus type 2 (disorder)"):
 * the longest run of unclaimed content words found in some dimension's values. Each candidate
 * dimension is scored by how much of its matching values the words cover, so the dimension where
 * the words are the point ("Essential hypertension") beats one where they are a side note.
 */
export function partialValues(
  tokens: Token[],
  values: ValueIndex,
  exclude: ReadonlySet<number>,
  labels: ReadonlySet<string> = new Set(),
): ValueHit[] {
  // Only descriptive text (descriptions, names): an address or a city is not where a word like
  // "long" or "volume" means anything.
  const descriptive = values.filter(
    ({ dimension }) =>
      /(description|name|title|label)$/.test(dimension.split('.')[1] ?? '') || labels.has(dimension),
  );
  const indexed = descriptive.map(({ dimension, values: vs }) => ({
    dimension,
    // A coding system's qualifier ("(disorder)", "(procedure)") is not part of what the value says.
    values: vs.map((v) => ({
      value: v,
      stems: stems(v),
      content: Math.max(1, contentStems(v.replace(/\([^)]*\)/g, ' ')).length),
    })),
  }));
  const out: ValueHit[] = [];
  const usable = (i: number) => {
    const t = tokens[i];
    return Boolean(t && !t.used && !exclude.has(i) && (t.content || /^\d+$/.test(t.word)));
  };
  for (let start = 0; start < tokens.length; start++) {
    if (!usable(start) || !/[a-z]{4,}/.test(tokens[start]?.word ?? '')) continue;
    let end = start;
    while (usable(end + 1)) end++;
    // Longest window first, from this start.
    for (let len = end - start + 1; len >= 1; len--) {
      const window = tokens.slice(start, start + len).map((t) => t.stem);
      const options: ValueHit['options'] = [];
      for (const d of indexed) {
        const matched = d.values.filter((v) => containsRun(v.stems, window));
        if (!matched.length) continue;
        const score = matched.reduce((s, v) => s + Math.min(1, len / v.content), 0);
        options.push({
          dimension: d.dimension,
          values: matched.map((v) => v.value),
          score,
        });
      }
      if (options.length) {
        out.push({ at: range(start, len), options });
        claim(tokens, range(start, len));
        start += len - 1;
        break;
      }
    }
  }
  return out;
}

function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (needle.every((n, k) => haystack[i + k] === n)) return true;
  }
  return false;
}
