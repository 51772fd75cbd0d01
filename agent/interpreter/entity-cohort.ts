/**
 * Records of a cohort of the entity they belong to: "immunizations for patients with asthma",
 * "encounters of patients with hypertension", "average claim cost among diabetics". The rows
 * measured point at an entity (a key to it); the words from the entity on say which of its
 * records are meant, through any of the records keyed to it (their conditions, their visits) —
 * not through the measured row itself, nor through a column of it that holds a like value.
 */
import { type CubeEntry, type Lexicon, matchCubes } from './lexicon.ts';
import type { Condition } from './logical-form.ts';
import { interpretQuery } from './query-form.ts';
import { isContent, type Token, tokenize } from './text.ts';

/** Words that hand a figure's rows to the records named after them. */
const LINK = new Set(['of', 'for', 'among', 'amongst', 'to', 'from', 'across']);
/**
 * "how many encounters did our diabetics have in 2023": the entity as the subject of the rows'
 * verb, asked with "did"; the verb closes the qualifier and what follows it is the figure's.
 */
const ASKED_OF = new Set(['did', 'do', 'does']);
const HAVING = new Set(['have', 'had', 'get', 'got', 'receive', 'need', 'undergo', 'make']);
/** Words that point at the entity's records without saying which ("our", "my", "the"). */
const POINTING = new Set(['our', 'my', 'the', 'all', 'their', 'those', 'these']);
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
  const leading = leadingQualifier(text, lexicon);
  if (leading) return [leading];
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
    const linking = (k: number) =>
      LINK.has((tokens[k] as Token).word) || ASKED_OF.has((tokens[k] as Token).word);
    while (link > 0 && !linking(link)) {
      const t = tokens[link] as Token;
      if ((!isContent(t) && !POINTING.has(t.word)) || cubeWords.has(link)) break;
      link--;
    }
    if (link <= 0 || !linking(link)) continue;
    const last = Math.max(...m.covered);
    const asked = ASKED_OF.has((tokens[link] as Token).word);
    // Something must qualify the entity: its name alone ("visits of patients") says nothing.
    let end = tokens.findIndex((t) => t.index > last && (asked ? HAVING : QUALIFIER_END).has(t.word));
    if (end < 0 && asked) continue;
    if (end < 0) end = tokens.length;
    const qualifier = tokens.slice(link + 1, end).filter((t) => !POINTING.has(t.word));
    if (!qualifier.some((t) => !m.covered.includes(t.index) && isContent(t) && !ONCE_EACH.has(t.word)))
      continue;
    const rest = [...tokens.slice(0, link), ...tokens.slice(asked ? end + 1 : end)];
    if (!rest.some(isContent)) continue;
    out.push({
      entity,
      qualifier: qualifier.map((t) => t.word).join(' '),
      rest: rest.map((t) => t.word).join(' '),
    });
  }
  return out;
}

/** "for patients who …, <figure>": a qualifier said first, up to a comma, and the figure after it. */
const LEADING = /^\s*(?:for|among|amongst|across|of)\s+(?:(each|every)\s+)?([^,]+?)\s*,\s*(.+)$/i;
/** A share asked of the records: the cohort reader's, with the qualifier as its scope. */
const SHARE_ASKED = /%|\b(?:percent|percentage|share|proportion|fraction|rate)\b/i;
/** Words that say the figure is an average over the records ("on average", "mean"). */
const AVERAGED = /\b(?:average|avg|mean|typical|typically)\b/i;

/**
 * "for patients who had any imaging, how many imaging studies each on average", "for each patient
 * on a dialysis care plan, how many encounters": the records named first (their name opening the
 * words before the comma) are the qualifier, the words after the comma the figure. A bare "each"
 * of the figure ("… each on average"), or "for each patient" before it, is a figure of each of
 * those records: said "per <records>" in the figure — averaged when an averaging word is said, one
 * figure for each record otherwise.
 */
function leadingQualifier(text: string, lexicon: Lexicon): EntityQualifier | undefined {
  const m = LEADING.exec(text);
  if (!m) return undefined;
  const [, each, qualifier = '', figure = ''] = m;
  // "among members with X, what share had Y": a share of those records, whose scope the cohort
  // reader takes from the words before the comma.
  if (SHARE_ASKED.test(figure)) return undefined;
  const tokens = tokenize(qualifier);
  const hit = matchCubes(tokens, new Set(tokens.map((t) => t.index)), lexicon)
    .filter((c) => c.target.primaryKey)
    .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
  // The records' name opens the qualifier ("patients who …", "female patients with …").
  if (!hit || tokens.slice(0, Math.min(...hit.covered)).some((t) => !isContent(t) && !POINTING.has(t.word)))
    return undefined;
  const entity = hit.target;
  if (![...lexicon.cubes.values()].some((c) => c.name !== entity.name && c.keys.has(entity.name)))
    return undefined;
  if (!tokens.some((t) => !hit.covered.includes(t.index) && isContent(t) && !ONCE_EACH.has(t.word)))
    return undefined;
  const said = hit.covered.map((i) => (tokens[i] as Token).word).join(' ');
  const rest = tokenize(figure);
  const figureTokens = new Set(rest.map((t) => t.index));
  const eachAt = rest.find(
    (t) =>
      (t.word === 'each' || t.word === 'every') &&
      !matchCubes(rest, new Set([t.index + 1, t.index + 2].filter((k) => figureTokens.has(k))), lexicon).some(
        (c) => Math.min(...c.covered) === t.index + 1,
      ),
  );
  let asked = rest.map((t) => (t === eachAt ? `per ${said}` : t.word)).join(' ');
  if (each && !eachAt && !/\b(?:per|each|every)\b/i.test(figure))
    asked = AVERAGED.test(figure) ? `${asked} per ${said}` : `${asked} for each ${said}`;
  if (!rest.some(isContent)) return undefined;
  return { entity, qualifier: tokens.map((t) => t.word).join(' '), rest: asked };
}

/**
 * The column the model's own statistic of the words is of ("average encounter cost": the mean of
 * total claim cost, by the measure the words name), with the measure's query's conditions on its
 * rows: a statistic that can then be taken over a cohort's rows only. `undefined` unless the words
 * read as one sum or average of one number column of the cube, with nothing broken down.
 */
export function measureColumn(
  rest: string,
  stat: 'avg' | 'sum',
  lexicon: Lexicon,
  now: Date,
): { cube: string; value: string; filters: Condition[] } | undefined {
  const read = interpretQuery(rest, lexicon, now);
  if (read.kind !== 'query') return undefined;
  const q = read.query;
  if (q.measures?.length !== 1 || q.dimensions?.length || q.timeDimensions?.some((t) => t.granularity))
    return undefined;
  const m = lexicon.members.get(q.measures[0] as string);
  if (!m || m.aggType !== stat || m.columns?.length !== 1) return undefined;
  const column = [...lexicon.members.values()].find(
    (d) => d.cube === m.cube && d.kind !== 'measure' && d.type === 'number' && d.column === m.columns?.[0],
  );
  if (!column) return undefined;
  const filters: Condition[] = [];
  for (const f of q.filters ?? []) {
    if (!('member' in f) || f.operator !== 'equals' || lexicon.members.get(f.member)?.cube !== m.cube)
      return undefined;
    filters.push({ member: f.member, op: 'in', values: (f.values ?? []).map(String) });
  }
  return { cube: m.cube, value: column.member, filters };
}
