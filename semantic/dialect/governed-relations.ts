import { dimensionCubeRefs } from '../compiler/index.ts';
import type { PlannedFilter } from '../query/index.ts';
import type { BuildEnv } from './build-query.ts';
import { joinTree, viewGraph } from './join-tree.ts';
import { MemberRenderer } from './member-renderer.ts';
import { ParamCollector } from './params.ts';
import { renderLeaf } from './render-filter.ts';

/** A cube or view as one caller may see it in SQL: a SELECT with rows filtered and columns masked. */
export interface GovernedRelation {
  /** A SELECT over the lake (tables as lake.main."t"); values are inlined as quoted literals. */
  sql: string;
  /** Always empty: values are inlined so relations can be embedded side by side (e.g. as CTEs). */
  params: unknown[];
  /** Columns = the dimensions the caller may see, named as the dimensions; masked ones return their mask. */
  columns: Array<{ name: string; type: string; masked: boolean }>;
  /** Whether a row policy (of the cube, a joined cube or the view) removes rows for this caller. */
  rowsFiltered: boolean;
}

/**
 * Every cube and view the caller may query, as governed SQL relations: the row policies of each
 * cube (also of cubes a view joins through) are applied, hidden dimensions are left out and
 * masked dimensions return their mask. Measures are not columns: aggregate the columns instead.
 */
export function governedRelations(env: BuildEnv): Map<string, GovernedRelation> {
  const out = new Map<string, GovernedRelation>();
  const d = env.dialect;
  const usable = (c: string) => !env.unavailable.has(c) && env.scope.cubes.get(c)?.allowed === true;
  for (const cube of env.model.cubes.values()) {
    if (!usable(cube.name) || !cube.public) continue;
    const r = new MemberRenderer(env, new ParamCollector(d, true), 'UTC', null);
    const columns: GovernedRelation['columns'] = [];
    const select: string[] = [];
    for (const dim of cube.dimensions.values()) {
      const state = r.state(cube.name, dim.name);
      // A dimension reading another cube's (`{users.city}`) needs a join: only in views' relations.
      if (state === 'hidden' || !dim.public || dimensionCubeRefs(env.model, cube.name, dim.name).size > 0)
        continue;
      const v = r.visibleDimension(cube.name, dim.name);
      select.push(`${v.sql} AS ${d.quote(dim.name)}`);
      columns.push({ name: dim.name, type: v.type ?? 'VARCHAR', masked: state === 'masked' });
    }
    if (select.length === 0) continue;
    out.set(cube.name, {
      sql: `SELECT ${select.join(', ')} FROM ${r.relation(cube.name)}`,
      params: [],
      columns,
      rowsFiltered: r.filtersRows(cube.name),
    });
  }
  for (const view of env.model.views.values()) {
    const access = env.scope.views.get(view.name);
    if (!access?.allowed || !view.public || !usable(view.root)) continue;
    const r = new MemberRenderer(env, new ParamCollector(d, true), 'UTC', view.name);
    const members = [...view.members.values()].filter(
      (vm) =>
        vm.kind === 'dimension' && usable(vm.cube) && (access.members.get(vm.name) ?? 'hidden') !== 'hidden',
    );
    if (members.length === 0) continue;
    let tree: ReturnType<typeof joinTree>;
    try {
      tree = joinTree(
        viewGraph(env.model, view.name, usable),
        view.root,
        members.flatMap((m) => [m.cube, ...dimensionCubeRefs(env.model, m.cube, m.member)]),
      );
    } catch {
      continue;
    }
    const columns: GovernedRelation['columns'] = [];
    const select = members.map((vm) => {
      const v = r.visibleDimension(vm.cube, vm.member);
      columns.push({
        name: vm.name,
        type: v.type ?? 'VARCHAR',
        masked: r.state(vm.cube, vm.member) === 'masked',
      });
      return `${v.sql} AS ${d.quote(vm.name)}`;
    });
    const from = [
      r.relation(view.root),
      ...tree.map((s) => `LEFT JOIN ${r.relation(s.child)} ON ${r.joinSql(s.edge.join)}`),
    ].join(' ');
    let where = '';
    if (access.rowFilter) {
      const f = viewFilter(access.rowFilter, view.name, env);
      where = ` WHERE ${renderPlanned(f, r)}`;
    }
    const rowsFiltered =
      access.rowFilter !== null || [view.root, ...tree.map((s) => s.child)].some((c) => r.filtersRows(c));
    out.set(view.name, {
      sql: `SELECT ${select.join(', ')} FROM ${from}${where}`,
      params: [],
      columns,
      rowsFiltered,
    });
  }
  return out;
}

function viewFilter(
  f: NonNullable<ReturnType<BuildEnv['scope']['views']['get']>>['rowFilter'] & object,
  view: string,
  env: BuildEnv,
): PlannedFilter {
  if ('deny' in f) return { deny: true };
  if ('and' in f) return { and: f.and.map((x) => viewFilter(x, view, env)) };
  if ('or' in f) return { or: f.or.map((x) => viewFilter(x, view, env)) };
  const vm = env.model.views.get(view)!.members.get(f.member);
  // A split view keeps its parent's policies: a row filter on a member it lacks lets no row through.
  if (!vm) return { deny: true };
  const type = env.model.cubes.get(vm.cube)!.dimensions.get(vm.member)!.type;
  return {
    leaf: {
      key: f.member,
      cube: vm.cube,
      member: vm.member,
      kind: 'dimension',
      type,
      operator: f.operator,
      values: f.values,
      raw: true,
    },
  };
}

function renderPlanned(f: PlannedFilter, r: MemberRenderer): string {
  if ('deny' in f) return 'FALSE';
  if ('and' in f) return f.and.length ? `(${f.and.map((x) => renderPlanned(x, r)).join(' AND ')})` : 'TRUE';
  if ('or' in f) return f.or.length ? `(${f.or.map((x) => renderPlanned(x, r)).join(' OR ')})` : 'FALSE';
  const l = f.leaf;
  return renderLeaf(
    { sql: r.dimension(l.cube, l.member, true), type: l.type },
    l.operator,
    l.values,
    r.params,
    r.env.dialect,
  );
}
