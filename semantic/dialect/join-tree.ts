import type { JoinDef, Relationship, SemanticModel } from '../compiler/index.ts';
import { JoinPathError } from '../errors.ts';

/** One way to walk from a cube to a neighbour, with the relationship seen from the walking side. */
export interface JoinEdge {
  to: string;
  relationship: Relationship;
  join: JoinDef;
}

export type JoinGraph = ReadonlyMap<string, readonly JoinEdge[]>;

/** A step of a join tree: `child` is joined to `parent` through `edge`. */
export interface JoinStep {
  parent: string;
  child: string;
  edge: JoinEdge;
}

const REVERSE: Record<Relationship, Relationship> = {
  many_to_one: 'one_to_many',
  one_to_many: 'many_to_one',
  one_to_one: 'one_to_one',
};

/**
 * The join graph over cubes `usable` allows. A join declared on A towards B can be walked both
 * ways; if B also declares one towards A, B's own declaration is used when walking from B.
 */
export function modelGraph(model: SemanticModel, usable: (cube: string) => boolean): JoinGraph {
  const graph = new Map<string, JoinEdge[]>();
  const add = (from: string, edge: JoinEdge) => {
    const list = graph.get(from) ?? [];
    if (!list.some((e) => e.to === edge.to)) list.push(edge);
    graph.set(from, list);
  };
  const cubes = [...model.cubes.values()].filter((c) => usable(c.name));
  for (const c of cubes)
    for (const j of c.joins)
      if (usable(j.to)) add(c.name, { to: j.to, relationship: j.relationship, join: j });
  for (const c of cubes) {
    for (const j of c.joins)
      if (usable(j.to)) add(j.to, { to: c.name, relationship: REVERSE[j.relationship], join: j });
  }
  return graph;
}

/** The graph of a view: only the joins its join paths name. */
export function viewGraph(
  model: SemanticModel,
  viewName: string,
  usable: (cube: string) => boolean,
): JoinGraph {
  const view = model.views.get(viewName)!;
  const full = modelGraph(model, usable);
  const graph = new Map<string, JoinEdge[]>();
  for (const { parent, child } of view.edges) {
    const down = full.get(parent)?.find((e) => e.to === child);
    const up = full.get(child)?.find((e) => e.to === parent);
    if (down) graph.set(parent, [...(graph.get(parent) ?? []), down]);
    if (up) graph.set(child, [...(graph.get(child) ?? []), up]);
  }
  return graph;
}

/**
 * The join tree from `root` reaching every cube in `targets`, along shortest paths. Two equally
 * short paths to a cube make the query ambiguous (the answer would depend on which is taken).
 */
export function joinTree(graph: JoinGraph, root: string, targets: Iterable<string>): JoinStep[] {
  const dist = new Map<string, number>([[root, 0]]);
  const paths = new Map<string, number>([[root, 1]]);
  const via = new Map<string, { parent: string; edge: JoinEdge }>();
  const order = [root];
  for (let i = 0; i < order.length; i++) {
    const at = order[i]!;
    for (const edge of graph.get(at) ?? []) {
      const d = dist.get(edge.to);
      if (d === undefined) {
        dist.set(edge.to, dist.get(at)! + 1);
        paths.set(edge.to, paths.get(at)!);
        via.set(edge.to, { parent: at, edge });
        order.push(edge.to);
      } else if (d === dist.get(at)! + 1) {
        paths.set(edge.to, Math.min(2, paths.get(edge.to)! + paths.get(at)!));
      }
    }
  }
  const needed = new Set<string>();
  for (const t of targets) {
    if (t === root) continue;
    if (!dist.has(t)) {
      throw new JoinPathError(
        'JOIN_PATH_NOT_FOUND',
        `There is no join path from ${root} to ${t} among the cubes you can use.`,
      );
    }
    if (paths.get(t)! > 1) {
      throw new JoinPathError(
        'JOIN_PATH_AMBIGUOUS',
        `There is more than one join path from ${root} to ${t}; query a view whose join_path picks one.`,
      );
    }
    for (let c = t; c !== root; c = via.get(c)!.parent) needed.add(c);
  }
  return order
    .filter((c) => needed.has(c))
    .map((c) => ({ parent: via.get(c)!.parent, child: c, edge: via.get(c)!.edge }));
}

/** Whether joining the tree can repeat rows of the root cube (a one_to_many step anywhere). */
export function multipliesRoot(tree: readonly JoinStep[]): boolean {
  return tree.some((s) => s.edge.relationship === 'one_to_many');
}
