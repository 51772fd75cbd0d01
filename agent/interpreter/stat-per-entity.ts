/**
 * A statistic over entities of a figure per entity: "median number of encounters per patient" is
 * the median, over patients, of each patient's count of encounters; "90th percentile of claim cost
 * per patient" of each patient's total. The entity is a cube the measured rows point at through a
 * key; the figure is the rows counted, or the sum of a number column of theirs.
 */
import { distinctRows, numberColumns, perEntityAt, type Reading } from './interpret.ts';
import { type CubeEntry, type Lexicon, matchCubes } from './lexicon.ts';
import type { LogicalForm, Stat } from './logical-form.ts';

/** Words that set one entity apart before its name: "per patient", "a single patient", "each". */
const PER = new Set(['per', 'each', 'every', 'single', 'individual', 'any']);
/** Before "each"/"every": a breakdown ("for each payer"), not a figure per entity. */
const BREAKDOWN = new Set(['for', 'by', 'in', 'across', 'of', 'within']);

/** The entity named after a "per" word, with the words that name it; undefined when none. */
export function perEntityWords(
  r: Reading,
  lexicon: Lexicon,
): { entity: CubeEntry; at: number[] } | undefined {
  for (const t of r.tokens) {
    if (!PER.has(t.word) || !r.free().has(t.index)) continue;
    const before = r.tokens[t.index - 1]?.word ?? '';
    if ((t.word === 'each' || t.word === 'every') && BREAKDOWN.has(before)) continue;
    // "a single patient", "any one patient", "an individual patient".
    let next = t.index + 1;
    if (r.tokens[next]?.word === 'one' || r.tokens[next]?.word === 'given') next++;
    const hit = matchCubes(r.tokens, new Set([next, next + 1].filter((i) => r.free().has(i))), lexicon).find(
      (m) => m.covered.includes(next),
    );
    if (!hit?.target.primaryKey) continue;
    // "per encounter class": a dimension named whole by more words than the cube, a breakdown.
    if (!perEntityAt(r, lexicon, next)) continue;
    const lead = [
      t.index,
      ...r.tokens.filter((x) => x.index > t.index && x.index < next).map((x) => x.index),
    ];
    // "for a single patient": the article and the "for" before it belong to the phrase.
    if (['a', 'an', 'one'].includes(before)) lead.push(t.index - 1);
    if (r.tokens[t.index - 2]?.word === 'for' && ['a', 'an'].includes(before)) lead.push(t.index - 2);
    return { entity: hit.target, at: [...lead, ...hit.covered] };
  }
  return undefined;
}

/**
 * The statistic(s) over entities, when the question names one after a "per" word and rows (or a
 * number column of rows) that point at it; undefined when it does not (a plain distribution).
 *
 * @example statPerEntity(reading('median number of visits per member'), lexicon, [{ stat: 'median' }])
 * // { kind: 'distribution', stat: 'median', cube: 'visits', per: { key: 'visits.member', entity: 'members' }, … }
 */
export function statPerEntity(r: Reading, lexicon: Lexicon, stats: Stat[]): LogicalForm | undefined {
  const per = perEntityWords(r, lexicon);
  if (!per) return undefined;
  const e = per.entity;
  const free = new Set([...r.free()].filter((i) => !per.at.includes(i)));
  const view: Reading = { ...r, free: () => free };
  const keyed = (cube: string) => cube !== e.name && lexicon.cubes.get(cube)?.keys.has(e.name) === true;
  const named = matchCubes(r.tokens, free, lexicon).filter((c) => keyed(c.target.name));
  const columns = numberColumns(view, lexicon, (m) => keyed(m.cube)).filter(
    (m) => !named.some((c) => m.covered.every((i) => c.covered.includes(i))),
  );
  const value = columns[0];
  // "the max claim cost on a single encounter", "median claim cost per encounter": a number of
  // the entity's own rows, each row one entity — the statistic over its rows, the words placed.
  const own = numberColumns(view, lexicon, (m) => m.cube === e.name)[0];
  if (own && own.covered.length >= (value?.covered.length ?? 0) && (value || !named.length)) {
    // The entity's own name stays free: it names the rows, and the column of theirs.
    const name = new Set(
      matchCubes(r.tokens, new Set(per.at), lexicon)
        .filter((c) => c.target.name === e.name)
        .flatMap((c) => c.covered),
    );
    const lead = per.at.filter((i) => !name.has(i));
    if (r.tokens[Math.min(...lead) - 1]?.word === 'on') lead.push(Math.min(...lead) - 1);
    r.use(lead);
    return undefined;
  }
  const rows = value ? undefined : named[0];
  const cube = value?.target.cube ?? rows?.target.name;
  if (!cube) return undefined;
  const key = lexicon.cubes.get(cube)?.keys.get(e.name) as string;
  r.use(per.at);
  if (value) r.use([...value.covered, ...value.cubeWords]);
  // "median number of distinct medications per patient": each entity's kinds of rows.
  const distinct = rows ? distinctRows(r, lexicon, rows) : undefined;
  if (rows) r.use(rows.covered);
  const [first, ...also] = stats as [Stat, ...Stat[]];
  return {
    kind: 'distribution',
    ...first,
    ...(also.length ? { also } : {}),
    cube,
    value: value?.target.member,
    per: { key, entity: e.name, ...(distinct ? { distinct } : {}) },
    filters: [],
  };
}

const GRADED = new Set(['expensive', 'costly', 'pricey']);
const SUPERLATIVE: Record<string, 'min' | 'max'> = {
  cheapest: 'min',
  shortest: 'min',
  quickest: 'min',
  priciest: 'max',
  costliest: 'max',
  longest: 'max',
  slowest: 'max',
};
const MOST = new Set(['most', 'highest', 'largest', 'biggest', 'greatest']);
const LEAST = new Set(['fewest', 'least', 'lowest', 'smallest']);
/** "a single patient", "any one patient", "an individual patient": one entity, whichever it is. */
const ONE = new Set(['single', 'individual', 'any']);

/**
 * "the most conditions recorded for a single patient", "the largest number of visits any one
 * patient had": the maximum (or minimum) over entities of their figure — a statistic, not a
 * ranking of the entities, because the entity is said as "a single …" rather than asked for.
 */
export function extremeForOne(r: Reading, lexicon: Lexicon): (Stat & { at: number[] }) | undefined {
  const per = perEntityWords(r, lexicon);
  if (!per?.at.some((i) => ONE.has(r.tokens[i]?.word ?? ''))) return undefined;
  const word = r.tokens.find((t) => (MOST.has(t.word) || LEAST.has(t.word)) && t.index < Math.min(...per.at));
  // "the most expensive single encounter", "the cheapest single medication": of money or time.
  const graded = word && GRADED.has(r.tokens[word.index + 1]?.word ?? '') ? [word.index + 1] : [];
  const superlative = r.tokens.find((t) => t.word in SUPERLATIVE && t.index < Math.min(...per.at));
  if (!word && superlative)
    return { stat: SUPERLATIVE[superlative.word] as 'min' | 'max', at: [superlative.index] };
  if (!word) return undefined;
  return { stat: MOST.has(word.word) ? 'max' : 'min', at: [word.index, ...graded] };
}
