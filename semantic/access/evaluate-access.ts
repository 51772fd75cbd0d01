import type { PolicyDef, PolicyFilter, SemanticModel, ViewDef } from '../compiler/index.ts';
import { type SecurityContext, securityValue } from '../security-context.ts';
import { autoMask } from './protected-columns.ts';
import type { AccessScope, BoundFilter, EntityAccess, MemberAccess } from './types.ts';

/**
 * Evaluate every access policy of the model for one caller (Cube semantics: policies whose
 * group matches are OR-ed; a cube with policies and no matching one is denied).
 *
 * `readsOtherRows` names members (`cube.member`) whose SQL reads other rows through a subquery
 * (the lake's `introspect` finds them). Such a subquery reads the lake's tables as they are, past
 * every row policy, so for a caller who may not see every row of every cube these members are
 * hidden: a readmission flag that looks at every organization's stays would tell a clinician
 * about stays elsewhere. Row policies themselves still use them (they are the caller's filter).
 *
 * @example const scope = evaluateAccess(model, { userId: 'a', roles: ['analyst'], attributes: {} });
 */
export function evaluateAccess(
  model: SemanticModel,
  ctx: SecurityContext,
  options: { readsOtherRows?: ReadonlySet<string> } = {},
): AccessScope {
  const cubes = new Map<string, EntityAccess>();
  for (const cube of model.cubes.values()) {
    const names = [...cube.dimensions.keys(), ...cube.measures.keys(), ...cube.segments.keys()];
    const access = evaluatePolicies(cube.policies, names, ctx);
    autoMask(cube, access);
    cubes.set(cube.name, access);
  }
  const rowScoped = [...cubes.values()].some((a) => !a.allowed || a.rowFilter !== null);
  if (rowScoped) {
    for (const key of options.readsOtherRows ?? []) {
      const dot = key.indexOf('.');
      cubes.get(key.slice(0, dot))?.members.set(key.slice(dot + 1), 'hidden');
    }
  }
  const views = new Map<string, EntityAccess>();
  for (const view of model.views.values()) views.set(view.name, viewAccess(view, cubes, ctx));
  return { cubes, views };
}

function evaluatePolicies(
  policies: PolicyDef[] | null,
  members: string[],
  ctx: SecurityContext,
): EntityAccess {
  const all = (state: MemberAccess) => new Map(members.map((m) => [m, state]));
  if (policies === null)
    return {
      allowed: true,
      rowFilter: null,
      members: all('full'),
      blockedSegments: new Set(),
      minGroupSize: 0,
    };
  const matching = policies.filter(
    (p) =>
      (p.roles.includes('*') || p.roles.some((r) => ctx.roles.includes(r))) &&
      p.conditions.every((c) => truthy(securityValue(ctx, templatePath(c) ?? ''))),
  );
  if (matching.length === 0)
    return {
      allowed: false,
      rowFilter: { deny: true },
      members: all('hidden'),
      blockedSegments: new Set(),
      minGroupSize: 0,
    };
  const grants = (level: NonNullable<PolicyDef['memberLevel']>, m: string) =>
    (level.includes === '*' || level.includes.includes(m)) && !level.excludes.includes(m);
  const states = new Map<string, MemberAccess>();
  for (const m of members) {
    if (matching.some((p) => p.memberLevel === null || grants(p.memberLevel, m))) states.set(m, 'full');
    else if (matching.some((p) => p.memberMasking !== null && grants(p.memberMasking, m)))
      states.set(m, 'masked');
    else states.set(m, 'hidden');
  }
  let rowFilter: BoundFilter | null = null;
  if (matching.every((p) => p.rowFilters !== null)) {
    const branches = matching.map(
      (p): BoundFilter => ({ and: (p.rowFilters ?? []).map((f) => bind(f, ctx)) }),
    );
    rowFilter = branches.length === 1 ? branches[0]! : { or: branches };
  }
  // Policies are OR-ed: a caller whom another matching policy lets see exact cells gets them.
  const minGroupSize = Math.min(...matching.map((p) => p.minGroupSize ?? 0));
  return { allowed: true, rowFilter, members: states, blockedSegments: new Set(), minGroupSize };
}

