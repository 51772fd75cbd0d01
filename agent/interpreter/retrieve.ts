import { type Lexicon, matchValues, scorePhrase } from './lexicon.ts';
import { tokenize } from './text.ts';

/**
 * The members a question is most likely about, best first, for a model endpoint's prompt: members
 * whose names, titles or synonyms the question's words match (stems, small typos, rare words
 * weighing more), the members of cubes it names, and each of those cubes' row count and date — so
 * the model sees the top of the caller's model, not all of it, every turn.
 *
 * @example retrieveMembers('median claim cost per patient in 2021', lexicon, 40)
 */
export function retrieveMembers(question: string, lexicon: Lexicon, k = 40): string[] {
  const tokens = tokenize(question);
  const all = new Set(tokens.map((t) => t.index));
  const scored: Array<{ member: string; score: number }> = [];
  for (const m of lexicon.members.values()) {
    let best = 0;
    for (const p of m.phrases) best = Math.max(best, scorePhrase(tokens, all, p, lexicon)?.score ?? 0);
    if (best > 0) scored.push({ member: m.member, score: best });
  }
  const cubes = new Map<string, number>();
  for (const c of lexicon.cubes.values()) {
    let best = 0;
    for (const p of c.phrases) {
      const s = scorePhrase(tokens, all, p, lexicon);
      if (s?.completeness === 1) best = Math.max(best, s.score);
    }
    if (best > 0) cubes.set(c.name, best);
  }
  for (const s of scored) {
    const cube = lexicon.members.get(s.member)?.cube as string;
    cubes.set(cube, Math.max(cubes.get(cube) ?? 0, s.score / 2));
  }
  const out = new Map<string, number>(scored.map((s) => [s.member, s.score]));
  // Every cube in play keeps the members a query over it needs: its counts and its date.
  for (const [cube, score] of cubes) {
    for (const m of lexicon.members.values()) {
      if (m.cube !== cube) continue;
      const needed =
        (m.kind === 'measure' && m.aggType === 'count') ||
        lexicon.cubes.get(cube)?.timeDimension === m.member;
      if (needed && !out.has(m.member)) out.set(m.member, score / 4);
    }
  }
  return [...out.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([member]) => member);
}

/**
 * The stored values a question names (whole, as written or as a synonym the model gives for
 * them), best first, at most `k`: what a model endpoint's prompt carries instead of every value.
 *
 * @example retrieveValues('urgent visits in 2021', lexicon) // [{ dimension: 'visits.setting', value: 'urgent' }]
 */
export function retrieveValues(
  question: string,
  lexicon: Lexicon,
  k = 20,
): Array<{ dimension: string; value: string }> {
  const tokens = tokenize(question);
  const free = new Set(tokens.map((t) => t.index));
  const seen = new Set<string>();
  const out: Array<{ dimension: string; value: string }> = [];
  // PHI-tagged values (the local index of people's names) never go into an endpoint's prompt.
  for (const m of matchValues(tokens, free, lexicon, (v) => !v.local)) {
    const key = `${m.target.member}\u0000${m.target.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ dimension: m.target.member, value: m.target.value });
    if (out.length >= k) break;
  }
  return out;
}
