import { type CubeDef, rawColumns, type SqlTemplate } from '../compiler/index.ts';
import type { EntityAccess } from './types.ts';

const COUNTS = new Set(['count', 'count_distinct', 'count_distinct_approx']);

/**
 * Close the side doors around masked and hidden members. A member the caller sees in full but
 * whose SQL reads, directly, a column that a masked or hidden member reads could reveal that
 * column (`max(birthdate)`, `avg(lat)` grouped by patient, a segment on SSN). Such dimensions
 * and measures are masked too, and such segments are blocked. Counts may read the column in their
 * `sql` (a count reveals nothing of the value) but not in their filters. References to masked
 * members are safe: they render as the mask.
 */
export function autoMask(cube: CubeDef, access: EntityAccess): void {
  if (!access.allowed) return;
  const state = (m: string) => access.members.get(m) ?? 'hidden';
  const memo = new Map<string, Set<string>>();
  // Columns a dimension or measure reads, following references that are not masked.
  const reads = (name: string, all: boolean): Set<string> => {
    const key = `${name}\u0000${all}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const out = new Set<string>();
    memo.set(key, out);
    const dim = cube.dimensions.get(name);
    const measure = cube.measures.get(name);
    const add = (tpl: SqlTemplate | undefined) => {
      if (!tpl) return;
      for (const c of rawColumns(tpl)) out.add(c);
      for (const p of tpl) {
        // Another cube's member (`{users.city}`) renders as that cube's caller sees it.
        if (p.t === 'member' && p.cube === cube.name && (all || state(p.member) !== 'masked'))
          for (const c of reads(p.member, all)) out.add(c);
      }
    };
    if (dim) add(dim.sql);
    if (measure) {
      // A count reveals nothing of the values it counts (only its filters can): a measure built
      // on one (`{count} / {distinct_patients}`) does not read the counted column either.
      if (all || !COUNTS.has(measure.type)) add(measure.sql);
      for (const f of measure.filters) add(f);
    }
    return out;
  };
  const guarded = new Set<string>();
  for (const name of [...cube.dimensions.keys(), ...cube.measures.keys()]) {
    // Members hidden because they read other rows (`pinned`) guard no column: their columns are not secret.
    if (state(name) !== 'full' && !access.pinned.has(name)) for (const c of reads(name, true)) guarded.add(c);
  }
  if (guarded.size === 0) return;
  const touches = (cols: Iterable<string>) => [...cols].some((c) => guarded.has(c));
  for (const dim of cube.dimensions.values()) {
    if (state(dim.name) === 'full' && touches(reads(dim.name, false))) access.members.set(dim.name, 'masked');
  }
  for (const m of cube.measures.values()) {
    if (state(m.name) !== 'full') continue;
    let cols: Set<string>;
    if (COUNTS.has(m.type)) {
      cols = new Set<string>();
      for (const f of m.filters) {
        for (const c of rawColumns(f)) cols.add(c);
        for (const p of f)
          if (p.t === 'member' && state(p.member) !== 'masked')
            for (const c of reads(p.member, false)) cols.add(c);
      }
    } else cols = reads(m.name, false);
    if (touches(cols)) access.members.set(m.name, 'masked');
  }
  for (const seg of cube.segments.values()) {
    const cols = new Set(rawColumns(seg.sql));
    for (const p of seg.sql)
      if (p.t === 'member' && state(p.member) !== 'masked')
        for (const c of reads(p.member, false)) cols.add(c);
    if (touches(cols)) access.blockedSegments.add(seg.name);
  }
}
