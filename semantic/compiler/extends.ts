import type { ModelReader } from './reader.ts';
import type { LNode } from './yaml-nodes.ts';

type MapNode = Extract<LNode, { kind: 'map' }>;

/**
 * List keys merged item by item (by `name`) instead of replaced. A view's `cubes` are appended to
 * the base's, as Cube does (the same join_path may then bring more members of that cube).
 */
const MERGED_LISTS: Record<string, string | null> = {
  dimensions: 'name',
  measures: 'name',
  segments: 'name',
  joins: 'name',
  pre_aggregations: 'name',
  hierarchies: 'name',
  folders: 'name',
  cubes: null,
};

/**
 * Cube's `extends` for cubes and views: the definition starts from the one it extends (itself
 * resolved first), its own keys replace the base's, and member lists are merged by name (its own
 * member of a name replaces the base's). `{CUBE}` in an inherited member is the extending cube.
 * Returns the node to read, or undefined after reporting a problem (unknown base, a cycle).
 *
 * @example cubes: [{ name: base_orders, … }, { name: orders, extends: base_orders, sql_table: orders }]
 */
export function resolveExtends(
  node: LNode,
  bases: ReadonlyMap<string, LNode>,
  r: ModelReader,
  path: string,
  seen: readonly string[] = [],
): LNode | undefined {
  if (node.kind !== 'map') return node;
  const ext = node.entries.get('extends');
  if (!ext) return node;
  const name = ext.kind === 'scalar' && typeof ext.value === 'string' ? ext.value.trim() : undefined;
  if (!name) {
    r.error(ext, `${path}.extends`, 'names the cube or view to extend');
    return undefined;
  }
  const own = node.entries.get('name');
  const ownName = own?.kind === 'scalar' ? String(own.value) : '';
  if (seen.includes(name) || name === ownName) {
    r.error(ext, `${path}.extends`, `extends ${name} in a cycle (${[...seen, ownName, name].join(' -> ')})`);
    return undefined;
  }
  const baseNode = bases.get(name);
  if (!baseNode) {
    r.error(ext, `${path}.extends`, `there is no cube or view ${name} to extend`);
    return undefined;
  }
  const base = resolveExtends(baseNode, bases, r, path, [...seen, ownName]);
  if (base?.kind !== 'map') return undefined;
  return merge(base, node);
}

function merge(base: MapNode, own: MapNode): MapNode {
  const entries = new Map(base.entries);
  const keyLines = new Map(base.keyLines);
  entries.delete('extends');
  keyLines.delete('extends');
  // A cube's source is one thing: its own `sql` or `sql_table` replaces either of the base's.
  if (own.entries.has('sql') || own.entries.has('sql_table'))
    for (const k of ['sql', 'sql_table']) {
      entries.delete(k);
      keyLines.delete(k);
    }
  for (const [key, value] of own.entries) {
    if (key === 'extends') continue;
    const by = MERGED_LISTS[key];
    const prior = entries.get(key);
    const lists = by !== undefined && prior?.kind === 'seq' && value.kind === 'seq';
    entries.set(
      key,
      !lists
        ? value
        : by === null
          ? { ...value, items: [...prior.items, ...value.items] }
          : mergeList(prior, value, by),
    );
    keyLines.set(key, own.keyLines.get(key) ?? own.line);
  }
  return { kind: 'map', line: own.line, entries, keyLines };
}

function mergeList(base: Extract<LNode, { kind: 'seq' }>, own: Extract<LNode, { kind: 'seq' }>, by: string) {
  const keyOf = (n: LNode) => {
    const k = n.kind === 'map' ? n.entries.get(by) : undefined;
    return k?.kind === 'scalar' ? String(k.value) : undefined;
  };
  const ownKeys = new Set(own.items.map(keyOf).filter((k) => k !== undefined));
  const items = [...base.items.filter((n) => !ownKeys.has(keyOf(n) ?? '\u0000')), ...own.items];
  return { ...own, items };
}
