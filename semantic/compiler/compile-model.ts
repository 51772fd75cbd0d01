import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type ModelDiagnostic, ModelInvalidError, SemanticError } from '../errors.ts';
import { type PendingSql, readCube } from './compile-cube.ts';
import { type RawView, readView, resolveView } from './compile-view.ts';
import { resolveExtends } from './extends.ts';
import type {
  CubeDef,
  MeasureDef,
  PolicyDef,
  PolicyFilter,
  SemanticModel,
  SqlPart,
  ViewDef,
} from './model-types.ts';
import { ModelReader } from './reader.ts';
import { type LNode, parseModelYaml } from './yaml-nodes.ts';

/** A model file's name (relative to the model folder) and text. */
export interface ModelFile {
  file: string;
  text: string;
}

/** Every `.yml`/`.yaml` file under `dir`, sorted, with paths relative to it. */
export async function readModelFiles(dir: string): Promise<ModelFile[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch (cause) {
    throw new SemanticError(
      'MODEL_DIR_MISSING',
      `The model folder ${dir} does not exist or is not a folder.`,
      { cause },
    );
  }
  const out: ModelFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(d, e.name);
      // verified_queries/ holds the agent's verified questions, not cubes or views.
      if (e.isDirectory()) {
        if (d !== dir || e.name !== 'verified_queries') await walk(full);
      } else if (/\.ya?ml$/.test(e.name))
        out.push({ file: relative(dir, full), text: await readFile(full, 'utf8') });
      // Cube's JavaScript models are code we will not run: listed so they are reported, not skipped.
      else if (/\.(js|ts|py|jinja)$/.test(e.name)) out.push({ file: relative(dir, full), text: '' });
    }
  };
  await walk(dir);
  return out;
}

/**
 * Compile model files into a validated model. Every problem in every file is collected; if
 * there is any, one ModelInvalidError lists them all with file, line and member path.
 *
 * @example
 * const model = compileModel(await readModelFiles('model'));
 */
export function compileModel(files: readonly ModelFile[]): SemanticModel {
  const { model, diagnostics } = compileWith(files, NOTHING_EXCLUDED);
  if (diagnostics.length) throw new ModelInvalidError(diagnostics);
  return model;
}

/** What a partial compile left out, and why. */
export interface ModelExclusion {
  kind: 'file' | 'cube' | 'view' | 'member';
  /** The file, cube, view or `cube.member` left out. */
  name: string;
  /** The first problem that made it unavailable. */
  reason: string;
}

/** A model compiled leniently: what works, and what was left out with its problems. */
export interface PartialModel {
  model: SemanticModel;
  /** Keys accepted without effect (refresh_key, pre_aggregations, …). */
  warnings: ModelDiagnostic[];
  /** Every problem found (each made something unavailable). */
  diagnostics: ModelDiagnostic[];
  excluded: ModelExclusion[];
}

interface Exclusions {
  files: Set<string>;
  entities: Set<string>;
  members: Set<string>;
}
const NOTHING_EXCLUDED: Exclusions = { files: new Set(), entities: new Set(), members: new Set() };

/**
 * Compile what can be compiled (Cube's users move real projects in: one unsupported key must not
 * take the whole model down). A problem inside a member leaves that member out; any other problem
 * in a cube or view (its source, joins, access policy) leaves the whole cube or view out, never a
 * cube without its policy; a problem outside any cube leaves the file out. What depended on
 * something left out is left out in turn. `compileModel` is the strict form.
 *
 * @example const { model, excluded } = compileModelPartial(await readModelFiles('model'));
 */
export function compileModelPartial(files: readonly ModelFile[]): PartialModel {
  const ex: Exclusions = { files: new Set(), entities: new Set(), members: new Set() };
  const diagnostics: ModelDiagnostic[] = [];
  const excluded: ModelExclusion[] = [];
  for (let round = 0; round < 50; round++) {
    const { model, diagnostics: found, warnings } = compileWith(files, ex);
    if (found.length === 0) return { model, warnings, diagnostics, excluded };
    let progressed = false;
    for (const d of found) {
      diagnostics.push(d);
      const target = classify(d);
      const set = target.kind === 'file' ? ex.files : target.kind === 'member' ? ex.members : ex.entities;
      if (set.has(target.name)) continue;
      set.add(target.name);
      progressed = true;
      excluded.push({ ...target, reason: `${d.path}: ${d.message}` });
    }
    if (!progressed) break;
  }
  throw new ModelInvalidError(diagnostics);
}

