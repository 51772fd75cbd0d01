import { randomUUID } from 'node:crypto';
/**
 * DuckDB's own parse tree, as `json_serialize_sql` prints it. We only ever read and rewrite this
 * tree; SQL text is never inspected with patterns.
 */
export type AstNode = { [key: string]: AstValue };
export type AstValue = AstNode | AstValue[] | string | number | boolean | null;

export function isNode(v: AstValue | undefined): v is AstNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Visit every node depth-first. `visit` may return a replacement node, which is not descended
 * into (so substituted policy subqueries are not checked as user SQL).
 */
export function transform(
  value: AstValue,
  visit: (node: AstNode, path: string[]) => AstNode | undefined,
  path: string[] = [],
): AstValue {
  if (Array.isArray(value)) return value.map((v, i) => transform(v, visit, [...path, String(i)]));
  if (!isNode(value)) return value;
  const replaced = visit(value, path);
  if (replaced) return replaced;
  const out: AstNode = {};
  for (const [k, v] of Object.entries(value)) out[k] = transform(v, visit, [...path, k]);
  return out;
}

/** Compare two trees, ignoring source positions (they differ after a round trip through text). */
export function sameTree(a: AstValue, b: AstValue): boolean {
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameTree(v, b[i] as AstValue));
  if (isNode(a)) {
    if (!isNode(b)) return false;
    const ka = Object.keys(a).filter((k) => k !== 'query_location');
    const kb = Object.keys(b).filter((k) => k !== 'query_location');
    return ka.length === kb.length && ka.every((k) => sameTree(a[k] as AstValue, b[k] as AstValue));
  }
  return a === b;
}

/**
 * JSON numbers JavaScript cannot carry exactly (DOUBLE constants such as `1e3` or `50.0`, integers
 * beyond 2^53, HUGEINT halves, "no location" markers) travel through the tree as tagged strings
 * holding their original text, and are written back verbatim. Otherwise `1e3` would come back as
 * the integer `1000` (which DuckDB rejects where it expects a double) and `9007199254740993` would
 * silently become another number. The tag is random per process, so no SQL literal can forge it.
 */
const NUMBER_TAG = `\u0001n${randomUUID().slice(0, 8)}:`;
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const TAGGED = new RegExp(`"\\\\u0001${NUMBER_TAG.slice(1)}([-+.0-9eE]+)"`, 'g');

/** Parse `json_serialize_sql` output without losing any number. */
export function parseAst(json: string): AstNode {
  const safe = json.replace(TOKEN, (token) => {
    if (token.startsWith('"')) return token;
    if (!/[.eE]/.test(token) && Number.isSafeInteger(Number(token))) return token;
    return JSON.stringify(NUMBER_TAG + token);
  });
  return JSON.parse(safe) as AstNode;
}

/** The inverse of `parseAst`: JSON for `json_deserialize_sql`, every number as it was read. */
export function stringifyAst(ast: AstValue): string {
  return JSON.stringify(ast).replace(TAGGED, (_m, raw: string) => raw);
}

/**
 * Boolean constants as DuckDB's parser writes them. `x IS [NOT] TRUE` / `IS [NOT] FALSE` parse to a
 * comparison with a BOOLEAN constant, which prints as `true`; but `true` parses back as
 * `CAST('t' AS BOOLEAN)`. Writing the constant in that form first makes the printed statement parse
 * back to the very tree that was checked (same value, same meaning).
 */
export function canonicalBooleans(value: AstValue): AstValue {
  return transform(value, (node) => {
    if (node.class !== 'CONSTANT' || node.type !== 'VALUE_CONSTANT' || !isNode(node.value)) return undefined;
    const v = node.value;
    if (!isNode(v.type) || v.type.id !== 'BOOLEAN' || v.is_null !== false || typeof v.value !== 'boolean') {
      return undefined;
    }
    return {
      class: 'CAST',
      type: 'OPERATOR_CAST',
      alias: node.alias ?? '',
      query_location: node.query_location ?? 0,
      child: {
        class: 'CONSTANT',
        type: 'VALUE_CONSTANT',
        alias: '',
        query_location: node.query_location ?? 0,
        value: { type: { id: 'VARCHAR', type_info: null }, is_null: false, value: v.value ? 't' : 'f' },
      },
      cast_type: { id: 'BOOLEAN', type_info: null },
      try_cast: false,
    };
  });
}
