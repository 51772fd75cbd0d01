// `MEASURE(name)` as Cube's SQL API spells it: a measure of the cube or view in FROM, aggregated
// over the columns the caller may see. When a query groups, a measure may also be named like a
// column. The rewrite happens on DuckDB's own parse tree; the result is ordinary SQL that the
// governed SQL gate then checks and runs like any other statement (row policies, masks, limits).
import { WireError } from './errors.ts';
import { mapCode } from './sql-text.ts';

/** A relation's columns and measures, each measure as an aggregate SQL expression over the columns. */
export interface RelationMeasures {
  columns: Set<string>;
  measures: Map<string, string>;
}

type Node = Record<string, unknown>;

/** Parses statements and expressions into DuckDB's tree and back (the catalog database does this). */
export interface TreeCodec {
  serialize(sql: string): Promise<Node | undefined>;
  deserialize(tree: Node): Promise<string>;
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether the text could use a measure (so the parse-and-rewrite round trip is worth it). */
function mayUseMeasures(sql: string, names: ReadonlySet<string>): boolean {
  let hit = false;
  mapCode(sql, (code) => {
    if (/\bmeasure\s*\(/i.test(code)) hit = true;
    else if (/\bgroup\s+by\b/i.test(code) || hit) {
      for (const w of code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (names.has(w.toLowerCase())) hit = true;
    }
    return code;
  });
  return hit;
}

/**
 * The statement with each `MEASURE(m)` (and, in a grouped SELECT, each bare `m` that is a measure
 * and not a column) replaced by the measure's aggregate over the relation in its FROM clause.
 *
 * @example await rewriteMeasures('SELECT gender, MEASURE(count) FROM patients GROUP BY 1', measures, codec)
 * // => 'SELECT gender, count_star() AS "count" FROM patients GROUP BY 1'
 */
export async function rewriteMeasures(
  sql: string,
  measures: ReadonlyMap<string, RelationMeasures>,
  codec: TreeCodec,
): Promise<string> {
  const names = new Set<string>();
  for (const r of measures.values()) for (const m of r.measures.keys()) names.add(m.toLowerCase());
  if (!mayUseMeasures(sql, names)) return sql;
  const tree = await codec.serialize(sql);
  if (!tree) return sql;
  const expressions = new Map<string, Node>();
  const expressionOf = async (sqlText: string): Promise<Node> => {
    const cached = expressions.get(sqlText);
    if (cached) return structuredClone(cached);
    const parsed = await codec.serialize(`SELECT ${sqlText}`);
    const stmt = (parsed?.statements as Node[] | undefined)?.[0];
    const expr = ((stmt?.node as Node | undefined)?.select_list as Node[] | undefined)?.[0];
    if (!expr) throw new Error('measure expression did not parse');
    expressions.set(sqlText, expr);
    return structuredClone(expr);
  };

  let changed = false;
  const visitSelect = async (select: Node): Promise<void> => {
    const from = relationsIn(select.from_table);
    const candidates = from.map((name) => measures.get(name)).filter((r): r is RelationMeasures => !!r);
    const find = (measure: string): string | undefined => {
      const hits = candidates.flatMap((r) =>
        [...r.measures].filter(([n]) => n.toLowerCase() === measure.toLowerCase()).map(([, sql]) => sql),
      );
      if (hits.length > 1)
        throw new WireError(
          'WIRE_UNSUPPORTED',
          `MEASURE(${measure}) is ambiguous: more than one relation in FROM has it.`,
          '42702',
        );
      return hits[0];
    };
    const isColumn = (name: string) =>
      candidates.some((r) => [...r.columns].some((c) => c.toLowerCase() === name));
    const grouped = Array.isArray(select.group_expressions) && select.group_expressions.length > 0;

    const rewrite = async (v: unknown, top: boolean): Promise<unknown> => {
      if (Array.isArray(v)) return Promise.all(v.map((x) => rewrite(x, top)));
      if (!isNode(v)) return v;
      if (v.type === 'SELECT_NODE' || v.type === 'SUBQUERY' || v.class === 'SUBQUERY') {
        await visitTree(v);
        return v;
      }
      const fn = v.class === 'FUNCTION' && String(v.function_name).toLowerCase() === 'measure';
      const bare =
        grouped &&
        v.class === 'COLUMN_REF' &&
        Array.isArray(v.column_names) &&
        v.column_names.length === 1 &&
        !isColumn(String(v.column_names[0]).toLowerCase()) &&
        names.has(String(v.column_names[0]).toLowerCase());
      if (fn || bare) {
        const arg = fn ? (v.children as Node[] | undefined)?.[0] : v;
        const cols = arg?.class === 'COLUMN_REF' ? (arg.column_names as string[]) : undefined;
        const name = cols?.[cols.length - 1];
        if (!name || (fn && (v.children as unknown[]).length !== 1))
          throw new WireError('WIRE_UNSUPPORTED', 'MEASURE() takes the name of one measure.', '42883');
        const aggregate = find(name);
        if (!aggregate)
          throw new WireError(
            'WIRE_UNSUPPORTED',
            `MEASURE(${name}): no measure of that name that you may use over SQL in the relation in FROM.`,
            '42703',
          );
        changed = true;
        const expr = await expressionOf(aggregate);
        expr.alias = typeof v.alias === 'string' && v.alias !== '' ? v.alias : top ? name : '';
        return expr;
      }
      const out: Node = {};
      for (const [k, x] of Object.entries(v)) out[k] = await rewrite(x, false);
      return out;
    };
    for (const key of ['select_list', 'having', 'qualify', 'where_clause']) {
      if (select[key] !== undefined) select[key] = await rewrite(select[key], key === 'select_list');
    }
    if (Array.isArray(select.modifiers)) select.modifiers = await rewrite(select.modifiers, false);
    if (select.from_table !== undefined) await visitTree(select.from_table);
    const ctes = (select.cte_map as Node | undefined)?.map;
    if (Array.isArray(ctes)) await visitTree(ctes);
  };
  const visitTree = async (v: unknown): Promise<void> => {
    if (Array.isArray(v)) {
      for (const x of v) await visitTree(x);
      return;
    }
    if (!isNode(v)) return;
    if (v.type === 'SELECT_NODE') {
      await visitSelect(v);
      return;
    }
    for (const x of Object.values(v)) await visitTree(x);
  };
  await visitTree(tree.statements);
  return changed ? codec.deserialize(tree) : sql;
}

/** Lower-case names of the base tables directly in a FROM clause (joins included, subqueries not). */
function relationsIn(from: unknown): string[] {
  if (!isNode(from)) return [];
  if (from.type === 'BASE_TABLE' && typeof from.table_name === 'string')
    return [from.table_name.toLowerCase()];
  if (from.type === 'JOIN') return [...relationsIn(from.left), ...relationsIn(from.right)];
  return [];
}
