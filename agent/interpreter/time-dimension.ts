import type { Lexicon, MemberEntry } from './lexicon.ts';
import { matchMembers } from './lexicon.ts';
import { stem, type Token } from './text.ts';

/** A date member the question names, and the words that name it. */
export interface NamedDate {
  member: string;
  covered: number[];
}

/** A date the caller can filter or group by: unmasked, or kept to the year. */
export function usableDate(m: MemberEntry | undefined): boolean {
  return Boolean(m && m.kind === 'time' && (!m.masked || m.yearOnly));
}

/**
 * The dates a question names: by the model's `time_words` for them ("discharged", "born"), by
 * their titles or synonyms in full ("birth date"), or by the word a grain was said of ("by birth
 * year": a word of the date's title or synonyms).
 *
 * @example namedDates(tokenize('visits discharged in 2020'), free, lexicon) // [{ member: 'visits.ended_at', covered: [1] }]
 */
export function namedDates(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  lexicon: Lexicon,
  dateWord?: string,
): NamedDate[] {
  const out: NamedDate[] = [];
  const at = (s: string) => tokens.find((t) => free.has(t.index) && t.stem === s)?.index;
  // A word that is also the name of a measure counted by this very date ("discharges" of a
  // discharge count dated by the discharge) is left to name that measure, which dates itself.
  const countedBy = new Map<string, string[]>();
  for (const x of lexicon.members.values())
    if (x.kind === 'measure' && x.timeDimension)
      countedBy.set(x.timeDimension, [
        ...(countedBy.get(x.timeDimension) ?? []),
        ...x.phrases.map((p) => p.stems.join(' ')),
      ]);
  for (const m of lexicon.members.values()) {
    if (!usableDate(m) || !m.timeWords) continue;
    for (const stems of m.timeWords) {
      if (countedBy.get(m.member)?.includes(stems.join(' '))) continue;
      const ix = stems.map(at);
      if (ix.every((i) => i !== undefined)) out.push({ member: m.member, covered: ix as number[] });
    }
  }
  for (const m of matchMembers(tokens, free, lexicon, usableDate))
    if (m.completeness === 1) out.push({ member: m.target.member, covered: m.covered });
  if (dateWord) {
    const s = stem(dateWord);
    const i = at(s);
    if (i !== undefined)
      for (const m of lexicon.members.values())
        if (
          usableDate(m) &&
          (m.phrases.some((p) => p.stems.includes(s)) || m.timeWords?.some((w) => w.includes(s)))
        )
          out.push({ member: m.member, covered: [i] });
  }
  return out.sort((a, b) => b.covered.length - a.covered.length);
}

/**
 * The date a period or grain applies to for a figure over `cube`: a date of the cube (or of a cube
 * it reaches) the question names; else the date the figure's own condition is about ("stopped in
 * 2019": the stop date that must be recorded); else the date the model says the measure counts by
 * (meta `time_dimension`: deaths by the date of death); else the cube's date.
 *
 * @example dateFor(lexicon, 'visits', named, { measure: 'members.deaths' })
 */
export function dateFor(
  lexicon: Lexicon,
  cube: string,
  named: readonly NamedDate[],
  opts: { measure?: string; recorded?: readonly string[] } = {},
): string | undefined {
  const entry = lexicon.cubes.get(cube);
  const cubeOf = (m: string) => lexicon.members.get(m)?.cube ?? '';
  const own =
    named.find((n) => cubeOf(n.member) === cube) ?? named.find((n) => entry?.reach.has(cubeOf(n.member)));
  if (own) return own.member;
  const recorded = opts.recorded?.find((m) => cubeOf(m) === cube && usableDate(lexicon.members.get(m)));
  if (recorded) return recorded;
  const counted = opts.measure ? lexicon.members.get(opts.measure)?.timeDimension : undefined;
  if (counted && usableDate(lexicon.members.get(counted))) return counted;
  return entry?.timeDimension;
}

/**
 * Of the dates a condition says are recorded ("stopped", "resolved"), those said right before the
 * period: "conditions resolved in 2021" is of the date resolved; "resolved conditions in 2021" is
 * of the conditions' own date.
 *
 * @example recordedBefore(lexicon, ['refills.ended_on'], 'closed') // ['refills.ended_on']
 */
export function recordedBefore(lexicon: Lexicon, members: readonly string[], wordBefore?: string): string[] {
  if (!wordBefore) return [];
  const s = stem(wordBefore);
  return members.filter((m) => lexicon.nulls.some((n) => n.member === m && !n.isNull && n.stems.includes(s)));
}
