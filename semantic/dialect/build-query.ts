import type { CubeDef } from '../compiler/index.ts';
import { SemanticError } from '../errors.ts';
import type { PlannedFilter, PlannedQuery } from '../query/index.ts';
import {
  type JoinGraph,
  type JoinStep,
  joinTree,
  modelGraph,
  multipliesRoot,
  viewGraph,
} from './join-tree.ts';
import { MemberRenderer, type RenderEnv } from './member-renderer.ts';
import { type BoundValue, ParamCollector } from './params.ts';
import { renderLeaf } from './render-filter.ts';

/** SQL for one query: the statement, its bound values, and the row count statement for `total`. */
export interface CompiledQuery {
  sql: string;
  params: BoundValue[];
  /** `SELECT count(*)` over the same rows, without limit and offset (only when `total` was asked). */
  totalSql?: string | undefined;
  /** The values `totalSql` binds (those of `sql` without limit and offset). */
  totalParams: BoundValue[];
  /** The keys of the returned columns, in order, with the member type. */
  columns: Array<{ key: string; type: 'number' | 'string' | 'time' | 'boolean' }>;
}

/** Cubes the lake cannot serve are left out of join paths. */
export interface BuildEnv extends RenderEnv {
  unavailable: ReadonlyMap<string, string>;
}

/**
 * Turn a planned query into one SQL statement. Measures of each cube are aggregated at the
 * requested grain on their own, then joined on the dimensions: rows repeated by a one_to_many
 * join are never counted twice (such a cube is aggregated over its distinct primary keys).
 */
