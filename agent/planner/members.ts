import { canReach, type LexiconEntry, type PlannerCatalog } from './catalog.ts';
import { tokenMatches } from './text.ts';
import { bagMatch, type Token } from './tokens.ts';

/** A member the words could mean, how well, and which tokens say so. */
export interface Candidate {
  member: string;
  cube: string;
  score: number;
  covered: number[];
}

/**
 * How well one phrase of an entry occurs among the allowed tokens; 0 when it does not. `full` says
 * the whole phrase is there (or most of a long one); otherwise only its head word matched ("cost" is
 * some kind of "claim cost") and the score is small, so such matches only ever break ties or ask.
 */
export function phraseScore(
  tokens: readonly Token[],
  entry: Pick<LexiconEntry, 'phrase' | 'weight'>,
  allowed: ReadonlySet<number>,
): { score: number; covered: number[]; full: boolean } {
  const none = { score: 0, covered: [], full: false };
  const len = entry.phrase.length;
  if (!len) return none;
  const covered = bagMatch(tokens, entry.phrase, allowed);
  const matched = covered.length;
  if (!matched) return none;
  const enough = matched >= Math.ceil(len * 0.6) && (len > 2 || matched === len);
  if (enough) return { score: matched * entry.weight - 0.4 * (len - matched), covered, full: true };
  const head = entry.phrase[len - 1] as string;
  if (
    matched === 1 &&
    covered.some((i) => tokens[i]?.stem === head || tokenMatches(tokens[i]?.stem ?? '', head))
  )
    return { score: 0.3 - 0.05 * (len - 1), covered, full: false };
  return none;
}

/** Matched words in order and side by side (at most one word between), as a noun compound is said. */
function compound(hits: readonly number[]): boolean {
  const inOrder = hits.every((h, k) => k === 0 || h > (hits[k - 1] as number));
  return (
    inOrder && (hits.length < 2 || (hits[hits.length - 1] as number) - (hits[0] as number) <= hits.length)
  );
}

/** Cubes the question names (by name, title or synonyms), with the tokens naming them. */
export function namedCubes(
  tokens: readonly Token[],
  catalog: PlannerCatalog,
  allowed: ReadonlySet<number>,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [cube, phrases] of catalog.cubeWords) {
    for (const phrase of phrases) {
      const hits = bagMatch(tokens, phrase, allowed);
      // A cube's name is a noun compound ("patient expenses", not "expenses per patient").
      if (
        phrase.length &&
        hits.length === phrase.length &&
        compound(hits) &&
        hits.length > (out.get(cube)?.length ?? 0)
      )
        out.set(cube, hits);
    }
  }
  return out;
}

/**
 * Cubes the question names, leaving out a cube whose words are only part of a longer member phrase
 * of another cube: "claim cost" names encounters' claim cost, not the claims cube.
 */
export function namedCubesOwn(
  tokens: readonly Token[],
  catalog: PlannerCatalog,
  allowed: ReadonlySet<number>,
): Map<string, number[]> {
  const named = namedCubes(tokens, catalog, allowed);
  for (const [cube, hits] of named) {
    const shadowed = catalog.entries.some((e) => {
      if (e.cube === cube || e.phrase.length <= hits.length || e.kind === 'segment') return false;
      const covered = bagMatch(tokens, e.phrase, allowed);
      return (
        covered.length === e.phrase.length && compound(covered) && hits.every((i) => covered.includes(i))
      );
    });
    if (shadowed) named.delete(cube);
  }
  return named;
}

/** What the measure scoring knows beyond the words: intent and context. */
export interface MeasureContext {
  agg?: 'avg' | 'sum' | 'count' | undefined;
  /** "percent", "share", "rate": a ratio measure is wanted. */
  ratio?: boolean | undefined;
  /** The noun phrase after "how many": its last word is what is counted. */
  counted?: number[] | undefined;
  rankedBy?: number | undefined;
  filterCubes: ReadonlySet<string>;
  /** Cubes of the dimensions to group by. */
  groupCubes: ReadonlySet<string>;
  named: ReadonlyMap<string, number[]>;
  previousCube?: string | undefined;
}

/**
 * Score every measure against the unclaimed words: the words its own phrases (title, name,
 * synonyms) explain, the words naming its cube as context, then intent — the aggregation asked
 * for, what "how many" counts, what "most" ranks by — and the cubes the filters, groupings and
 * previous question point at.
 */
