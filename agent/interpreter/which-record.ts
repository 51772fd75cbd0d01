import { type Lexicon, matchCubes, matchMembers, matchValues } from './lexicon.ts';
import { isContent, normalizeQuestion, tokenize } from './text.ts';

/**
 * "What's the cost of the drug", "how old is the patient": one record named by "the" and a
 * singular noun of a cube, with nothing that says which one (no value, name or identifier after
 * it), in a question asking one figure. Answering over every record of the cube would be a
 * confident number about another question: the caller is asked which one. Not when the plan keeps
 * the cube's records to a value or breaks them down, nor in a follow-up (the record may be the
 * one talked about).
 *
 * @example unnamedRecord("what's the cost of the drug", { measures: ['medications.cost'] }, lexicon)
 * // { message: 'Which drug do you mean? …', options: [{ label: 'All medications', … }] }
 */
export function unnamedRecord(
  question: string,
  plan: unknown,
  lexicon: Lexicon,
): { message: string; options: Array<{ label: string; question: string }> } | undefined {
  if (!oneFigure(plan)) return undefined;
  const kept = keptCubes(plan, lexicon);
  const tokens = tokenize(normalizeQuestion(question));
  const all = new Set(tokens.map((t) => t.index));
  for (const the of tokens) {
    if (the.word !== 'the') continue;
    const noun = matchCubes(tokens, all, lexicon).find(
      (c) => Math.min(...c.covered) === the.index + 1 && c.covered.length === 1,
    );
    if (!noun) continue;
    const at = noun.covered[0] as number;
    const word = tokens[at];
    // A plural ("the drugs") is every record of them.
    if (!word || word.word !== word.stem || /s$/.test(word.word)) continue;
    const cube = noun.target.name;
    if (kept.has(cube)) continue;
    const after = tokens[at + 1];
    if (after && isContent(after)) {
      // A noun before another ("the procedure count") qualifies it; only the subject of "did"
      // ("how much did the medication cost") is the one record.
      if (!DO.has(tokens[the.index - 1]?.word ?? '')) continue;
      // A value of the records right after ("the drug lisinopril"), or a word the model does not
      // know (a name, an identifier): it may say which one.
      const valued = matchValues(tokens, new Set([after.index]), lexicon, (v) => v.cube === cube).length > 0;
      const known =
        matchMembers(tokens, new Set([after.index]), lexicon, () => true).length > 0 ||
        matchCubes(tokens, new Set([after.index]), lexicon).length > 0;
      if (valued || !known) continue;
    }
    const title = noun.target.title.toLowerCase();
    const everyOne = question.replace(new RegExp(`\\bthe\\s+${word.word}\\b`, 'i'), `all ${title}`);
    return {
      message: `Which ${word.word} do you mean? "The ${word.word}" names one of the ${title}, but not which: name it, or ask about all ${title}.`,
      options: everyOne !== question ? [{ label: `All ${title}`, question: everyOne }] : [],
    };
  }
  return undefined;
}

const DO = new Set(['did', 'does', 'do']);

/** A plan asking one figure: no breakdown, no list, no ranking. */
function oneFigure(plan: unknown): boolean {
  if (!plan || typeof plan !== 'object') return false;
  const p = plan as Record<string, unknown>;
  if ('measures' in p)
    return (
      Array.isArray(p.measures) &&
      p.measures.length === 1 &&
      !(Array.isArray(p.dimensions) && p.dimensions.length) &&
      !(
        Array.isArray(p.timeDimensions) &&
        p.timeDimensions.some((t) => t && typeof t === 'object' && 'granularity' in t && t.granularity)
      ) &&
      p.limit === undefined
    );
  return (
    (p.kind === 'aggregate' || p.kind === 'distribution') && !p.groupBy && !p.list && !p.within && !p.per
  );
}

/** Cubes whose records the plan keeps to values (their own filters, or filters through a key). */
function keptCubes(plan: unknown, lexicon: Lexicon): Set<string> {
  const out = new Set<string>();
  const p = plan as Record<string, unknown>;
  for (const f of Array.isArray(p.filters) ? p.filters : []) {
    const m = lexicon.members.get(String((f as { member?: unknown }).member ?? ''));
    if (m) out.add(m.cube);
  }
  for (const s of Array.isArray(p.segments) ? p.segments : []) out.add(String(s).split('.')[0] ?? '');
  return out;
}
