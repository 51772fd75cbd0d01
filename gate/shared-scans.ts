import { type AstNode, type AstValue, isNode } from './ast.ts';

/**
 * One scan shared by several row policies. A clinician's `patients` policy reads "patients seen at
 * my organization" (`id IN (SELECT patient FROM lake.main.encounters WHERE organization = …)`), and
 * the `encounters` relation in the same statement is `SELECT * FROM lake.main.encounters WHERE
 * organization = …`: DuckDB scans and decrypts encounters twice. Inside the trusted policy
 * subqueries (never the caller's SQL), every plain filtered scan of a lake table — same table, same
 * snapshot, same alias, same uncorrelated WHERE — that the statement reaches more than once is
 * hoisted into one CTE, and each occurrence reads that CTE instead (DuckDB materializes a CTE
 * referenced more than once, so the table is scanned once).
 *
 * Exactness: the CTE holds exactly the rows the occurrence's FROM + WHERE produced, so each policy
 * returns what it returned before. The CTE keeps only the columns the statement can name (see
 * `shareRepeatedScans`), so a statement that can reach columns implicitly (`*`, COLUMNS, a
 * whole-row reference, NATURAL JOIN, PIVOT, a positional `#n` or column aliases on a relation) is
 * not shared. The policy
 * barrier (a LIMIT above each policy) stays where it was: the caller's predicates still stop above
 * it and never reach the CTE. The CTE's name is internal: the caller's own CTEs are renamed to
 * `__gate_cte_N` and any other reference to it is refused as an ungoverned name.
 */
export const SHARED_SCAN_PREFIX = '__gate_shared_';

/** Builds one WITH entry: `name AS MATERIALIZED (SELECT <columns> FROM <from> WHERE <where>)`. */
export type SharedScanEntry = (
  name: string,
  from: AstNode,
  where: AstValue,
  columns: readonly string[],
) => AstNode;

interface Occurrence {
  node: AstNode;
  star: boolean;
  /** The policy table ref (a substituted SUBQUERY) whose subquery holds this scan. */
  ref: AstNode;
}

/**
 * Rewrite `root` (the checked statement, policies substituted) so repeated policy scans share one
 * CTE. `policyRefs` are the SUBQUERY table refs the gate substituted for governed relations;
 * `cteEntry` builds one WITH entry. Returns `root` unchanged when nothing repeats or the statement
 * could reach pruned columns.
 *
 * Which columns a CTE keeps: a DuckDB CTE read twice is materialized whole, columns the statement
 * never reads included, so every column kept costs a read and a copy of each row. A column of the
 * scan can be read only (a) by a name in a scan's own select list (`SELECT patient FROM …`), or
 * (b) through a relation whose policy exposes the scan's rows as `SELECT *` — by a name in that
 * policy, or a name the caller writes. A caller's `q.x` cannot reach the scan through (b) when `q`
 * names nothing in the statement but relations that do not expose it (the patients policy when
 * the shared scan is of encounters): DuckDB binds `q.x` to a table `q` or a struct column `q`, and
 * `q` itself is kept. Every other name is kept. A column missing from a CTE cannot make a name
 * bind elsewhere: the caller's bare names are all kept, and a qualified name is only dropped when
 * its qualifier is no binding that could hold it. Positional reads (`#n`, `rel AS e(a, b)`) are
 * not by name, so such statements keep their own scans.
 */
