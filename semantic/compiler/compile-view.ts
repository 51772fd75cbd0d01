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
    const cm = r.map(
      c,
      cp,
      ['join_path', 'includes', 'excludes', 'prefix', 'alias'],
      {},
      {
        split: 'views are not split into separate groups of members',
      },
    );
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
    const members: string[] = [];
    r.seq(fm.get('includes'), `${fp}.includes`).forEach((item, j) => {
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

/** Resolve a view's join paths and members against the cubes. */
export function resolveView(raw: RawView, cubes: Map<string, CubeDef>): void {
  const { def: view, reader: r } = raw;
  const p = `views.${view.name}`;
  const parentOf = new Map<string, string | null>();
  for (const vc of raw.cubes) {
    const missing = vc.path.find((c) => !cubes.has(c));
    if (missing) {
      r.error(vc.line, `${p}.cubes`, `join_path ${vc.path.join('.')}: there is no cube ${missing}`);
      continue;
    }
    if (vc.path[0] !== view.root) {
      r.error(
        vc.line,
        `${p}.cubes`,
        `join_path ${vc.path.join('.')} must start at the view's first cube ${view.root}`,
      );
      continue;
    }
    parentOf.set(view.root, parentOf.get(view.root) ?? null);
    for (let i = 1; i < vc.path.length; i++) {
      const [a, b] = [vc.path[i - 1]!, vc.path[i]!];
      const joined =
        cubes.get(a)!.joins.some((j) => j.to === b) || cubes.get(b)!.joins.some((j) => j.to === a);
      if (!joined)
        r.error(vc.line, `${p}.cubes`, `join_path ${vc.path.join('.')}: cubes ${a} and ${b} have no join`);
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
    const cubeName = vc.path.at(-1)!;
    const cube = cubes.get(cubeName)!;
    const all = [
      ...[...cube.dimensions.keys()].map((n) => ({ name: n, kind: 'dimension' as const })),
      ...[...cube.measures.keys()].map((n) => ({ name: n, kind: 'measure' as const })),
      ...[...cube.segments.keys()].map((n) => ({ name: n, kind: 'segment' as const })),
    ];
    const kindOf = new Map(all.map((x) => [x.name, x.kind]));
    const wanted: Array<{ name: string; alias?: string | undefined; title?: string | undefined }> =
      vc.includes === '*' ? all.map((x) => ({ name: x.name })) : vc.includes;
    for (const ex of vc.excludes) {
      if (!kindOf.has(ex))
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
      if (view.members.has(name)) {
        r.error(vc.line, `${p}.cubes`, `member name ${name} is included twice; use prefix or an alias`);
        continue;
      }
      const member: ViewMember = { name, kind, cube: cubeName, member: w.name, title: w.title };
      view.members.set(name, member);
    }
  }
  for (const folder of view.folders)
    for (const mname of folder.members)
      if (!view.members.has(mname))
        r.error(raw.line, `${p}.folders`, `folder ${folder.name}: the view has no member ${mname}`);
}
