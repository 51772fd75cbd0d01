import type { MetaCube, MetaMember } from '../../semantic/index.ts';

export type ModelMatchKind = 'cube' | 'view' | 'measure' | 'dimension' | 'segment' | 'verified_query';

/** One thing of the caller's visible model that matched a search. */
export interface ModelMatch {
  kind: ModelMatchKind;
  name: string;
  title: string;
  description?: string;
  type?: string;
  cube?: string;
  query?: Record<string, unknown>;
}

interface Candidate {
  match: ModelMatch;
  /** Text the words are looked for in, lower case: name, title, description, synonyms. */
  text: string;
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);

function synonyms(meta: Record<string, unknown> | undefined): string[] {
  const s = meta?.synonyms;
  return Array.isArray(s) ? s.map(String) : [];
}

function memberCandidate(kind: ModelMatchKind, cube: MetaCube, m: MetaMember): Candidate {
  const match: ModelMatch = {
    kind,
    name: m.name,
    title: m.title,
    cube: cube.name,
    ...(m.description ? { description: m.description } : {}),
    ...(kind === 'segment' ? {} : { type: String(m.aggType ?? m.type) }),
  };
  return {
    match,
    text: [m.name.replace(/[._]/g, ' '), m.title, m.description ?? '', ...synonyms(m.meta)]
      .join(' ')
      .toLowerCase(),
  };
}

/**
 * Search the caller's visible model (from `meta(ctx)`, so hidden cubes and members never appear):
 * cubes, views, measures, dimensions, segments and the verified queries cubes carry
 * (`meta.examples`: a question and the semantic query that answers it). Ranked by how many of the
 * query's words each matches, then by kind (cubes first) and name.
 *
 * @example searchModel(meta.cubes, { query: 'readmission rate' }) // [{ kind: 'measure', name: 'encounters.readmission_rate_30d', … }, …]
 */
export function searchModel(
  cubes: readonly MetaCube[],
  args: { query: string; kinds?: readonly ModelMatchKind[] | undefined; limit?: number | undefined },
): ModelMatch[] {
  const wanted = new Set<ModelMatchKind>(
    args.kinds?.length ? args.kinds : ['cube', 'view', 'measure', 'dimension', 'segment', 'verified_query'],
  );
  const candidates: Candidate[] = [];
  for (const cube of cubes) {
    const kind = cube.type === 'view' ? 'view' : 'cube';
    candidates.push({
      match: {
        kind,
        name: cube.name,
        title: cube.title,
        ...(cube.description ? { description: cube.description } : {}),
      },
      text: [cube.name, cube.title, cube.description ?? '', ...synonyms(cube.meta)].join(' ').toLowerCase(),
    });
    for (const m of cube.measures) candidates.push(memberCandidate('measure', cube, m));
    for (const d of cube.dimensions) candidates.push(memberCandidate('dimension', cube, d));
    for (const s of cube.segments) candidates.push(memberCandidate('segment', cube, s));
    const examples = Array.isArray(cube.meta?.examples) ? cube.meta.examples : [];
    for (const ex of examples as Array<{ question?: unknown; query?: unknown }>) {
      if (typeof ex.question !== 'string' || !ex.query || typeof ex.query !== 'object') continue;
      candidates.push({
        match: {
          kind: 'verified_query',
          name: `${cube.name}: ${ex.question}`,
          title: ex.question,
          cube: cube.name,
          query: ex.query as Record<string, unknown>,
        },
        text: ex.question.toLowerCase(),
      });
    }
  }
  const terms = words(args.query);
  const order: ModelMatchKind[] = ['cube', 'view', 'measure', 'dimension', 'segment', 'verified_query'];
  return candidates
    .filter((c) => wanted.has(c.match.kind))
    .map((c) => ({ c, score: terms.filter((t) => c.text.includes(t)).length }))
    .filter((x) => x.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        order.indexOf(a.c.match.kind) - order.indexOf(b.c.match.kind) ||
        a.c.match.name.localeCompare(b.c.match.name),
    )
    .slice(0, args.limit ?? 20)
    .map((x) => x.c.match);
}