export function scoreMeasures(
  tokens: readonly Token[],
  catalog: PlannerCatalog,
  ctx: MeasureContext,
): Candidate[] {
  const allowed = new Set(tokens.flatMap((t, i) => (t.content && !t.used ? [i] : [])));
  // Per member: the weight of each token its fully matched phrases explain, else its best partial match.
  const own = new Map<string, { weights: Map<number, number>; partial: number; covered: number[] }>();
  for (const e of catalog.entries) {
    if (e.kind !== 'measure') continue;
    const r = phraseScore(tokens, e, allowed);
    if (r.score <= 0) continue;
    const m = own.get(e.member) ?? { weights: new Map<number, number>(), partial: 0, covered: [] };
    if (r.full) {
      const each = r.score / r.covered.length;
      for (const i of r.covered) m.weights.set(i, Math.max(m.weights.get(i) ?? 0, each));
    } else if (r.score > m.partial) {
      m.partial = r.score;
      m.covered = r.covered;
    }
    own.set(e.member, m);
  }
  for (const [cube, member] of catalog.countMeasure) {
    // A cube's words make its plain count a candidate ("how many visits" → encounters.count).
    const words = ctx.named.get(cube)?.filter((i) => allowed.has(i));
    if (!words?.length || own.get(member)?.weights.size) continue;
    own.set(member, { weights: new Map(words.map((i) => [i, 1])), partial: 0, covered: [] });
  }
  const out: Candidate[] = [];
  const counted = ctx.counted ?? [];
  const head = counted[counted.length - 1];
  for (const [member, m] of own) {
    const info = catalog.members.get(member);
    if (!info) continue;
    const cube = info.cube;
    const full = m.weights.size > 0;
    const covered = full ? [...m.weights.keys()] : m.covered;
    const cubeWords = (ctx.named.get(cube) ?? []).filter((i) => allowed.has(i));
    const plainCount = catalog.countMeasure.get(cube) === member;
    // Words naming the measure's own cube are context for every measure of it ("visits" in "cost
    // per visit"), and the subject only of its plain count.
    let score = full
      ? [...m.weights].reduce((a, [i, w]) => a + (!plainCount && cubeWords.includes(i) ? 0.5 : w), 0)
      : m.partial;
    score += 0.5 * cubeWords.filter((i) => !covered.includes(i)).length;
    // What a measure counts: its cube's rows for a count, its own words otherwise.
    const entity =
      info.aggType === 'count' ? [...covered, ...cubeWords] : covered.filter((i) => !cubeWords.includes(i));
    if (head !== undefined && entity.includes(head)) score += 2;
    else if (counted.some((i) => entity.includes(i))) score += 0.3;
    if (ctx.rankedBy !== undefined && entity.includes(ctx.rankedBy)) score += 1;
    const agg = info.aggType;
    if (ctx.agg && agg) {
      if (agg === ctx.agg) score += 0.5;
      else if (ctx.agg === 'count' && agg === 'countDistinct') score += 0.4;
      else if (['sum', 'avg', 'count', 'countDistinct'].includes(agg)) score -= 0.5;
    }
    if (ctx.ratio && agg === 'number') score += 0.5;
    if (ctx.filterCubes.has(cube)) score += 0.6;
    if (ctx.groupCubes.has(cube)) score += 0.3;
    if (ctx.named.has(cube)) score += 0.3;
    if (ctx.previousCube === cube) score += 0.4;
    out.push({ member, cube, score, covered });
  }
  return out.sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
}

/**
 * The dimension a phrase names ("gender", "payer", "encounter class"): a dimension of the measure's
 * cube first, then one it can reach; a cube's name stands for its label ("by payer" → payer name),
 * and a key column for the label of the cube it points at.
 */
export function resolveDimension(
  tokens: readonly Token[],
  phrase: readonly number[],
  catalog: PlannerCatalog,
  measureCube: string | undefined,
  preferred: ReadonlySet<string>,
): Candidate | undefined {
  const allowed = new Set(phrase);
  const found: Candidate[] = [];
  for (const e of catalog.entries) {
    if (e.kind !== 'dimension' && e.kind !== 'time') continue;
    const { score, covered } = phraseScore(tokens, e, allowed);
    if (score <= 0) continue;
    const info = catalog.members.get(e.member);
    if (!info) continue;
    let member = e.member;
    if (info.references) {
      // A key into the measure's own cube says nothing to group by ("per encounter").
      if (info.references === measureCube) continue;
      member = catalog.label.get(info.references) ?? '';
    } else if (info.primaryKey) continue;
    if (member) found.push({ member, cube: member.split('.')[0] as string, score, covered });
  }
  for (const [cube, hits] of namedCubes(tokens, catalog, allowed)) {
    const label = catalog.label.get(cube);
    if (label && cube !== measureCube)
      found.push({ member: label, cube, score: hits.length + 0.1, covered: hits });
  }
  const ranked = found
    .filter((c) => !measureCube || canReach(catalog, measureCube, c.cube))
    .map((c) => ({
      ...c,
      // The word right after "by" is the noun grouped by; later words may be a verb ("each payer cover").
      score:
        c.score +
        (c.cube === measureCube ? 0.5 : 0) +
        (preferred.has(c.cube) ? 0.2 : 0) +
        (c.covered.includes(phrase[0] as number) ? 0.5 : 0),
    }))
    .sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
  return ranked[0];
}

/** Dimensions named anywhere among the unclaimed words (full phrases only), best first. */
export function mentionedDimensions(
  tokens: readonly Token[],
  catalog: PlannerCatalog,
  measureCube: string | undefined,
  preferred: ReadonlySet<string>,
): Candidate[] {
  const allowed = new Set(tokens.flatMap((t, i) => (t.content && !t.used ? [i] : [])));
  const out = new Map<string, Candidate>();
  for (const e of catalog.entries) {
    if (e.kind !== 'dimension') continue;
    const covered = bagMatch(tokens, e.phrase, allowed);
    if (!e.phrase.length || covered.length < e.phrase.length) continue;
    const info = catalog.members.get(e.member);
    if (!info || info.primaryKey || info.references) continue;
    if (measureCube && !canReach(catalog, measureCube, e.cube)) continue;
    const score =
      covered.length * e.weight + (e.cube === measureCube ? 0.5 : 0) + (preferred.has(e.cube) ? 0.3 : 0);
    const prev = out.get(e.member);
    if (!prev || prev.score < score) out.set(e.member, { member: e.member, cube: e.cube, score, covered });
  }
  return [...out.values()].sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
}
