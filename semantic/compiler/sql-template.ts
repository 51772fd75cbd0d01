import type { SemanticModel, SqlPart, SqlTemplate } from './model-types.ts';

/** A reference as written, before names are resolved against the model. */
export type RawRef =
  | { kind: 'cube' }
  | { kind: 'name'; name: string }
  | { kind: 'path'; cube: string; member: string };

/** The parts of `{…}` templates: text and raw references (`{CUBE}`, `{name}`, `{a.b}`). */
export function splitTemplate(sql: string): { parts: Array<string | RawRef>; problems: string[] } {
  const parts: Array<string | RawRef> = [];
  const problems: string[] = [];
  if (sql.includes('{{') || sql.includes('{%'))
    problems.push('Jinja templates ({{ }}, {% %}) are not supported');
  let last = 0;
  for (const m of sql.matchAll(/\{([^{}]*)\}/g)) {
    // JavaScript-style `${CUBE}` (Cube's JS models, and YAML copied from them) is `{CUBE}`.
    const dollar = (m.index ?? 0) > last && sql[(m.index ?? 0) - 1] === '$' ? 1 : 0;
    parts.push(sql.slice(last, (m.index ?? 0) - dollar));
    last = (m.index ?? 0) + m[0].length;
    const inner = (m[1] ?? '').trim();
    if (inner === 'CUBE') {
      parts.push({ kind: 'cube' });
      continue;
    }
    if (
      /^(SECURITY_CONTEXT|securityContext|userAttributes|COMPILE_CONTEXT|FILTER_PARAMS|FILTER_GROUP|SQL_UTILS)\b/.test(
        inner,
      )
    ) {
      problems.push(
        `{${inner}} is not supported in member SQL (use access_policy row filters for security context)`,
      );
      continue;
    }
    const path = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/.exec(inner);
    if (!path) {
      problems.push(
        `{${inner}} is not a reference Cube models support here ({CUBE}, {member}, {cube.member})`,
      );
      continue;
    }
    const [, a, b] = path as unknown as [string, string, string | undefined];
    if (b === undefined) parts.push({ kind: 'name', name: a });
    else parts.push({ kind: 'path', cube: a === 'CUBE' ? '' : a, member: b });
  }
  parts.push(sql.slice(last));
  return { parts: parts.filter((p) => p !== ''), problems };
}

const LITERALS = new Set(['true', 'false', 'null', 'current_date', 'current_timestamp', 'now']);

/**
 * Cube's rule for member SQL that is a bare column (`sql: id`): it is the column of the member's
 * own cube, so it is qualified with the cube's alias (`"orders".id`). Without it two joined cubes
 * sharing a column name make the SQL ambiguous. Anything else is left as written.
 */
export function qualifyBareColumn(parts: Array<string | RawRef>): Array<string | RawRef> {
  if (parts.length !== 1 || typeof parts[0] !== 'string') return parts;
  const text = parts[0].trim();
  const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && !LITERALS.has(text.toLowerCase());
  const quoted = /^"(?:[^"]|"")+"$/.test(text);
  return bare || quoted ? [{ kind: 'cube' }, `.${text}`] : parts;
}

/** Render a template: `alias(cube)` gives a cube's SQL alias, `member(cube, name)` a member's SQL. */
export function renderTemplate(
  tpl: SqlTemplate,
  alias: (cube: string) => string,
  member: (cube: string, name: string) => string,
): string {
  let out = '';
  for (const p of tpl) {
    if (p.t === 'text') out += p.s;
    else if (p.t === 'cube') out += alias(p.cube);
    else out += `(${member(p.cube, p.member)})`;
  }
  return out;
}

const KEYWORDS = new Set(
  `select from where and or not null is in as case when then else end cast true false like ilike
   between distinct interval date timestamp varchar integer bigint double decimal boolean text
   year month day hour minute second week quarter asc desc over partition by filter exists
   any all some array struct current_date current_timestamp now`.split(/\s+/),
);

/**
 * Raw columns a template reads directly (not through member references), lower-cased: the
 * identifiers in its text outside string literals that are not keywords or function names.
 * Over-approximate on purpose: it decides which members could reveal a masked column.
 */
export function rawColumns(tpl: SqlTemplate): Set<string> {
  const text = tpl.map((p) => (p.t === 'text' ? p.s : ' ')).join('');
  const stripped = text.replace(/'(?:[^']|'')*'/g, ' ');
  const out = new Set<string>();
  for (const m of stripped.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    if (m[1] !== undefined) {
      out.add(m[1].replaceAll('""', '"').toLowerCase());
      continue;
    }
    const id = (m[2] ?? '').toLowerCase();
    if (m[3] || KEYWORDS.has(id)) continue;
    out.add(id);
  }
  return out;
}

/** Members a template references, as `cube.member`. */
export function memberRefs(tpl: SqlTemplate): Array<{ cube: string; member: string }> {
  return tpl.filter((p): p is Extract<SqlPart, { t: 'member' }> => p.t === 'member');
}

/** Whether a (number) measure's SQL combines other measures, rather than aggregating rows itself. */
export function readsMeasures(model: SemanticModel, tpl: SqlTemplate | undefined): boolean {
  return (tpl ?? []).some(
    (p) => p.t === 'member' && model.cubes.get(p.cube)?.measures.has(p.member) === true,
  );
}

/**
 * The other cubes a dimension's SQL reads (`{users.city}` in an orders dimension), followed
 * through the dimensions it references: a query using the dimension must join them.
 *
 * @example dimensionCubeRefs(model, 'orders', 'user_city') // Set { 'users' }
 */
export function dimensionCubeRefs(model: SemanticModel, cube: string, member: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (c: string, m: string) => {
    const key = `${c}.${m}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (const p of model.cubes.get(c)?.dimensions.get(m)?.sql ?? [])
      if (p.t === 'member' && model.cubes.get(p.cube)?.dimensions.has(p.member)) {
        if (p.cube !== cube) out.add(p.cube);
        visit(p.cube, p.member);
      }
  };
  visit(cube, member);
  return out;
}
