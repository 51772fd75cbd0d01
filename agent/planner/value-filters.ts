import { canReach, type PlannerCatalog } from './catalog.ts';
import { namedCubes, phraseScore } from './members.ts';
import type { FlatCubeQuery } from './query.ts';
import { claim, type Token } from './tokens.ts';
import { partialValues, type ValueHit, type ValueIndex, wholeValues } from './values.ts';

type Filters = NonNullable<FlatCubeQuery['filters']>;

/**
 * Pick the dimension a value hit belongs to: one in a cube the question names, else the best
 * scored; never one no named cube can be queried with.
 */
export function pickOption(
  hit: ValueHit,
  named: ReadonlyMap<string, number[]>,
  catalog: PlannerCatalog,
): ValueHit['options'][number] | undefined {
  const usable = hit.options.filter((o) => {
    const cube = o.dimension.split('.')[0] as string;
    return (
      !named.size || [...named.keys()].some((n) => canReach(catalog, n, cube) || canReach(catalog, cube, n))
    );
  });
  const rank = (o: ValueHit['options'][number]) => {
    const cube = o.dimension.split('.')[0] as string;
    const isLabel = catalog.label.get(cube) === o.dimension ? 0.01 : 0;
    return o.score + (named.has(cube) ? 10 : 0) + isLabel;
  };
  return [...usable].sort((a, b) => rank(b) - rank(a) || a.dimension.localeCompare(b.dimension))[0];
}

/**
 * Filters from values named whole ("Medicare", "women", "urgent care"), claiming their words. With
 * `compare` ("men vs women") a dimension named by several values is grouped by instead. `valueAt`
 * says which dimension each claimed word named.
 */
export function wholeValueFilters(
  tokens: Token[],
  values: ValueIndex,
  catalog: PlannerCatalog,
  named: ReadonlyMap<string, number[]>,
  compare: boolean,
): { filters: Filters; valueDims: string[]; valueAt: Map<number, string> } {
  const filters: Filters = [];
  const valueDims: string[] = [];
  const byDimension = new Map<string, string[]>();
  const valueAt = new Map<number, string>();
  const labels = new Set(catalog.label.values());
  for (const hit of wholeValues(tokens, values, catalog)) {
    let opt = pickOption(hit, named, catalog);
    if (!opt) continue;
    const optCube = opt.dimension.split('.')[0] as string;
    if (named.size && !named.has(optCube)) {
      // "COVID-19 vaccines": the words inside a value of the cube the question names beat the same
      // words as a whole value of another cube (the COVID-19 diagnosis).
      const copy = tokens.map((t) => ({ ...t }));
      const outside = new Set(tokens.flatMap((_, i) => (hit.at.includes(i) ? [] : [i])));
      const inside = partialValues(copy, values, outside, labels)
        .flatMap((h) => h.options)
        .filter((o) => named.has(o.dimension.split('.')[0] as string));
      if (inside[0]) opt = pickOption({ at: hit.at, options: inside }, named, catalog) ?? opt;
    }
    byDimension.set(opt.dimension, [...(byDimension.get(opt.dimension) ?? []), ...opt.values]);
    for (const i of hit.at) valueAt.set(i, opt.dimension);
    claim(tokens, hit.at);
  }
  for (const [dimension, vs] of byDimension) {
    // "men vs women": set the values side by side instead of filtering to both.
    if (compare && vs.length > 1) valueDims.push(dimension);
    else filters.push({ member: dimension, operator: 'equals', values: [...new Set(vs)] });
  }
  return { filters, valueDims, valueAt };
}

/** Tokens some member or cube phrase explains in full (they never stand for words inside values). */
export function explainedTokens(
  tokens: readonly Token[],
  catalog: PlannerCatalog,
  also: Iterable<number>,
): Set<number> {
  const explained = new Set<number>(also);
  const free = new Set(tokens.flatMap((t, i) => (t.content && !t.used ? [i] : [])));
  for (const e of catalog.entries) {
    const { covered } = phraseScore(tokens, e, free);
    if (covered.length === e.phrase.length) for (const i of covered) explained.add(i);
  }
  for (const hits of namedCubes(tokens, catalog, free).values()) for (const i of hits) explained.add(i);
  return explained;
}

/** Filters from words inside values ("diabetes", "insulin"), added to `filters`; words no usable dimension holds are released. */
export function partialValueFilters(
  tokens: Token[],
  values: ValueIndex,
  catalog: PlannerCatalog,
  named: ReadonlyMap<string, number[]>,
  explained: ReadonlySet<number>,
  filters: Filters,
): void {
  for (const hit of partialValues(tokens, values, explained, new Set(catalog.label.values()))) {
    const opt = pickOption(hit, named, catalog);
    if (!opt) {
      for (const i of hit.at) if (tokens[i]) (tokens[i] as Token).used = false;
      continue;
    }
    const existing = filters.find((f) => f.member === opt.dimension);
    if (existing) existing.values = [...new Set([...(existing.values ?? []), ...opt.values])];
    else filters.push({ member: opt.dimension, operator: 'equals', values: opt.values });
  }
}