export function buildQuery(pq: PlannedQuery, env: BuildEnv): CompiledQuery {
  const d = env.dialect;
  const q = (s: string) => d.quote(s);
  const params = new ParamCollector(d);
  const r = new MemberRenderer(env, params, pq.timezone, pq.view);
  const usable = (c: string) => !env.unavailable.has(c) && env.scope.cubes.get(c)?.allowed === true;
  const graph: JoinGraph = pq.view ? viewGraph(env.model, pq.view, usable) : modelGraph(env.model, usable);

  const dimCubes = new Set<string>(pq.dimensions.map((x) => x.cube));
  const walk = (f: PlannedFilter) => {
    if ('leaf' in f) dimCubes.add(f.leaf.cube);
    else if ('and' in f) f.and.forEach(walk);
    else if ('or' in f) f.or.forEach(walk);
  };
  pq.dimensionFilters.forEach(walk);
  for (const s of pq.segments) dimCubes.add(s.cube);

  const dimSelect = pq.dimensions.map((x) => `${r.plannedDimension(x)} AS ${q(x.key)}`);
  const conditions = [
    ...pq.dimensionFilters.map((f) =>
      filterSql(f, r, (leaf) => r.dimension(leaf.cube, leaf.member, leaf.raw === true)),
    ),
    ...pq.segments.map((s) => `(${r.segment(s.cube, s.member)})`),
  ];
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  const from = (root: string, tree: JoinStep[]) =>
    [r.relation(root), ...tree.map((s) => `LEFT JOIN ${r.relation(s.child)} ON ${joinCondition(r, s)}`)].join(
      ' ',
    );
  const groupBy = (n: number) =>
    n ? ` GROUP BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}` : '';
  const measureCubes = [...new Set(pq.measures.map((m) => m.cube))];

  let inner: string;
  if (pq.ungrouped || measureCubes.length === 0) {
    const root = measureCubes[0] ?? pq.dimensions[0]?.cube ?? [...dimCubes][0]!;
    const tree = joinTree(graph, root, new Set([...dimCubes, ...measureCubes]));
    const measureSelect = pq.measures.map((m) => `${r.measure(m.cube, m.member, false)} AS ${q(m.key)}`);
    inner = `SELECT ${[...dimSelect, ...measureSelect].join(', ')} FROM ${from(root, tree)}${where}${pq.ungrouped ? '' : groupBy(dimSelect.length)}`;
  } else {
    const subs = measureCubes.map((cube) => {
      const measures = pq.measures.filter((m) => m.cube === cube);
      const measureSelect = measures.map((m) => `${r.measure(cube, m.member, true)} AS ${q(m.key)}`);
      const tree = joinTree(graph, cube, dimCubes);
      if (!multipliesRoot(tree)) {
        return {
          measures,
          sql: `SELECT ${[...dimSelect, ...measureSelect].join(', ')} FROM ${from(cube, tree)}${where}${groupBy(dimSelect.length)}`,
        };
      }
      const keys = primaryKeys(r.cube(cube));
      const keySelect = keys.map((k, i) => `${r.rawDimension(cube, k)} AS ${q(`__pk${i}`)}`);
      const keysSql = `SELECT DISTINCT ${[...dimSelect, ...keySelect].join(', ')} FROM ${from(cube, tree)}${where}`;
      const on = keys
        .map((k, i) => `${q('__keys')}.${q(`__pk${i}`)} = ${r.rawDimension(cube, k)}`)
        .join(' AND ');
      const outerDims = pq.dimensions.map((x) => `${q('__keys')}.${q(x.key)}`);
      return {
        measures,
        sql: `SELECT ${[...outerDims, ...measureSelect].join(', ')} FROM (${keysSql}) AS ${q('__keys')} JOIN ${r.relation(cube)} ON ${on}${groupBy(outerDims.length)}`,
      };
    });
    if (subs.length === 1) inner = subs[0]!.sql;
    else {
      const dimKeys = pq.dimensions.map((x) => q(x.key));
      const unions = subs.map((s) => {
        const cols = pq.measures.map((m) => (s.measures.includes(m) ? q(m.key) : `NULL AS ${q(m.key)}`));
        return `SELECT ${[...dimKeys, ...cols].join(', ')} FROM (${s.sql}) AS ${q('__part')}`;
      });
      const merged = pq.measures.map((m) => `max(${q(m.key)}) AS ${q(m.key)}`);
      inner = `SELECT ${[...dimKeys, ...merged].join(', ')} FROM (${unions.join(' UNION ALL ')}) AS ${q('__parts')}${groupBy(dimKeys.length)}`;
    }
  }

  const qa = q('__q');
  const having = pq.measureFilters.map((f) => filterSql(f, r, (leaf) => `${qa}.${q(leaf.key)}`));
  const outerWhere = having.length ? ` WHERE ${having.join(' AND ')}` : '';
  const columns: CompiledQuery['columns'] = [
    ...pq.dimensions.map((x) => ({ key: x.key, type: x.type })),
    ...pq.measures.filter((m) => m.output).map((m) => ({ key: m.key, type: 'number' as const })),
  ];
  const outputs = columns.map((c) =>
    c.type === 'time' ? `${d.formatTimestamp(`${qa}.${q(c.key)}`)} AS ${q(c.key)}` : `${qa}.${q(c.key)}`,
  );
  const order = pq.order.length
    ? ` ORDER BY ${pq.order.map((o) => `${q(o.key)} ${o.desc ? 'DESC' : 'ASC'}`).join(', ')}`
    : '';
  const totalSql = pq.total
    ? `SELECT count(*) AS ${q('total')} FROM (${inner}) AS ${qa}${outerWhere}`
    : undefined;
  const totalParams = params.values.slice();
  const limit = d.limitClause(params.add(pq.limit), params.add(pq.offset));
  const sql = `SELECT ${outputs.join(', ')} FROM (${inner}) AS ${qa}${outerWhere}${order} ${limit}`;
  return { sql, params: params.values, totalSql, totalParams, columns };
}

function joinCondition(r: MemberRenderer, s: JoinStep): string {
  return r.joinSql(s.edge.join);
}

function primaryKeys(cube: CubeDef): string[] {
  if (cube.primaryKeys.length === 0) {
    throw new SemanticError(
      'PRIMARY_KEY_REQUIRED',
      `Cube ${cube.name} needs a primary_key dimension: its measures are combined with a one_to_many join, and counting them correctly needs each row's key.`,
      { exitCode: 2 },
    );
  }
  return cube.primaryKeys;
}

function filterSql(
  f: PlannedFilter,
  r: MemberRenderer,
  target: (leaf: Extract<PlannedFilter, { leaf: unknown }>['leaf']) => string,
): string {
  if ('deny' in f) return 'FALSE';
  if ('and' in f)
    return f.and.length ? `(${f.and.map((x) => filterSql(x, r, target)).join(' AND ')})` : 'TRUE';
  if ('or' in f) return f.or.length ? `(${f.or.map((x) => filterSql(x, r, target)).join(' OR ')})` : 'FALSE';
  const leaf = f.leaf;
  return renderLeaf(
    { sql: target(leaf), type: leaf.type },
    leaf.operator,
    leaf.values,
    r.params,
    r.env.dialect,
  );
}
