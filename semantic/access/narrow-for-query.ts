import type { SemanticModel } from '../compiler/index.ts';
import { combineRows } from './evaluate-access.ts';
import { autoMask } from './protected-columns.ts';
import type { AccessScope, AppliedPolicy, EntityAccess, MemberAccess } from './types.ts';

/** The members a query uses, by the cube or view that owns them (`owner` -> member names). */
export type QueryMembers = Map<string, Set<string>>;

/**
 * Every member a Cube REST query names (measures, dimensions, time dimensions, filters at any
 * depth, segments, order), grouped by owner. Names that are not `owner.member` are left out (the
 * query's own validation reports them).
 *
 * @example queryMembers({ measures: ['orders.count'] }) // Map { 'orders' => Set { 'count' } }
 */
export function queryMembers(query: unknown): QueryMembers {
  const out: QueryMembers = new Map();
  const add = (name: unknown) => {
    if (typeof name !== 'string') return;
    const parts = name.split('.');
    if (parts.length < 2) return;
    const [owner, member] = parts as [string, string];
    const set = out.get(owner) ?? new Set<string>();
    set.add(member);
    out.set(owner, set);
  };
  const walk = (f: unknown) => {
    if (!f || typeof f !== 'object') return;
    const o = f as Record<string, unknown>;
    add(o.member);
    add(o.dimension);
    for (const k of ['and', 'or'] as const) if (Array.isArray(o[k])) for (const x of o[k]) walk(x);
  };
  if (!query || typeof query !== 'object') return out;
  const q = query as Record<string, unknown>;
  for (const k of ['measures', 'dimensions', 'segments'] as const)
    if (Array.isArray(q[k])) for (const n of q[k]) add(n);
  if (Array.isArray(q.timeDimensions)) for (const td of q.timeDimensions) walk(td);
  if (Array.isArray(q.filters)) for (const f of q.filters) walk(f);
  if (Array.isArray(q.order)) for (const o of q.order) add(Array.isArray(o) ? o[0] : undefined);
  else if (q.order && typeof q.order === 'object') for (const k of Object.keys(q.order)) add(k);
  return out;
}

const RANK: Record<MemberAccess, number> = { full: 0, masked: 1, hidden: 2 };

/**
 * The caller's access for one query, Cube's way: for each cube or view the query uses, only the
 * matching policies that cover every member the query uses of it apply (a policy without
 * `member_level` covers all; a masked member counts as covered). Their row filters combine as in
 * `combineRows`; when none covers, the query sees no rows of that entity (Cube answers empty).
 * A cube reached through a view the query uses is governed by the view for its members: all its
 * matching policies apply, for rows only.
 *
 * Stricter than Cube on one point: a member used in the query is returned in full only when a
 * covering policy that grants it in full lets every row through, or every covering policy grants
 * it in full; otherwise it is masked on every row (Cube masks row by row).
 *
 * The result is never wider than `scope` on members (states only get stricter).
 */
export function narrowForQuery(model: SemanticModel, scope: AccessScope, named: QueryMembers): AccessScope {
  const used = withReferences(model, named);
  const cubes = new Map(scope.cubes);
  const views = new Map(scope.views);
  for (const [owner, members] of used) {
    const view = model.views.get(owner);
    const base = view ? scope.views.get(owner) : scope.cubes.get(owner);
    if (!base?.allowed || base.applied === null) continue;
    const narrowed = narrowEntity(base, [...members]);
    if (view) views.set(owner, narrowed);
    else {
      const cube = model.cubes.get(owner);
      // Column protection again only when this query masks more than the caller's base access
      // (the base already went through it; running it twice would mask what reads its own masks).
      const stricter = [...members].some((m) => narrowed.members.get(m) !== base.members.get(m));
      if (cube && stricter && base.applied.some((p) => p.protectColumns)) autoMask(cube, narrowed);
      cubes.set(owner, narrowed);
    }
  }
  // Cubes under a view the query uses keep every matching policy, for rows: their `rowFilter` as is.
  return { cubes, views };
}

/**
 * The members a query uses, with every cube member their SQL references, transitively (Cube counts
 * them too: a measure `{patients.count} / {count}` uses patients.count). A referenced member
 * counts for the policies of its own cube, so a measure cannot reach rows of another cube that the
 * policies covering what it reads there would not give.
 */
function withReferences(model: SemanticModel, named: QueryMembers): QueryMembers {
  const out: QueryMembers = new Map([...named].map(([k, v]) => [k, new Set(v)]));
  const stack: Array<[string, string]> = [];
  for (const [owner, members] of named)
    if (model.cubes.has(owner)) for (const m of members) stack.push([owner, m]);
  while (stack.length) {
    const [c, m] = stack.pop()!;
    const cube = model.cubes.get(c);
    if (!cube) continue;
    const measure = cube.measures.get(m);
    const templates = [
      cube.dimensions.get(m)?.sql,
      measure?.sql,
      ...(measure?.filters ?? []),
      cube.segments.get(m)?.sql,
    ];
    for (const t of templates)
      for (const part of t ?? []) {
        if (part.t !== 'member') continue;
        const set = out.get(part.cube) ?? new Set<string>();
        if (set.has(part.member)) continue;
        set.add(part.member);
        out.set(part.cube, set);
        stack.push([part.cube, part.member]);
      }
  }
  return out;
}

function narrowEntity(base: EntityAccess, members: string[]): EntityAccess {
  const applied = base.applied!;
  const covering = applied.filter((p) => members.every((m) => p.grants(m) !== null));
  // No policy covers the query: Cube answers no rows (not an error).
  if (covering.length === 0) return { ...base, rowFilter: { deny: true } };
  const states = new Map(base.members);
  for (const m of members) {
    const computed = memberState(covering, m);
    const before = states.get(m) ?? 'hidden';
    states.set(m, RANK[computed] > RANK[before] ? computed : before);
  }
  return {
    ...base,
    rowFilter: combineRows(covering),
    members: states,
    blockedSegments: new Set(base.blockedSegments),
    // Never below the caller's base (a view's base already holds its cubes' suppression).
    minGroupSize: Math.max(base.minGroupSize, Math.min(...covering.map((p) => p.minGroupSize))),
  };
}

function memberState(covering: readonly AppliedPolicy[], m: string): MemberAccess {
  const full = covering.filter((p) => p.grants(m) === 'full');
  if (full.length === covering.length || full.some((p) => p.rowFilter === null)) return 'full';
  return 'masked';
}
