import type { PolicyDef, PolicyFilter } from './model-types.ts';
import type { ModelReader } from './reader.ts';
import type { LNode } from './yaml-nodes.ts';

/** Filter operators, shared by queries and row-level policies. */
export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'set',
  'notSet',
  'inDateRange',
  'notInDateRange',
  'beforeDate',
  'beforeOrOnDate',
  'afterDate',
  'afterOrOnDate',
] as const;

/** Read `access_policy` (Cube's format: group/groups or role/roles, conditions, member_level, member_masking, row_level). */
export function readPolicies(r: ModelReader, node: LNode | undefined, path: string): PolicyDef[] | null {
  if (!node) return null;
  const out: PolicyDef[] = [];
  r.seq(node, path).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const m = r.map(item, p, [
      'role',
      'roles',
      'group',
      'groups',
      'conditions',
      'member_level',
      'member_masking',
      'row_level',
      'min_group_size',
      'protect_columns',
    ]);
    if (!m) return;
    const roles: string[] = [];
    const keys: string[] = [];
    for (const key of ['role', 'group'] as const) {
      const v = r.string(m.get(key), `${p}.${key}`);
      if (v !== undefined) {
        roles.push(v);
        keys.push(v);
      }
    }
    for (const key of ['roles', 'groups'] as const) {
      const v = r.nameList(m.get(key), `${p}.${key}`);
      if (v === '*') roles.push('*');
      else if (v) roles.push(...v);
      if (v) keys.push(v === '*' ? '*' : v.join(','));
    }
    if (roles.length === 0)
      r.error(item, p, 'a policy needs group, groups, role or roles ("*" for everyone)');
    const conditions: string[] = [];
    r.seq(m.get('conditions'), `${p}.conditions`).forEach((c, j) => {
      const cm = r.map(c, `${p}.conditions[${j}]`, ['if']);
      const expr = cm && r.string(cm.get('if'), `${p}.conditions[${j}].if`, true);
      if (expr === undefined) return;
      if (
        !/^\{\s*(securityContext|security_context|userAttributes|user_attributes)\.[A-Za-z0-9_.]+\s*\}$/.test(
          expr.trim(),
        )
      ) {
        r.error(c, `${p}.conditions[${j}].if`, 'only "{ securityContext.x }" conditions are supported');
        return;
      }
      conditions.push(expr);
    });
    const level = (key: 'member_level' | 'member_masking') => {
      const lm = r.map(m.get(key), `${p}.${key}`, ['includes', 'excludes']);
      if (!lm) return null;
      const includes = r.nameList(lm.get('includes'), `${p}.${key}.includes`) ?? '*';
      const ex = r.nameList(lm.get('excludes'), `${p}.${key}.excludes`) ?? [];
      // Excluding everything is the same as including nothing.
      return ex === '*' ? { includes: [] as string[], excludes: [] } : { includes, excludes: ex };
    };
    let rowFilters: PolicyFilter[] | null = null;
    const rl = r.map(m.get('row_level'), `${p}.row_level`, ['filters', 'allow_all']);
    if (rl) {
      const allowAll = r.bool(rl.get('allow_all'), `${p}.row_level.allow_all`);
      const filters = rl.has('filters')
        ? readFilters(r, rl.get('filters'), `${p}.row_level.filters`)
        : undefined;
      if (allowAll === true && filters)
        r.error(item, `${p}.row_level`, 'allow_all: true and filters contradict each other');
      if (allowAll === false && !filters) rowFilters = [];
      else if (filters) rowFilters = filters;
    }
    let minGroupSize: number | null = null;
    const mg = m.get('min_group_size');
    if (mg) {
      const v = mg.kind === 'scalar' ? mg.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 2 || v > 1000)
        r.error(mg, `${p}.min_group_size`, 'is a whole number of persons from 2 to 1000 (11 is usual)');
      else minGroupSize = v;
    }
    const protect = r.bool(m.get('protect_columns'), `${p}.protect_columns`);
    out.push({
      roles,
      key: keys[0] ?? 'default',
      protectColumns: protect !== false,
      conditions,
      memberLevel: level('member_level'),
      memberMasking: level('member_masking'),
      rowFilters,
      minGroupSize,
      pos: { file: r.file, line: item.line },
    });
  });
  return out;
}

function readFilters(r: ModelReader, node: LNode | undefined, path: string): PolicyFilter[] {
  const out: PolicyFilter[] = [];
  r.seq(node, path).forEach((item, i) => {
    const f = readFilter(r, item, `${path}[${i}]`);
    if (f) out.push(f);
  });
  return out;
}

function readFilter(r: ModelReader, node: LNode, path: string): PolicyFilter | undefined {
  const m = r.map(node, path, ['member', 'operator', 'values', 'and', 'or']);
  if (!m) return undefined;
  if (m.has('and')) return { and: readFilters(r, m.get('and'), `${path}.and`) };
  if (m.has('or')) return { or: readFilters(r, m.get('or'), `${path}.or`) };
  const member = r.string(m.get('member'), `${path}.member`, true);
  const operator = r.oneOf(m.get('operator'), `${path}.operator`, FILTER_OPERATORS);
  if (!m.has('operator')) r.error(node, `${path}.operator`, 'is required');
  const valuesNode = m.get('values');
  let values: string[] = [];
  if (valuesNode?.kind === 'scalar' && valuesNode.value !== null) values = [String(valuesNode.value)];
  else
    values = r
      .seq(valuesNode, `${path}.values`)
      .map((v, j) => r.string(v, `${path}.values[${j}]`, true) ?? '');
  if (operator && !['set', 'notSet'].includes(operator) && values.length === 0) {
    r.error(node, `${path}.values`, `operator ${operator} needs values`);
  }
  if (member === undefined || operator === undefined) return undefined;
  return { member, operator, values };
}