export function shareRepeatedScans(
  root: AstNode,
  policyRefs: ReadonlySet<AstNode>,
  cteEntry: SharedScanEntry,
): { ast: AstNode; shared: number } {
  /** Every column reference of the caller's SQL, its parts in lower case. */
  const callerRefs: string[][] = [];
  const usingNames = new Set<string>();
  /** Lower-case names the caller's SQL binds (aliases, CTE names, column aliases), policy refs aside. */
  const callerBindings = new Set<string>();
  const refAliases = new Map<AstNode, string>();
  let callerImplicit = false;
  let unsupported = false;
  let rowid = false;
  const groups = new Map<string, Occurrence[]>();

  const lower = (v: AstValue | undefined) => String(v ?? '').toLowerCase();
  const partsOf = (node: AstNode): string[] | undefined =>
    node.class === 'COLUMN_REF' && Array.isArray(node.column_names)
      ? node.column_names.map((n) => lower(n))
      : undefined;

  const walkPolicy = (v: AstValue, ref: AstNode): void => {
    if (Array.isArray(v)) {
      for (const c of v) walkPolicy(c, ref);
      return;
    }
    if (!isNode(v)) return;
    if (partsOf(v)?.includes('rowid')) rowid = true;
    const occurrence = candidate(v);
    if (occurrence) {
      const list = groups.get(occurrence.key) ?? [];
      list.push({ node: v, star: occurrence.star, ref });
      groups.set(occurrence.key, list);
    }
    for (const child of Object.values(v)) walkPolicy(child, ref);
  };

  const walkCaller = (v: AstValue): void => {
    if (Array.isArray(v)) {
      for (const c of v) walkCaller(c);
      return;
    }
    if (!isNode(v)) return;
    if (policyRefs.has(v)) {
      refAliases.set(v, lower(v.alias));
      // `governed AS e(a, b)` names the policy's columns by position.
      if ((v.column_name_alias as AstValue[] | undefined)?.length) callerImplicit = true;
      walkPolicy(v.subquery ?? null, v);
      return;
    }
    const parts = partsOf(v);
    if (parts) {
      callerRefs.push(parts);
      if (parts.includes('rowid')) rowid = true;
    }
    if (Array.isArray(v.using_columns)) for (const n of v.using_columns) usingNames.add(lower(n));
    if (typeof v.alias === 'string' && v.alias !== '') callerBindings.add(lower(v.alias));
    if (v.type === 'BASE_TABLE') callerBindings.add(lower(v.table_name));
    if (typeof v.cte_name === 'string') callerBindings.add(lower(v.cte_name));
    if (isNode(v.cte_map) && Array.isArray(v.cte_map.map)) {
      for (const e of v.cte_map.map) if (isNode(e)) callerBindings.add(lower(e.key));
    }
    if (Array.isArray(v.column_name_alias)) for (const n of v.column_name_alias) callerBindings.add(lower(n));
    if (v.class === 'STAR' || v.type === 'PIVOT' || v.ref_type === 'NATURAL') callerImplicit = true;
    // `#n` reads the n-th column of the FROM clause, whichever columns the scans keep.
    if (v.class === 'POSITIONAL_REFERENCE') callerImplicit = true;
    // DuckDB writes a MATERIALIZED CTE twice in its tree (a CTE_NODE chain beside the WITH map):
    // such statements keep their own scans rather than risk a tree that does not print back.
    if (v.type === 'CTE_NODE' || v.type === 'RECURSIVE_CTE_NODE') unsupported = true;
    for (const child of Object.values(v)) walkCaller(child);
  };
  walkCaller(root);
  if (unsupported || rowid) return { ast: root, shared: 0 };

  // A single-name column reference equal to a relation's alias is the whole row as a struct.
  const aliases = new Set(refAliases.values());
  if (callerRefs.some((parts) => parts.length === 1 && aliases.has(parts[0] as string)))
    callerImplicit = true;

  const replacements = new Map<AstNode, AstNode>();
  const entries: AstNode[] = [];
  for (const occurrences of groups.values()) {
    if (occurrences.length < 2) continue;
    if (occurrences.some((o) => o.star) && callerImplicit) continue;
    if (occurrences.every((o) => o.star)) continue; // no explicit column guarantees a non-empty list
    const first = occurrences[0]?.node as AstNode;
    const from = first.from_table as AstNode;
    const name = `${SHARED_SCAN_PREFIX}${entries.length}`;
    entries.push(cteEntry(name, from, first.where_clause as AstValue, columnsRead(occurrences)));
    const alias = String(from.alias || from.table_name);
    for (const o of occurrences) {
      replacements.set(o.node, {
        ...o.node,
        where_clause: null,
        from_table: {
          type: 'BASE_TABLE',
          alias,
          sample: null,
          query_location: from.query_location ?? 0,
          schema_name: '',
          table_name: name,
          column_name_alias: [],
          catalog_name: '',
          at_clause: null,
        },
      });
    }
  }
  if (!entries.length) return { ast: root, shared: 0 };

  const replace = (v: AstValue): AstValue => {
    if (Array.isArray(v)) return v.map(replace);
    if (!isNode(v)) return v;
    const swapped = replacements.get(v) ?? v;
    const out: AstNode = {};
    for (const [k, child] of Object.entries(swapped)) out[k] = replace(child);
    return out;
  };
  const ast = replace(root) as AstNode;
  const statement = (ast.statements as AstNode[] | undefined)?.[0];
  const top = isNode(statement) ? (statement.node as AstNode | undefined) : undefined;
  if (top?.type !== 'SELECT_NODE' && top?.type !== 'SET_OPERATION_NODE') return { ast: root, shared: 0 };
  const cteMap = top && isNode(top.cte_map) ? top.cte_map : undefined;
  if (!top || !cteMap || !Array.isArray(cteMap.map)) return { ast: root, shared: 0 };
  // Before the caller's own CTEs: their bodies may read governed relations that read these.
  top.cte_map = { ...cteMap, map: [...entries, ...cteMap.map] };
  return { ast, shared: entries.length };

  /** The column names a shared scan must keep for these occurrences (see above), sorted. */
  function columnsRead(occurrences: readonly Occurrence[]): string[] {
    const keep = new Set<string>();
    // The WHERE runs inside the CTE, on the base table: its names need no column of the CTE.
    const insideCte = new Set<AstNode>();
    for (const o of occurrences) {
      if (isNode(o.node.where_clause)) insideCte.add(o.node.where_clause);
      if (isNode(o.node.from_table)) insideCte.add(o.node.from_table);
    }
    const namesIn = (v: AstValue): void => {
      if (Array.isArray(v)) {
        for (const c of v) namesIn(c);
        return;
      }
      if (!isNode(v) || insideCte.has(v)) return;
      for (const part of partsOf(v) ?? []) keep.add(part);
      if (Array.isArray(v.using_columns)) for (const n of v.using_columns) keep.add(lower(n));
      for (const child of Object.values(v)) namesIn(child);
    };
    // (a) each scan's own select list (and anything else it holds but its FROM and WHERE).
    for (const o of occurrences) namesIn(o.node);
    const exposing = new Set(occurrences.filter((o) => o.star).map((o) => o.ref));
    if (exposing.size === 0) return [...keep].sort();
    // (b) the policies that expose the scan's rows, whole, and the caller's names.
    for (const ref of exposing) namesIn(ref.subquery ?? null);
    for (const n of usingNames) keep.add(n);
    const exposingAliases = new Set([...exposing].map((ref) => refAliases.get(ref)));
    const otherRelationsOnly = (q: string) =>
      aliases.has(q) && !exposingAliases.has(q) && !callerBindings.has(q);
    for (const parts of callerRefs) {
      const [q] = parts;
      if (parts.length === 2 && q !== undefined && otherRelationsOnly(q)) keep.add(q);
      else for (const part of parts) keep.add(part);
    }
    return [...keep].sort();
  }
}

