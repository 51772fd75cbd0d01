import { type Lexicon, type MemberEntry, matchCubes, matchMembers } from './lexicon.ts';
import { normalizeQuestion, tokenize } from './text.ts';

/**
 * A reading that answers by another cube's dimension of the name the question gave the records it
 * names, when their own dimension of that name is masked for the caller: "which cities do our
 * patients live in" read over organizations' city because patients' city is hidden from a Safe
 * Harbor caller. That is a look-alike, never the answer: the caller is told what is not available.
 * Only when the question names the records whose own member is masked and not the cube of the
 * member used, and says the member's words. Works over a semantic query or a logical form alike:
 * every member name inside the plan is checked.
 *
 * @example maskedLookalike('top cities of our patients', { dimensions: ['sites.city'], … }, lexicon)
 * // 'Patients\' City is not available to you (it is masked), …'
 */
export function maskedLookalike(question: string, plan: unknown, lexicon: Lexicon): string | undefined {
  const used = membersIn(plan, lexicon).filter((m) => m.kind === 'dimension' || m.kind === 'time');
  if (!used.length) return undefined;
  const tokens = tokenize(normalizeQuestion(question));
  const all = new Set(tokens.map((t) => t.index));
  const named = new Set(matchCubes(tokens, all, lexicon).map((c) => c.target.name));
  // Keys are how records are joined, not what is answered by.
  const plain = (m: MemberEntry) => !m.primaryKey && !m.references;
  for (const d of used) {
    if (named.has(d.cube) || d.masked || !plain(d)) continue;
    for (const m of lexicon.members.values()) {
      if (
        !m.masked ||
        m.yearOnly ||
        !plain(m) ||
        m.kind !== d.kind ||
        m.cube === d.cube ||
        !named.has(m.cube)
      )
        continue;
      if (m.column !== d.column && m.title.toLowerCase() !== d.title.toLowerCase()) continue;
      const said = matchMembers(tokens, all, lexicon, (x) => x === m).some((h) => h.completeness === 1);
      if (!said) continue;
      const owner = lexicon.cubes.get(m.cube)?.title ?? m.cube;
      const other = lexicon.cubes.get(d.cube)?.title ?? d.cube;
      return `${possessive(owner)} ${m.title} is not available to you (it is masked), so I cannot answer by it. ${possessive(other)} ${d.title} is a different thing: ask by it if that is what you mean, or ask about something else of ${owner.toLowerCase()}.`;
    }
  }
  return undefined;
}

/** Every member of the lexicon named by a string anywhere inside a plan. */
function membersIn(plan: unknown, lexicon: Lexicon): MemberEntry[] {
  const out = new Map<string, MemberEntry>();
  const seen = new Set<unknown>();
  const walk = (x: unknown): void => {
    if (typeof x === 'string') {
      const m = lexicon.members.get(x);
      if (m) out.set(x, m);
      return;
    }
    if (!x || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    for (const v of Array.isArray(x) ? x : Object.values(x)) walk(v);
  };
  walk(plan);
  return [...out.values()];
}

function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}