/** What a problem makes unavailable, from its member path. */
function classify(d: ModelDiagnostic): Omit<ModelExclusion, 'reason'> {
  const member =
    /^cubes\.([A-Za-z_][A-Za-z0-9_]*)\.(?:dimensions|measures|segments)\.([A-Za-z_][A-Za-z0-9_]*)(?:$|[.[])/.exec(
      d.path,
    );
  if (member) return { kind: 'member', name: `${member[1]}.${member[2]}` };
  const entity = /^(cubes|views)\.([A-Za-z_][A-Za-z0-9_]*)(?:$|[.[])/.exec(d.path);
  if (entity) return { kind: entity[1] === 'cubes' ? 'cube' : 'view', name: entity[2]! };
  return { kind: 'file', name: d.file };
}

function compileWith(
  files: readonly ModelFile[],
  ex: Exclusions,
): { model: SemanticModel; diagnostics: ModelDiagnostic[]; warnings: ModelDiagnostic[] } {
  const diagnostics: ModelDiagnostic[] = [];
  const cubes = new Map<string, CubeDef>();
  const rawViews: RawView[] = [];
  const pending: PendingSql[] = [];
  const readers: ModelReader[] = [];
  const defined = new Map<string, string>();
  // First every file's definitions by name, so `extends` can reach a base in any file.
  const parsed: Array<{ r: ModelReader; top: Map<string, LNode> }> = [];
  const bases = { cubes: new Map<string, LNode>(), views: new Map<string, LNode>() };
  for (const { file, text } of files) {
    if (ex.files.has(file)) continue;
    const r = new ModelReader(file);
    readers.push(r);
    if (!/\.ya?ml$/.test(file)) {
      r.error(
        0,
        '(file)',
        `${/\.(js|ts)$/.test(file) ? 'JavaScript' : 'This kind of'} model file is not supported: convert ${file} to Cube's YAML format (same cubes, views and members)`,
      );
      continue;
    }
    const root = parseModelYaml(file, text, r.diagnostics);
    const top = r.map(root, '(file)', ['cubes', 'views']);
    if (!top) continue;
    parsed.push({ r, top });
    for (const kind of ['cubes', 'views'] as const)
      for (const node of top.get(kind)?.kind === 'seq' ? (top.get(kind) as { items: LNode[] }).items : []) {
        const n = node.kind === 'map' ? node.entries.get('name') : undefined;
        if (n?.kind === 'scalar' && typeof n.value === 'string' && !bases[kind].has(n.value))
          bases[kind].set(n.value, node);
      }
  }
  for (const { r, top } of parsed) {
    const file = r.file;
    r.seq(top.get('cubes'), 'cubes').forEach((raw, i) => {
      const node = resolveExtends(raw, bases.cubes, r, cubePath(raw, i));
      if (!node) return;
      const cube = readCube(r, node, `cubes[${i}]`, pending);
      if (!cube || ex.entities.has(cube.name)) return;
      for (const map of [cube.dimensions, cube.measures, cube.segments])
        for (const m of [...map.keys()]) if (ex.members.has(`${cube.name}.${m}`)) map.delete(m);
      cube.primaryKeys = cube.primaryKeys.filter((k) => cube.dimensions.has(k));
      const other = defined.get(cube.name);
      if (other) r.error(node, `cubes.${cube.name}`, `${cube.name} is already defined in ${other}`);
      else {
        defined.set(cube.name, file);
        cubes.set(cube.name, cube);
      }
    });
    r.seq(top.get('views'), 'views').forEach((raw, i) => {
      const node = resolveExtends(raw, bases.views, r, cubePath(raw, i, 'views'));
      if (!node) return;
      const view = readView(r, node, `views[${i}]`);
      if (!view || ex.entities.has(view.def.name)) return;
      const other = defined.get(view.def.name);
      if (other) r.error(node, `views.${view.def.name}`, `${view.def.name} is already defined in ${other}`);
      else {
        defined.set(view.def.name, file);
        rawViews.push(view);
      }
    });
  }
  for (const p of pending) {
    const member = /^cubes\.([^.[]+)\.(?:dimensions|measures|segments)\.([^.[]+)/.exec(p.path);
    if (member && ex.members.has(`${member[1]}.${member[2]}`)) continue;
    resolvePending(p, cubes);
  }
  for (const cube of cubes.values())
    validateCube(cube, cubes, readers.find((r) => r.file === cube.pos.file)!);
  checkMeasureCycles(cubes, readers);
  const views = new Map<string, ViewDef>();
  for (const rv of rawViews) {
    for (const split of resolveView(rv, cubes)) {
      const other = defined.get(split.name);
      if (other || views.has(split.name))
        rv.reader.error(rv.line, `views.${rv.def.name}.cubes`, `split view ${split.name} is already defined`);
      else views.set(split.name, split);
    }
    validatePolicies(
      rv.def.policies,
      new Set(rv.def.members.keys()),
      null,
      rv.reader,
      `views.${rv.def.name}`,
    );
    views.set(rv.def.name, rv.def);
  }
  for (const r of readers) {
    for (const d of r.diagnostics) {
      // Problems of what is already left out were reported when it was left out.
      const t = classify(d);
      if (t.kind === 'member' && (ex.members.has(t.name) || ex.entities.has(t.name.split('.')[0]!))) continue;
      if ((t.kind === 'cube' || t.kind === 'view') && ex.entities.has(t.name)) continue;
      diagnostics.push(d);
    }
  }
  return { model: { cubes, views }, diagnostics, warnings: readers.flatMap((r) => r.warnings) };
}

/** `cubes.<name>` for messages about a definition not read yet (`cubes[i]` without a name). */
function cubePath(node: LNode, i: number, kind: 'cubes' | 'views' = 'cubes'): string {
  const n = node.kind === 'map' ? node.entries.get('name') : undefined;
  return n?.kind === 'scalar' && typeof n.value === 'string' ? `${kind}.${n.value}` : `${kind}[${i}]`;
}

function resolvePending(p: PendingSql, cubes: Map<string, CubeDef>): void {
  const owner = cubes.get(p.owner);
  if (!owner) return;
  const out: SqlPart[] = [];
  const bad = (msg: string) => p.reader.error(p.line, p.path, msg);
  const memberOf = (c: CubeDef, m: string) => c.dimensions.has(m) || c.measures.has(m) || c.segments.has(m);
  for (const part of p.raw) {
    if (typeof part === 'string') {
      out.push({ t: 'text', s: part });
      continue;
    }
    if (part.kind === 'cube') {
      out.push({ t: 'cube', cube: owner.name });
      continue;
    }
    if (part.kind === 'name') {
      if (p.kind === 'join' && (part.name === p.joinTo || part.name === owner.name)) {
        if (!cubes.has(part.name)) bad(`{${part.name}}: there is no cube ${part.name}`);
        out.push({ t: 'cube', cube: part.name });
      } else if (memberOf(owner, part.name)) out.push({ t: 'member', cube: owner.name, member: part.name });
      else if (cubes.has(part.name))
        bad(`{${part.name}} refers to another cube; member SQL may only use its own cube`);
      else bad(`{${part.name}}: cube ${owner.name} has no member ${part.name}`);
      continue;
    }
    const cubeName = part.cube === '' ? owner.name : part.cube;
    const allowed = p.kind === 'join' ? [owner.name, p.joinTo] : [owner.name];
    // A dimension may read a dimension of a cube its cube joins (`{users.city}`, either direction):
    // a query using it joins that cube (Cube's rule; only a direct join, so the join is known).
    const other = cubes.get(cubeName);
    if (
      p.kind === 'dimension' &&
      other?.dimensions.has(part.member) &&
      (owner.joins.some((j) => j.to === cubeName) || other.joins.some((j) => j.to === owner.name))
    )
      allowed.push(cubeName);
    // Number measures may combine measures of other cubes (each is aggregated on its own).
    if (p.kind === 'number' && cubes.get(cubeName)?.measures.has(part.member)) allowed.push(cubeName);
    if (!allowed.includes(cubeName)) {
      bad(
        p.kind === 'dimension'
          ? `{${part.cube}.${part.member}}: a dimension may read a dimension of a cube its cube joins directly; ${cubeName} is not one`
          : `{${part.cube || 'CUBE'}.${part.member}}: references to other cubes are not supported here`,
      );
      continue;
    }
    const target = cubes.get(cubeName);
    if (!target) bad(`{${cubeName}.${part.member}}: there is no cube ${cubeName}`);
    else if (!memberOf(target, part.member))
      bad(`{${cubeName}.${part.member}}: cube ${cubeName} has no member ${part.member}`);
    else out.push({ t: 'member', cube: cubeName, member: part.member });
  }
  // Check what kind of member each reference is: aggregates cannot nest, dimensions cannot read measures.
  const refs = out.filter((x): x is Extract<SqlPart, { t: 'member' }> => x.t === 'member');
  const readsMeasures = refs.some((x) => cubes.get(x.cube)!.measures.has(x.member));
  for (const ref of refs) {
    const c = cubes.get(ref.cube)!;
    const isMeasure = c.measures.has(ref.member);
    const isSegment = c.segments.has(ref.member);
    if (isSegment) bad(`{${ref.member}} is a segment; segments cannot be referenced in SQL`);
    else if (p.kind === 'number' && readsMeasures && !isMeasure)
      bad(
        `a number measure either combines measures or aggregates its cube's rows itself (median({CUBE}.x)); {${ref.member}} is a dimension`,
      );
    else if (p.kind !== 'number' && isMeasure)
      bad(`{${ref.member}} is a measure; only number measures may reference measures`);
  }
  p.set(out);
}

/** Number measures may reference measures of other cubes: a cycle through cubes would never end. */
function checkMeasureCycles(cubes: Map<string, CubeDef>, readers: ModelReader[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (cube: string, name: string, trail: string[]): void => {
    const key = `${cube}.${name}`;
    if (state.get(key) === 'done') return;
    const m = cubes.get(cube)?.measures.get(name);
    if (!m) return;
    if (state.get(key) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(key)), key];
      // A cycle within one cube is reported by validateCube.
      if (new Set(cycle.map((k) => k.split('.')[0])).size === 1) return;
      const r = readers.find((x) => x.file === m.pos.file);
      r?.error(m.pos.line, `cubes.${key}`, `measures reference each other in a cycle: ${cycle.join(' -> ')}`);
      return;
    }
    state.set(key, 'visiting');
    const parts = [...(m.sql ?? []), ...(m.multiStage?.orderBy.flatMap((o) => o.sql) ?? [])];
    for (const part of parts)
      if (part.t === 'member' && cubes.get(part.cube)?.measures.has(part.member))
        visit(part.cube, part.member, [...trail, key]);
    state.set(key, 'done');
  };
  for (const c of cubes.values()) for (const n of c.measures.keys()) visit(c.name, n, []);
}

function validateCube(cube: CubeDef, cubes: Map<string, CubeDef>, r: ModelReader): void {
  const p = `cubes.${cube.name}`;
  for (const m of cube.measures.values()) {
    if (!m.caseOf) continue;
    const at = `${p}.measures.${m.name}.case`;
    const sw = m.caseOf.switch;
    if (!cubes.get(sw.cube)?.dimensions.get(sw.member)?.switchValues)
      r.error(m.pos.line, at, `{${sw.cube}.${sw.member}} is not a type: switch dimension`);
    for (const b of [...m.caseOf.when.map((w) => w.measure), ...(m.caseOf.else ? [m.caseOf.else] : [])]) {
      const target = cubes.get(b.cube)?.measures.get(b.member);
      if (!target) r.error(m.pos.line, at, `{${b.cube}.${b.member}} is not a measure`);
      else if (target.caseOf) r.error(m.pos.line, at, `{${b.cube}.${b.member}} is itself a case measure`);
    }
  }
  for (const h of cube.hierarchies)
    for (const level of h.levels.filter((l) => l.includes('.'))) {
      const [other, member] = level.split('.') as [string, string];
      if (!cubes.get(other)?.dimensions.has(member))
        r.error(cube.pos.line, `${p}.hierarchies.${h.name}.levels`, `${level} is not a dimension of a cube`);
    }
  for (const j of cube.joins) {
    if (!cubes.has(j.to)) r.error(j.pos.line, `${p}.joins.${j.to}`, `there is no cube ${j.to}`);
    else if (j.to === cube.name) r.error(j.pos.line, `${p}.joins.${j.to}`, 'a cube cannot join itself');
  }
  // Cycles among member references would recurse forever when rendering.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      r.error(
        cube.pos.line,
        `${p}.${name}`,
        `members reference each other in a cycle: ${[...trail, name].join(' -> ')}`,
      );
      return;
    }
    state.set(name, 'visiting');
    const def = cube.dimensions.get(name) ?? cube.measures.get(name);
    const sql = def && 'sql' in def ? def.sql : undefined;
    for (const part of sql ?? [])
      if (part.t === 'member' && part.cube === cube.name) visit(part.member, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of [...cube.dimensions.keys(), ...cube.measures.keys()]) visit(name, []);
  for (const m of cube.measures.values()) validateMeasureOptions(cube, m, cubes, r);
  for (const m of cube.measures.values()) {
    for (const d of m.drillMembers) {
      const [c, n] = d.includes('.') ? d.split('.') : [cube.name, d];
      const target = cubes.get(c ?? '');
      if (!target?.dimensions.has(n ?? ''))
        r.error(m.pos.line, `${p}.measures.${m.name}.drill_members`, `${d} is not a dimension`);
    }
  }
  const members = new Set([...cube.dimensions.keys(), ...cube.measures.keys(), ...cube.segments.keys()]);
  validatePolicies(cube.policies, members, cube, r, p);
}

function validateMeasureOptions(
  cube: CubeDef,
  m: MeasureDef,
  cubes: Map<string, CubeDef>,
  r: ModelReader,
): void {
  const p = `cubes.${cube.name}.measures.${m.name}`;
  const ms = m.multiStage;
  if (!ms) return;
  for (const [key, list] of [
    ['group_by', ms.groupBy],
    ['reduce_by', ms.reduceBy],
    ['add_group_by', ms.addGroupBy],
  ] as const) {
    for (const d of list ?? []) {
      if (!cubes.get(d.cube)?.dimensions.has(d.member))
        r.error(m.pos.line, `${p}.${key}`, `${d.cube}.${d.member} is not a dimension`);
    }
  }
  for (const t of ms.timeShift) {
    const td = t.timeDimension;
    if (td && cubes.get(td.cube)?.dimensions.get(td.member)?.type !== 'time')
      r.error(m.pos.line, `${p}.time_shift`, `${td.cube}.${td.member} is not a time dimension`);
  }
  const refs = (m.sql ?? []).filter((x) => x.t === 'member');
  if (m.type === 'rank') {
    if (ms.orderBy.length === 0) r.error(m.pos.line, `${p}.order_by`, 'a rank measure needs order_by');
  } else if (m.type !== 'number' && refs.length !== 1) {
    r.error(
      m.pos.line,
      `${p}.sql`,
      `a multi-stage ${m.type} measure aggregates one measure ({measure}); write a number measure to combine several`,
    );
  }
  if (
    (ms.timeShift.length || ms.groupBy || ms.reduceBy) &&
    m.type !== 'number' &&
    m.type !== 'rank' &&
    m.type !== 'sum'
  )
    if (!ms.addGroupBy)
      r.error(m.pos.line, `${p}.type`, 'a time-shifted or regrouped measure is of type number (or sum)');
}

function validatePolicies(
  policies: PolicyDef[] | null,
  members: Set<string>,
  cube: CubeDef | null,
  r: ModelReader,
  p: string,
): void {
  for (const [i, policy] of (policies ?? []).entries()) {
    const pp = `${p}.access_policy[${i}]`;
    for (const [key, level] of [
      ['member_level', policy.memberLevel],
      ['member_masking', policy.memberMasking],
    ] as const) {
      if (!level) continue;
      for (const n of [...(level.includes === '*' ? [] : level.includes), ...level.excludes]) {
        if (!members.has(n)) r.error(policy.pos.line, `${pp}.${key}`, `${n} is not a member`);
      }
    }
    const walk = (f: PolicyFilter): void => {
      if ('and' in f || 'or' in f) {
        for (const x of 'and' in f ? f.and : f.or) walk(x);
        return;
      }
      // `{CUBE}.status` and `CUBE.status` (Cube's own fixtures write both) are this cube's member.
      if (cube) f.member = f.member.replace(/^\$?\{CUBE\}\.|^CUBE\./, `${cube.name}.`);
      const short = f.member.includes('.') ? f.member.split('.').slice(1).join('.') : f.member;
      const owner = f.member.includes('.') ? f.member.split('.')[0] : undefined;
      if (cube && owner && owner !== cube.name) {
        r.error(
          policy.pos.line,
          `${pp}.row_level`,
          `row filters may only use members of ${cube.name}, not ${f.member}`,
        );
      } else if (!members.has(short) || (cube && !cube.dimensions.has(short))) {
        r.error(policy.pos.line, `${pp}.row_level`, `${f.member} is not a dimension`);
      }
      f.member = short;
      for (const v of f.values) {
        const refs = [...v.matchAll(/\{([^}]*)\}/g)].map((m) => (m[1] ?? '').trim());
        for (const ref of refs) {
          if (
            !/^(securityContext|security_context|userAttributes|user_attributes)\.[A-Za-z0-9_.]+$/.test(ref)
          ) {
            r.error(
              policy.pos.line,
              `${pp}.row_level`,
              `{${ref}} is not a security context value ({ securityContext.x })`,
            );
          }
        }
      }
    };
    for (const f of policy.rowFilters ?? []) walk(f);
  }
}