/** Substitute `{ securityContext.x }` in filter values. A missing or empty value denies. */
function bind(f: PolicyFilter, ctx: SecurityContext): BoundFilter {
  if ('and' in f) return { and: f.and.map((x) => bind(x, ctx)) };
  if ('or' in f) return { or: f.or.map((x) => bind(x, ctx)) };
  const values: string[] = [];
  for (const v of f.values) {
    const whole = templatePath(v);
    if (whole !== undefined) {
      const value = securityValue(ctx, whole);
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || list.some((x) => !usable(x))) return { deny: true };
      values.push(...list.map(String));
      continue;
    }
    let missing = false;
    const text = v.replace(
      /\{\s*(?:securityContext|userAttributes)\.([A-Za-z0-9_.]+)\s*\}/g,
      (_m, path: string) => {
        const value = securityValue(ctx, path);
        if (!usable(value)) missing = true;
        return String(value);
      },
    );
    if (missing) return { deny: true };
    values.push(text);
  }
  return { member: f.member, operator: f.operator, values };
}

function usable(v: unknown): boolean {
  return (typeof v === 'string' && v.trim() !== '') || typeof v === 'number' || typeof v === 'boolean';
}

function truthy(v: unknown): boolean {
  return (
    v !== undefined &&
    v !== null &&
    v !== false &&
    v !== '' &&
    v !== 0 &&
    !(Array.isArray(v) && v.length === 0)
  );
}

/** `{ securityContext.a.b }` -> `a.b` when the whole string is one reference. */
function templatePath(s: string): string | undefined {
  return /^\{\s*(?:securityContext|userAttributes)\.([A-Za-z0-9_.]+)\s*\}$/.exec(s.trim())?.[1];
}

const RANK: Record<MemberAccess, number> = { full: 0, masked: 1, hidden: 2 };

/** A view's own policies, narrowed by the policies of the cubes it exposes (both must allow). */
function viewAccess(view: ViewDef, cubes: Map<string, EntityAccess>, ctx: SecurityContext): EntityAccess {
  const own = evaluatePolicies(view.policies, [...view.members.keys()], ctx);
  const rootAccess = cubes.get(view.root);
  if (!rootAccess?.allowed) own.allowed = false;
  for (const [name, vm] of view.members) {
    const cubeAccess = cubes.get(vm.cube);
    const cubeState: MemberAccess = cubeAccess?.allowed
      ? (cubeAccess.members.get(vm.member) ?? 'hidden')
      : 'hidden';
    const viewState = own.members.get(name) ?? 'hidden';
    own.members.set(name, RANK[cubeState] > RANK[viewState] ? cubeState : viewState);
    if (vm.kind === 'segment' && cubeAccess?.blockedSegments.has(vm.member)) own.blockedSegments.add(name);
    own.minGroupSize = Math.max(own.minGroupSize, cubeAccess?.minGroupSize ?? 0);
  }
  return own;
}

/** Full access to every cube and view: for validating the model against the lake, never for callers. */
export function fullAccess(model: SemanticModel): AccessScope {
  const open = (names: string[]): EntityAccess => ({
    allowed: true,
    rowFilter: null,
    members: new Map(names.map((n) => [n, 'full' as const])),
    blockedSegments: new Set(),
    minGroupSize: 0,
  });
  const cubes = new Map<string, EntityAccess>();
  for (const c of model.cubes.values())
    cubes.set(c.name, open([...c.dimensions.keys(), ...c.measures.keys(), ...c.segments.keys()]));
  const views = new Map<string, EntityAccess>();
  for (const v of model.views.values()) views.set(v.name, open([...v.members.keys()]));
  return { cubes, views };
}
