import { titleize } from './compile-cube.ts';
import { readPolicies } from './compile-policy.ts';
import type { CubeDef, ViewDef, ViewMember } from './model-types.ts';
import type { ModelReader } from './reader.ts';
import type { LNode } from './yaml-nodes.ts';

interface RawViewCube {
  path: string[];
  includes: Array<{ name: string; alias?: string | undefined; title?: string | undefined }> | '*';
  excludes: string[];
  prefix: boolean;
  alias?: string | undefined;
  /** `split: true`: the members go to a view of their own, `<view>_<alias or cube>` (as Cube). */
  split: boolean;
  line: number;
}

/** A view as read, resolved against the cubes once every file is read. */
export interface RawView {
  def: ViewDef;
  cubes: RawViewCube[];
  reader: ModelReader;
  line: number;
}

/** Read one view definition (members are resolved later by `resolveView`). */
export function readView(r: ModelReader, node: LNode, path: string): RawView | undefined {
  const m = r.map(
    node,
    path,
    ['name', 'title', 'description', 'meta', 'public', 'shown', 'cubes', 'access_policy', 'folders'],
    {
      measures: 'members defined on views; define them on a cube and include them',
      dimensions: 'members defined on views; define them on a cube and include them',
    },
  );
  const name = m && r.name(m.get('name'), `${path}.name`);
  if (!m || !name) return undefined;
  const p = `views.${name}`;
  const cubes: RawViewCube[] = [];
  r.seq(m.get('cubes'), `${p}.cubes`).forEach((c, i) => {
    const cp = `${p}.cubes[${i}]`;
    const cm = r.map(c, cp, ['join_path', 'includes', 'excludes', 'prefix', 'alias', 'split']);
    const jp = cm && r.string(cm.get('join_path'), `${cp}.join_path`, true);
    if (!cm || !jp) return;
    let includes: RawViewCube['includes'] = '*';
    const inc = cm.get('includes');
    if (!inc) r.error(c, `${cp}.includes`, 'is required ("*" or a list of members)');
    else if (!(inc.kind === 'scalar' && inc.value === '*')) {
      includes = [];
      for (const [j, item] of r.seq(inc, `${cp}.includes`).entries()) {
        if (item.kind === 'map') {
          const im = r.map(item, `${cp}.includes[${j}]`, ['name', 'alias', 'title']);
          const n = im && r.name(im.get('name'), `${cp}.includes[${j}].name`);
          if (im && n) {
            includes.push({
              name: n,
              alias: r.string(im.get('alias'), `${cp}.includes[${j}].alias`),
              title: r.string(im.get('title'), `${cp}.includes[${j}].title`),
            });
          }
        } else {
          const n = r.name(item, `${cp}.includes[${j}]`);
          if (n) includes.push({ name: n });
        }
      }
    }
    const ex = r.nameList(cm.get('excludes'), `${cp}.excludes`);
    cubes.push({
      path: jp.split('.'),
      includes,
      excludes: ex === '*' ? [] : (ex ?? []),
      prefix: r.bool(cm.get('prefix'), `${cp}.prefix`) ?? false,
      alias: r.string(cm.get('alias'), `${cp}.alias`),
      split: r.bool(cm.get('split'), `${cp}.split`) ?? false,
      line: c.line,
    });
  });
  if (cubes.length === 0) r.error(node, `${p}.cubes`, 'a view needs at least one cube');
  const def: ViewDef = {
    name,
    title: r.string(m.get('title'), `${p}.title`) ?? titleize(name),
    description: r.string(m.get('description'), `${p}.description`),
    meta: (r.json(m.get('meta')) as Record<string, unknown> | undefined) ?? undefined,
    public: r.bool(m.get('public'), `${p}.public`) ?? r.bool(m.get('shown'), `${p}.shown`) ?? true,
    root: cubes[0]?.path[0] ?? '',
    edges: [],
    members: new Map(),
    policies: readPolicies(r, m.get('access_policy'), `${p}.access_policy`),
    folders: [],
    pos: { file: r.file, line: node.line },
  };
  // Folders: `{ name, includes: [member | { name, includes }] }`; a nested folder's members count
  // for the folder that holds it (Cube's flat `folders` in /meta).
  const readFolder = (f: LNode, fp: string): { name: string; members: string[] } | undefined => {
    const fm = r.map(f, fp, ['name', 'includes']);
    const fn = fm && r.string(fm.get('name'), `${fp}.name`, true);
    if (!fm || !fn) return undefined;
    const inc = fm.get('includes');
    // `includes: "*"`: every member of the view (resolved once the view's members are known).
    if (inc?.kind === 'scalar' && inc.value === '*') return { name: fn, members: ['*'] };
    const members: string[] = [];
    r.seq(inc, `${fp}.includes`).forEach((item, j) => {
      if (item.kind === 'map') members.push(...(readFolder(item, `${fp}.includes[${j}]`)?.members ?? []));
      else {
        const n = r.string(item, `${fp}.includes[${j}]`, true);
        if (n) members.push(n);
      }
    });
    return { name: fn, members };
  };
  r.seq(m.get('folders'), `${p}.folders`).forEach((f, i) => {
    const folder = readFolder(f, `${p}.folders[${i}]`);
    if (folder) def.folders.push(folder);
  });
  return { def, cubes, reader: r, line: node.line };
}

