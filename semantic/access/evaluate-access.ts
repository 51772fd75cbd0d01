import type { PolicyDef, PolicyFilter, SemanticModel, ViewDef } from '../compiler/index.ts';
import { type SecurityContext, securityValue } from '../security-context.ts';
import { autoMask } from './protected-columns.ts';
import type { AccessScope, AppliedPolicy, BoundFilter, EntityAccess, MemberAccess } from './types.ts';

/**
 * Evaluate every access policy of the model for one caller, with Cube's semantics:
 * - a policy matches when one of its groups is the caller's (or `*`) and all its conditions hold;
 *   an entity with policies and no matching one is denied;
 * - a member is visible when any matching policy grants it (union), masked when one only masks it;
 * - which policies' row filters apply depends on the query (`narrowForQuery`): those that cover
 *   every member the query uses. Here, with no query, every matching policy counts, so `rowFilter`
 *   is the widest a query can get;
 * - row filters of policies with the same group key are AND-ed, of different keys OR-ed; a policy
 *   without `row_level` (or `allow_all: true`) lets every row through.
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
    if (protects(access)) autoMask(cube, access);
    cubes.set(cube.name, access);
  }
  const rowScoped = [...cubes.values()].some((a) => !a.allowed || a.rowFilter !== null);
  if (rowScoped) {
    for (const key of options.readsOtherRows ?? []) {
      const dot = key.indexOf('.');
      const access = cubes.get(key.slice(0, dot));
      access?.members.set(key.slice(dot + 1), 'hidden');
      access?.pinned.add(key.slice(dot + 1));
    }
  }
  const views = new Map<string, EntityAccess>();
  for (const view of model.views.values()) views.set(view.name, viewAccess(view, cubes, ctx));
  return { cubes, views };
}

/** Our column protection runs unless every matching policy turns it off (`protect_columns: false`). */
function protects(access: EntityAccess): boolean {
  return access.applied === null || access.applied.some((p) => p.protectColumns);
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
      applied: null,
      pinned: new Set(),
    };
  const applied = policies
    .filter(
      (p) =>
        (p.roles.includes('*') || p.roles.some((r) => ctx.roles.includes(r))) &&
        p.conditions.every((c) => truthy(securityValue(ctx, templatePath(c) ?? ''))),
    )
    .map((p) => applyPolicy(p, ctx));
  if (applied.length === 0)
    return {
      allowed: false,
      rowFilter: { deny: true },
      members: all('hidden'),
      blockedSegments: new Set(),
      minGroupSize: 0,
      applied,
      pinned: new Set(),
    };
  const states = new Map<string, MemberAccess>();
  for (const m of members) {
    const grants = applied.map((p) => p.grants(m));
    states.set(m, grants.includes('full') ? 'full' : grants.includes('masked') ? 'masked' : 'hidden');
  }
  return {
    allowed: true,
    rowFilter: combineRows(applied),
    members: states,
    blockedSegments: new Set(),
    // Policies are OR-ed: a caller whom another matching policy lets see exact cells gets them.
    minGroupSize: Math.min(...applied.map((p) => p.minGroupSize)),
    applied,
    pinned: new Set(),
  };
}

function applyPolicy(p: PolicyDef, ctx: SecurityContext): AppliedPolicy {
  const grants = (level: NonNullable<PolicyDef['memberLevel']>, m: string) =>
    (level.includes === '*' || level.includes.includes(m)) && !level.excludes.includes(m);
  let rowFilter: BoundFilter | null = null;
  if (p.rowFilters !== null) {
    rowFilter = p.rowFilters.length === 0 ? { deny: true } : { and: p.rowFilters.map((f) => bind(f, ctx)) };
  }
  return {
    key: p.key,
    grants: (m) =>
      p.memberLevel === null || grants(p.memberLevel, m)
        ? 'full'
        : p.memberMasking !== null && grants(p.memberMasking, m)
          ? 'masked'
          : null,
    rowFilter,
    minGroupSize: p.minGroupSize ?? 0,
    protectColumns: p.protectColumns,
  };
}

/**
 * The rows a set of policies lets through (Cube's rule): any policy without row filters lets every
 * row through; otherwise the filters of one key are AND-ed and the keys OR-ed. A policy with
 * `allow_all: false` and no filters adds nothing to its key; a key with only such policies adds no
 * rows (Cube would then add no filter at all; we deny, which is never more).
 */
export function combineRows(policies: readonly AppliedPolicy[]): BoundFilter | null {
  if (policies.length === 0) return { deny: true };
  if (policies.some((p) => p.rowFilter === null)) return null;
  const byKey = new Map<string, BoundFilter[]>();
  for (const p of policies) {
    const list = byKey.get(p.key) ?? [];
    list.push(p.rowFilter!);
    byKey.set(p.key, list);
  }
  const branches = [...byKey.values()].map((list): BoundFilter => {
    const real = list.filter((f) => !('deny' in f));
    if (real.length === 0) return { deny: true };
    return real.length === 1 ? real[0]! : { and: real };
  });
  return branches.length === 1 ? branches[0]! : { or: branches };
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
      /\{\s*(?:securityContext|security_context|userAttributes|user_attributes)\.([A-Za-z0-9_.]+)\s*\}/g,
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
  return /^\{\s*(?:securityContext|security_context|userAttributes|user_attributes)\.([A-Za-z0-9_.]+)\s*\}$/.exec(
    s.trim(),
  )?.[1];
}

const RANK: Record<MemberAccess, number> = { full: 0, masked: 1, hidden: 2 };

/**
 * A view's access. As in Cube, the view's own policies decide its members: a view may expose a
 * member its cube hides by member_level (a view without policies exposes all it includes), and the
 * cubes' row filters still apply underneath (see `narrowForQuery`). Stricter than Cube: a member its
 * cube masks stays masked through the view, one hidden for safety (`pinned`) stays hidden, and a
 * member of a cube denied to the caller is hidden.
 */
function viewAccess(view: ViewDef, cubes: Map<string, EntityAccess>, ctx: SecurityContext): EntityAccess {
  const own = evaluatePolicies(view.policies, [...view.members.keys()], ctx);
  const rootAccess = cubes.get(view.root);
  if (!rootAccess?.allowed) own.allowed = false;
  for (const [name, vm] of view.members) {
    const cubeAccess = cubes.get(vm.cube);
    const viewState = own.members.get(name) ?? 'hidden';
    let floor: MemberAccess = 'full';
    if (!cubeAccess?.allowed || cubeAccess.pinned.has(vm.member)) floor = 'hidden';
    else if (cubeAccess.members.get(vm.member) === 'masked') floor = 'masked';
    own.members.set(name, RANK[floor] > RANK[viewState] ? floor : viewState);
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
    applied: null,
    pinned: new Set(),
  });
  const cubes = new Map<string, EntityAccess>();
  for (const c of model.cubes.values())
    cubes.set(c.name, open([...c.dimensions.keys(), ...c.measures.keys(), ...c.segments.keys()]));
  const views = new Map<string, EntityAccess>();
  for (const v of model.views.values()) views.set(v.name, open([...v.members.keys()]));
  return { cubes, views };
}