/**
 * A plain filtered scan of one lake table: `SELECT … FROM lake.s.t [AS a] WHERE w` with nothing
 * else (no grouping, sample, modifiers or CTEs), whose WHERE holds no subquery and names columns
 * only bare or through the table's own alias (so it is not correlated to an outer query).
 */
function candidate(node: AstNode): { key: string; star: boolean } | undefined {
  if (node.type !== 'SELECT_NODE') return undefined;
  const from = node.from_table;
  if (!isNode(from) || from.type !== 'BASE_TABLE' || from.catalog_name !== 'lake' || from.sample) {
    return undefined;
  }
  if (!isNode(node.where_clause) || node.having || node.qualify || node.sample) return undefined;
  if ((node.group_expressions as AstValue[] | undefined)?.length) return undefined;
  if ((node.modifiers as AstValue[] | undefined)?.length) return undefined;
  if (node.aggregate_handling !== 'STANDARD_HANDLING') return undefined;
  const ctes = isNode(node.cte_map) ? node.cte_map.map : undefined;
  if (Array.isArray(ctes) && ctes.length) return undefined;
  const alias = String(from.alias || from.table_name).toLowerCase();
  if (!uncorrelated(node.where_clause, alias)) return undefined;
  const select = node.select_list as AstValue[];
  const star =
    select.length === 1 &&
    isNode(select[0]) &&
    select[0].class === 'STAR' &&
    select[0].columns === false &&
    !select[0].relation_name &&
    !(select[0].exclude_list as AstValue[]).length &&
    !(select[0].replace_list as AstValue[]).length;
  if (!star && !select.every((e) => isNode(e) && plainExpression(e))) return undefined;
  const key = JSON.stringify(
    stripLocations({ from: { ...from, query_location: 0 }, where: node.where_clause }),
  );
  return { key, star };
}

function uncorrelated(v: AstValue, alias: string): boolean {
  if (Array.isArray(v)) return v.every((c) => uncorrelated(c, alias));
  if (!isNode(v)) return true;
  if (v.class === 'SUBQUERY' || v.class === 'STAR') return false;
  if (v.class === 'COLUMN_REF') {
    const parts = (v.column_names as AstValue[]).map((p) => String(p).toLowerCase());
    return parts.length === 1 || (parts.length === 2 && parts[0] === alias);
  }
  return Object.values(v).every((c) => uncorrelated(c, alias));
}

/** An expression of the occurrence's own select list: no subquery and no star. */
function plainExpression(v: AstValue): boolean {
  if (Array.isArray(v)) return v.every(plainExpression);
  if (!isNode(v)) return true;
  if (v.class === 'SUBQUERY' || v.class === 'STAR') return false;
  return Object.values(v).every(plainExpression);
}

function stripLocations(v: AstValue): AstValue {
  if (Array.isArray(v)) return v.map(stripLocations);
  if (!isNode(v)) return v;
  const out: AstNode = {};
  for (const [k, child] of Object.entries(v)) if (k !== 'query_location') out[k] = stripLocations(child);
  return out;
}