/**
 * Resolve a view's join paths and members against the cubes. Returns the split views its
 * `split: true` cubes make (Cube's `<view>_<cube>`: the same joins, the parent's policies).
 */
export function resolveView(raw: RawView, cubes: Map<string, CubeDef>): ViewDef[] {
  const { def: view, reader: r } = raw;
  const splits = new Map<string, ViewDef>();
  const p = `views.${view.name}`;
  const parentOf = new Map<string, string | null>();
  for (const vc of raw.cubes) {
    const missing = vc.path.find((c) => !cubes.has(c));
    if (missing) {
      r.error(vc.line, `${p}.cubes`, `join_path ${vc.path.join('.')}: there is no cube ${missing}`);
      continue;
    }
    let path = vc.path;
    if (vc.path[0] !== view.root) {
      // Cube lets a join_path start at any cube the view's cubes join to: reach its first cube
      // from the view's first cube by the one shortest chain of joins, or report why not.
      const route = routeBetween(view.root, vc.path[0]!, cubes);
      if (typeof route === 'string') {
        r.error(vc.line, `${p}.cubes`, `join_path ${vc.path.join('.')}: ${route}`);
        continue;
      }
      path = [...route, ...vc.path.slice(1)];
    }
    parentOf.set(view.root, parentOf.get(view.root) ?? null);
    for (let i = 1; i < path.length; i++) {
      const [a, b] = [path[i - 1]!, path[i]!];
      const joined =
        cubes.get(a)!.joins.some((j) => j.to === b) || cubes.get(b)!.joins.some((j) => j.to === a);
      if (!joined)
        r.error(vc.line, `${p}.cubes`, `join_path ${path.join('.')}: cubes ${a} and ${b} have no join`);
      const known = parentOf.get(b);
      if (known !== undefined && known !== a) {
        r.error(
          vc.line,
          `${p}.cubes`,
          `cube ${b} is reached by two join paths; a cube may appear once in a view`,
        );
      } else if (known === undefined) {
        parentOf.set(b, a);
        view.edges.push({ parent: a, child: b });
      }
    }
    const cubeName = path.at(-1)!;
    const cube = cubes.get(cubeName)!;
    let target = view;
    if (vc.split) {
      const splitName = `${view.name}_${vc.alias ?? cubeName}`;
      if (!splits.has(splitName))
        splits.set(splitName, {
          ...view,
          name: splitName,
          title: titleize(splitName),
          edges: path.slice(1).map((child, i) => ({ parent: path[i]!, child })),
          members: new Map(),
          folders: [],
        });
      target = splits.get(splitName)!;
    }
    const all = [
      ...[...cube.dimensions.keys()].map((n) => ({ name: n, kind: 'dimension' as const })),
      ...[...cube.measures.keys()].map((n) => ({ name: n, kind: 'measure' as const })),
      ...[...cube.segments.keys()].map((n) => ({ name: n, kind: 'segment' as const })),
    ];
    const kindOf = new Map(all.map((x) => [x.name, x.kind]));
    // A hierarchy named in includes brings its levels of this cube (as Cube); in excludes, nothing.
    const hierarchy = new Map(
      cube.hierarchies.map((h) => [h.name, h.levels.filter((l) => !l.includes('.'))]),
    );
    type Wanted = { name: string; alias?: string | undefined; title?: string | undefined };
    let wanted: Wanted[] = vc.includes === '*' ? all.map((x) => ({ name: x.name })) : vc.includes;
    if (vc.includes !== '*') {
      const plain = wanted.filter((w) => !hierarchy.has(w.name) || kindOf.has(w.name));
      const levels = wanted
        .filter((w) => !kindOf.has(w.name) && hierarchy.has(w.name))
        .flatMap((w) => hierarchy.get(w.name)!)
        .filter((l, i, all) => all.indexOf(l) === i && !plain.some((w) => w.name === l));
      wanted = [...plain, ...levels.map((name) => ({ name }))];
    }
    for (const ex of vc.excludes) {
      if (!kindOf.has(ex) && !hierarchy.has(ex))
        r.error(vc.line, `${p}.cubes`, `excludes ${ex}: cube ${cubeName} has no such member`);
    }
    for (const w of wanted) {
      const kind = kindOf.get(w.name);
      if (!kind) {
        r.error(vc.line, `${p}.cubes`, `includes ${w.name}: cube ${cubeName} has no such member`);
        continue;
      }
      if (vc.excludes.includes(w.name)) continue;
      const base = w.alias ?? w.name;
      const name = vc.prefix ? `${vc.alias ?? cubeName}_${base}` : base;
      const prior = target.members.get(name);
      // The same member again (a view extending another may list its cube twice): nothing new.
      if (prior && prior.cube === cubeName && prior.member === w.name) continue;
      if (prior) {
        r.error(vc.line, `${p}.cubes`, `member name ${name} is included twice; use prefix or an alias`);
        continue;
      }
      const member: ViewMember = { name, kind, cube: cubeName, member: w.name, title: w.title };
      target.members.set(name, member);
    }
  }
  for (const folder of view.folders) {
    if (folder.members.length === 1 && folder.members[0] === '*') folder.members = [...view.members.keys()];
    for (const mname of folder.members)
      if (!view.members.has(mname))
        r.error(raw.line, `${p}.folders`, `folder ${folder.name}: the view has no member ${mname}`);
  }
  return [...splits.values()];
}

