import { type AstNode, type AstValue, isNode, transform } from './ast.ts';

/**
 * CTE names, made safe to resolve. DuckDB binds a name that is not a CTE in scope to the catalog
 * search path — and on the gate's connections that path still holds the system views
 * (`duckdb_tables`, `pg_settings`, `sqlite_master`, …). So a reference that merely matches some
 * CTE name elsewhere in the statement (out of its scope, or before its definition) must not be
 * waved through as a CTE. Instead every CTE is renamed to an internal name no catalog holds:
 * references DuckDB binds to the CTE still do (the renaming is one-to-one, so DuckDB's scoping is
 * unchanged), and any other reference fails to bind.
 */
export interface CteNames {
  /** Original (lower-case) CTE name → internal name. */
  readonly internal: ReadonlyMap<string, string>;
}

/** Internal CTE names start with this; no catalog object does. */
export const CTE_PREFIX = '__gate_cte_';

/** Every CTE name defined anywhere in the statement (lower case), each with its internal name. */
export function collectCteNames(root: AstValue): CteNames {
  const internal = new Map<string, string>();
  transform(root, (node) => {
    const cte = node.cte_map;
    if (isNode(cte) && Array.isArray(cte.map)) {
      for (const entry of cte.map) {
        if (!isNode(entry)) continue;
        const name = String(entry.key).toLowerCase();
        if (!internal.has(name)) internal.set(name, `${CTE_PREFIX}${internal.size}`);
      }
    }
    return undefined;
  });
  return { internal };
}

/** Rename CTE definitions (WITH keys and the recursive/materialized nodes' own names). */
export function renameCteDefinitions(value: AstValue, names: CteNames): AstValue {
  if (names.internal.size === 0) return value;
  const rename = (name: AstValue | undefined): string => {
    const key = String(name ?? '');
    return names.internal.get(key.toLowerCase()) ?? key;
  };
  const walk = (v: AstValue): AstValue => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isNode(v)) return v;
    const out: AstNode = {};
    for (const [k, child] of Object.entries(v)) out[k] = walk(child);
    if (isNode(out.cte_map) && Array.isArray(out.cte_map.map)) {
      out.cte_map = {
        ...out.cte_map,
        map: out.cte_map.map.map((e) => (isNode(e) ? { ...e, key: rename(e.key) } : e)),
      };
    }
    if ((v.type === 'RECURSIVE_CTE_NODE' || v.type === 'CTE_NODE') && typeof v.cte_name === 'string') {
      out.cte_name = rename(v.cte_name);
    }
    return out;
  };
  return walk(value);
}

/**
 * A FROM reference to a CTE, pointed at its internal name; the original name stays as the alias
 * so `x.column` keeps working. Undefined when `name` is no CTE's name.
 */
export function cteReference(node: AstNode, names: CteNames): AstNode | undefined {
  const name = String(node.table_name ?? '');
  const internal = names.internal.get(name.toLowerCase());
  if (!internal) return undefined;
  return { ...node, table_name: internal, alias: node.alias ? node.alias : name };
}
