// Cube's `pre_aggregations` (type rollup). A rollup only ever makes queries cheaper: it never
// decides what a caller may see, so a problem in one is a warning that leaves that rollup out
// (queries read the lake), never an error that would take its cube down.
import type { PreAggregationDef } from './model-types.ts';
import type { ModelReader } from './reader.ts';
import type { LNode } from './yaml-nodes.ts';

const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
const KEYS = [
  'name',
  'type',
  'measures',
  'dimensions',
  'time_dimension',
  'granularity',
  'partition_granularity',
  'refresh_key',
];

/** `count`, `CUBE.count`, `{CUBE}.count`, `{count}` or `orders.count` as `cube.member`. */
export function preAggregationMember(cube: string, ref: string): string {
  const t = ref.trim().replace(/^\{|\}$/g, '');
  const plain = t.replace(/^\{?CUBE\}?\./, `${cube}.`);
  return plain.includes('.') ? plain : `${cube}.${plain}`;
}

/** Read a cube's `pre_aggregations` list; what cannot be used is reported as a warning. */
export function readPreAggregations(
  r: ModelReader,
  cube: string,
  node: LNode | undefined,
  path: string,
): PreAggregationDef[] {
  const out: PreAggregationDef[] = [];
  if (!node || (node.kind === 'scalar' && node.value === null)) return out;
  const warn = (line: number, p: string, message: string) =>
    r.warnings.push({ file: r.file, line, path: p, message });
  if (node.kind !== 'seq') {
    warn(node.line, path, 'ignored: must be a list of pre-aggregations');
    return out;
  }
  for (const [i, item] of node.items.entries()) {
    if (item.kind !== 'map') {
      warn(item.line, `${path}[${i}]`, 'ignored: must be a mapping');
      continue;
    }
    const text = (key: string) => {
      const v = item.entries.get(key);
      return v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
    };
    const name = text('name');
    const p = name ? `${path}.${name}` : `${path}[${i}]`;
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      warn(item.line, p, 'ignored: a pre-aggregation needs a name (letters, digits, _)');
      continue;
    }
    const type = text('type') ?? 'rollup';
    if (type !== 'rollup') {
      warn(item.line, `${p}.type`, `ignored: type ${type} is not built (rollup is)`);
      continue;
    }
    for (const key of item.keyLines.keys())
      if (!KEYS.includes(key))
        warn(item.keyLines.get(key)!, `${p}.${key}`, `ignored: ${key} has no effect on rollups here`);
    const list = (key: string): string[] | null => {
      const v = item.entries.get(key);
      if (!v || (v.kind === 'scalar' && v.value === null)) return [];
      if (v.kind !== 'seq' || v.items.some((x) => x.kind !== 'scalar' || typeof x.value !== 'string')) {
        warn(v.line, `${p}.${key}`, 'ignored rollup: must be a list of member names');
        return null;
      }
      return v.items.map((x) => preAggregationMember(cube, String((x as { value: string }).value)));
    };
    const measures = list('measures');
    const dimensions = list('dimensions');
    if (measures === null || dimensions === null) continue;
    const time = text('time_dimension');
    const granularity = text('granularity')?.toLowerCase();
    const partition = text('partition_granularity')?.toLowerCase();
    if ((time === undefined) !== (granularity === undefined)) {
      warn(item.line, p, 'ignored rollup: time_dimension and granularity go together');
      continue;
    }
    for (const [key, g] of [
      ['granularity', granularity],
      ['partition_granularity', partition],
    ] as const)
      if (g !== undefined && !GRANULARITIES.includes(g)) {
        warn(item.line, `${p}.${key}`, `ignored rollup: "${g}" is not a granularity`);
      }
    if (partition !== undefined && time === undefined) {
      warn(item.line, `${p}.partition_granularity`, 'ignored rollup: partitions need a time_dimension');
      continue;
    }
    const refresh = item.entries.get('refresh_key');
    let every: string | undefined;
    if (refresh?.kind === 'map') {
      const e = refresh.entries.get('every');
      if (e?.kind === 'scalar' && e.value !== null) every = String(e.value);
      if (refresh.entries.has('sql'))
        warn(refresh.line, `${p}.refresh_key.sql`, 'ignored: rollups are refreshed after each sync');
    }
    out.push({
      name,
      measures,
      dimensions,
      timeDimension: time === undefined ? undefined : preAggregationMember(cube, time),
      granularity,
      partitionGranularity: partition,
      refreshEvery: every,
      line: item.line,
    });
  }
  return out;
}