/**
 * The one shortest chain of joins (either direction) from `from` to `to`, both included; or why
 * there is none (no chain, or two of the same length: Cube would need a longer join_path).
 */
function routeBetween(from: string, to: string, cubes: Map<string, CubeDef>): string[] | string {
  const neighbours = (c: string): string[] => {
    const out = new Set(
      cubes
        .get(c)
        ?.joins.map((j) => j.to)
        .filter((t) => cubes.has(t)),
    );
    for (const [name, cube] of cubes) if (cube.joins.some((j) => j.to === c)) out.add(name);
    return [...out];
  };
  const parents = new Map<string, string[]>([[from, []]]);
  let frontier = [from];
  while (frontier.length > 0 && !parents.has(to)) {
    const next: string[] = [];
    const found = new Map<string, string[]>();
    for (const c of frontier)
      for (const n of neighbours(c)) {
        if (parents.has(n)) continue;
        if (!found.has(n)) {
          found.set(n, []);
          next.push(n);
        }
        found.get(n)!.push(c);
      }
    for (const [n, ps] of found) parents.set(n, ps);
    frontier = next;
  }
  if (!parents.has(to)) return `no joins lead from the view's first cube ${from} to ${to}`;
  const path = [to];
  for (let c = to; c !== from; ) {
    const ps = parents.get(c)!;
    if (ps.length > 1)
      return `${from} reaches ${to} by more than one chain of joins (through ${ps.join(' or ')}); write the whole join_path from ${from}`;
    c = ps[0]!;
    path.unshift(c);
  }
  return path;
}
