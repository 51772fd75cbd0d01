/**
 * Records of a cohort of the entity they belong to: "immunizations for patients with asthma",
 * "encounters of patients with hypertension", "average claim cost among diabetics". The rows
 * measured point at an entity (a key to it); the words from the entity on say which of its
 * records are meant, through any of the records keyed to it (their conditions, their visits) —
 * not through the measured row itself, nor through a column of it that holds a like value.
 */
import { type CubeEntry, type Lexicon, matchCubes } from './lexicon.ts';
import { isContent, type Token, tokenize } from './text.ts';

/** Words that hand a figure's rows to the records named after them. */
const LINK = new Set(['of', 'for', 'among', 'amongst', 'to', 'from', 'across']);
/** Words that end the qualifier: a breakdown of the figure said after it ("… by year"). */
const QUALIFIER_END = new Set(['by', 'per', 'each', 'every']);
/** Words that count records once each ("distinct patients"): no qualifier of theirs. */
const ONCE_EACH = new Set(['distinct', 'different', 'unique', 'individual', 'separate']);
/** A comparison of two groups reads its own sides. */
const COMPARED = /\b(?:vs\.?|versus|compared)\b/i;

/** The question cut in two: the figure asked (`rest`), and the entity's records it is of. */
export interface EntityQualifier {
  /** The entity cube the figure's rows point at ("patients"). */
  entity: CubeEntry;
  /** The words that qualify the entity's records, its name first ("patients with asthma"). */
  qualifier: string;
  /** The question without the link word and the qualifier ("how many immunizations"). */
  rest: string;
}

/**
 * Each entity named after a link word ("of", "for", "among", "to") with the words qualifying it,
 * when some cube keys to that entity and something is asked before the link. The entity's own
 * words right before its name ("female patients") belong to the qualifier.
 *
 * @example entityQualifiers('how many visits for members with urgent refills', lexicon)
 * // [{ entity: members, qualifier: 'members with urgent refills', rest: 'how many visits' }]
 */
export function entityQualifiers(text: string, lexicon: Lexicon): EntityQualifier[] {
  if (COMPARED.test(text)) return [];
  const tokens = tokenize(text);
  // Every cube named, each time it is named ("visits per patient among patients with …").
  const named: ReturnType<typeof matchCubes> = [];
  const free = new Set(tokens.map((t) => t.index));
  for (;;) {
    const hit = matchCubes(tokens, free, lexicon)[0];
    if (!hit) break;
    named.push(hit);
    for (const i of hit.covered) free.delete(i);
  }
  named.sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered));
  const cubeWords = new Set(named.flatMap((m) => m.covered));
  const out: EntityQualifier[] = [];
  for (const m of named) {
    const entity = m.target;
    if (!entity.primaryKey) continue;
    if (![...lexicon.cubes.values()].some((c) => c.name !== entity.name && c.keys.has(entity.name))) continue;
    const first = Math.min(...m.covered);
    // Back over the words that describe the entity ("asthmatic", "female") to the link word.
    let link = first - 1;
    while (link > 0 && !LINK.has((tokens[link] as Token).word)) {
      const t = tokens[link] as Token;
      if (!isContent(t) || cubeWords.has(link)) break;
      link--;
    }
    if (link <= 0 || !LINK.has((tokens[link] as Token).word)) continue;
    const last = Math.max(...m.covered);
    // Something must qualify the entity: its name alone ("visits of patients") says nothing.
    let end = tokens.findIndex((t) => t.index > last && QUALIFIER_END.has(t.word));
    if (end < 0) end = tokens.length;
    const qualifier = tokens.slice(link + 1, end);
    if (!qualifier.some((t) => !m.covered.includes(t.index) && isContent(t) && !ONCE_EACH.has(t.word)))
      continue;
    const rest = [...tokens.slice(0, link), ...tokens.slice(end)];
    if (!rest.some(isContent)) continue;
    out.push({
      entity,
      qualifier: qualifier.map((t) => t.word).join(' '),
      rest: rest.map((t) => t.word).join(' '),
    });
  }
  return out;
}
