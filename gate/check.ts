import { type AstNode, isNode, transform } from './ast.ts';
import { collectCteNames, cteReference, renameCteDefinitions } from './cte.ts';
import { PolicyRefusedError } from './errors.ts';
import { checkSizeArguments } from './size-guard.ts';

const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
const TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'EMPTY', 'EXPRESSION_LIST', 'PIVOT']);
const FUNCTION_CLASSES = new Set(['FUNCTION', 'WINDOW', 'AGGREGATE']);

const SYSTEM_NAMES = /^(duckdb_|information_schema|pg_catalog|pg_|sqlite_|__ducklake)/i;

export interface CheckInput {
  ast: AstNode;
  /** Governed relation names (lower case) the caller may query. */
  governed: ReadonlySet<string>;
  /** Function names (lower case) a statement may call. */
  functions: ReadonlySet<string>;
  /** Replace a governed reference with its policy subquery table ref. */
  substitute: (name: string, ref: AstNode) => AstNode;
}

/**
 * Check a parsed statement against the gate's rules and substitute every governed relation with
 * the caller's policy subquery, in one pass. Throws PolicyRefusedError with the first reason.
 * Returns the rewritten tree and the governed relations it touched.
 */
export function checkAndRewrite(input: CheckInput): { ast: AstNode; relations: string[] } {
  const { ast } = input;
  if (ast.error === true) {
    const kind = String(ast.error_type ?? '');
    if (kind === 'not implemented') {
      throw new PolicyRefusedError(
        'Only SELECT statements are allowed: this statement would change or configure something.',
      );
    }
    throw new PolicyRefusedError(
      `The statement could not be parsed: ${String(ast.error_message ?? '').split('\n')[0]}`,
    );
  }
  const statements = ast.statements;
  if (!Array.isArray(statements) || statements.length !== 1) {
    throw new PolicyRefusedError('Send exactly one SELECT statement at a time.');
  }
  const ctes = collectCteNames(ast);
  for (const name of ctes.internal.keys()) {
    if (input.governed.has(name)) {
      throw new PolicyRefusedError(
        `A WITH clause may not reuse the name of the governed relation "${name}".`,
      );
    }
  }
  const touched = new Set<string>();
  const rewritten = transform(renameCteDefinitions(ast, ctes), (node) => {
    if (typeof node.class === 'string') {
      checkExpression(node, input.functions);
      return undefined;
    }
    const type = node.type;
    if (typeof type !== 'string') return undefined;
    if (type.endsWith('_NODE')) {
      if (!QUERY_NODES.has(type)) throw new PolicyRefusedError('Only plain SELECT queries are allowed.');
      return undefined;
    }
    if (!('sample' in node) || !('alias' in node)) return undefined;
    if (!TABLE_REFS.has(type)) throw refuseTableRef(node);
    if (type !== 'BASE_TABLE') return undefined;
    const name = String(node.table_name ?? '');
    const lower = name.toLowerCase();
    if (node.catalog_name || node.schema_name) {
      throw new PolicyRefusedError(
        `"${[node.catalog_name, node.schema_name, name].filter(Boolean).join('.')}" is not allowed: name governed relations without a catalog or schema (for example "${name}").`,
      );
    }
    if (node.at_clause !== null && node.at_clause !== undefined) {
      throw new PolicyRefusedError('Time travel (AT …) is not available on governed relations.');
    }
    const cte = cteReference(node, ctes);
    if (cte) return cte;
    if (!input.governed.has(lower)) {
      if (SYSTEM_NAMES.test(name))
        throw new PolicyRefusedError(`System catalogs such as "${name}" cannot be queried.`);
      if (/[./\\:]/.test(name))
        throw new PolicyRefusedError('Files and paths cannot be read; query a governed relation instead.');
      throw new PolicyRefusedError(`"${name}" is not a governed relation you can query.`);
    }
    touched.add(lower);
    return input.substitute(lower, node);
  });
  return { ast: rewritten as AstNode, relations: [...touched].sort() };
}

function checkExpression(node: AstNode, functions: ReadonlySet<string>): void {
  const cls = String(node.class);
  if (cls === 'PARAMETER')
    throw new PolicyRefusedError(
      'Prepared-statement parameters are not accepted; write the values in the query.',
    );
  if (!FUNCTION_CLASSES.has(cls)) return;
  const name = String(node.function_name ?? '').toLowerCase();
  // The parser itself spells list, struct and row literals as `main.list_value(…)` and friends;
  // `main` here is the built-in functions' schema. Any other schema or catalog is refused.
  const schema = String(node.schema ?? '');
  if ((schema !== '' && schema !== 'main') || (node.catalog && node.catalog !== '')) {
    throw new PolicyRefusedError(`Functions cannot be called through a schema or catalog ("${name}").`);
  }
  if (node.is_operator === true && !/^[a-z_][a-z0-9_]*$/.test(name)) return;
  if (!functions.has(name)) {
    throw new PolicyRefusedError(`The function "${name}" is not allowed in governed SQL.`);
  }
  checkSizeArguments(name, node);
}

function refuseTableRef(node: AstNode): PolicyRefusedError {
  switch (node.type) {
    case 'TABLE_FUNCTION': {
      const fn = isNode(node.function) ? String(node.function.function_name ?? '') : '';
      return new PolicyRefusedError(
        `Table functions such as "${fn}" are not allowed: they read files, other databases or system state.`,
      );
    }
    case 'SHOW_REF':
      return new PolicyRefusedError(
        'DESCRIBE, SHOW and SUMMARIZE are not available; use the model explorer.',
      );
    default:
      return new PolicyRefusedError(`This kind of FROM clause (${String(node.type)}) is not allowed.`);
  }
}
