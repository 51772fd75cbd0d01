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
