import type { Lakehouse, ResultColumn } from '../lakehouse/index.ts';
import { type AstNode, canonicalBooleans, isNode, parseAst, sameTree, stringifyAst } from './ast.ts';
import { checkAndRewrite } from './check.ts';
import { PolicyRefusedError } from './errors.ts';
import { allowedFunctions } from './functions.ts';
import { sanitizeEngineError } from './sanitize.ts';

/** A relation a caller may query: its name and the trusted SELECT that already applies their policy. */
export interface GovernedRelation {
  name: string;
  /** A SELECT over lake tables with the caller's row filters and masks applied; literals inlined. */
  sql: string;
  /**
   * `false` only when `sql` returns every base row (no row policy anywhere in it, masks at most):
   * the gate may then leave out the barrier that keeps the caller's expressions off rows the
   * policy removes. Absent means the relation filters rows.
   */
  rowsFiltered?: boolean;
}

/**
 * The optimisation barrier between a row policy and the caller's SQL. DuckDB pushes a caller's
 * predicate down to the base scan, below the policy's filter, where a function that can raise
 * (`json_extract`, a cast, a division, `strptime`, …) runs on rows the caller may not see and
 * turns their values into "error or not". A filter is never moved across a LIMIT (that would
 * change which rows are counted), in either direction, so the policy's rows are fixed before any
 * caller expression sees one. DuckDB runs it as a streaming limit that never stops, and prunes
 * unused columns through it. A MATERIALIZED CTE is no barrier: DuckDB 1.4 pushes filters into it.
 */
export const POLICY_BARRIER_LIMIT = '9223372036854775807';

/** Where the gate learns which relations a caller may see, and as what. */
export type RelationSource<Ctx> = (
  ctx: Ctx,
) => Promise<readonly GovernedRelation[]> | readonly GovernedRelation[];

export interface GateOptions<Ctx> {
  lake: Lakehouse;
  relations: RelationSource<Ctx>;
  /** Rows returned at most; more set `truncated`. */
  maxRows?: number;
  timeoutMs?: number;
}

/** What `governedSql` returns. */
export interface GovernedResult {
  columns: ResultColumn[];
  rows: unknown[][];
  truncated: boolean;
  /** The statement that ran, with every governed relation replaced by the caller's policy subquery. */
  sqlExecuted: string;
  /** The governed relations the statement touched. */
  relations: string[];
}

/**
 * The governed SQL gate: every statement a person or a model writes passes through here.
 * Parsed by DuckDB's own parser, checked (one SELECT, governed relations only, allowed functions
 * only), rewritten so each relation is the caller's policy subquery, verified by a second parse,
 * and run on the lake's locked-down engine with a timeout and a row cap.
 *
 * @example
 * const gate = await Gate.create({ lake, relations: (ctx) => semantic.governedRelations(ctx) });
 * const r = await gate.governedSql('SELECT count(*) FROM patients', ctx);
 */
export class Gate<Ctx> {
  readonly #policyAst = new Map<string, AstNode>();

  private constructor(
    private readonly options: GateOptions<Ctx>,
    private readonly functions: ReadonlySet<string>,
  ) {}

  static async create<Ctx>(options: GateOptions<Ctx>): Promise<Gate<Ctx>> {
    return new Gate(options, await allowedFunctions(options.lake));
  }

  /** Check and rewrite without running: the SQL that would execute, or a refusal. */
  async prepare(sql: string, ctx: Ctx): Promise<{ sql: string; relations: string[] }> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new PolicyRefusedError('The statement is empty.');
    if (sql.length > 100_000)
      throw new PolicyRefusedError('The statement is longer than 100,000 characters.');
    const relations = await this.options.relations(ctx);
    const byName = new Map(relations.map((r) => [r.name.toLowerCase(), r]));
    const policyTrees = new Map<string, AstNode>();
    for (const [name, rel] of byName) policyTrees.set(name, await this.#policyTree(rel));

    const ast = await this.#parse(sql);
    if (ast.error === true && ast.error_type === 'not implemented') await this.#refuseExpandedPivot(sql);
    const { ast: rewritten, relations: touched } = checkAndRewrite({
      ast,
      governed: new Set(byName.keys()),
      functions: this.functions,
      substitute: (name, ref) => ({
        type: 'SUBQUERY',
        alias: String(ref.alias || ref.table_name),
        sample: ref.sample ?? null,
        query_location: ref.query_location ?? 0,
        subquery: policyTrees.get(name) as AstNode,
        column_name_alias: ref.column_name_alias ?? [],
      }),
    });
    const checked = canonicalBooleans(rewritten) as AstNode;
    const text = await this.#deparse(checked);
    // What runs must be exactly what was checked: parse the final text again and compare.
    const again = await this.#parse(text);
    if (!sameTree(again, checked)) {
      throw new PolicyRefusedError(
        'The statement uses a construct the gate cannot verify; rewrite it more plainly.',
      );
    }
    return { sql: text, relations: touched };
  }

  /** Run one governed statement for `ctx`: `{ columns, rows, truncated, sqlExecuted }`. */
  async governedSql(
    sql: string,
    ctx: Ctx,
    limits: { maxRows?: number; timeoutMs?: number } = {},
  ): Promise<GovernedResult> {
    const prepared = await this.prepare(sql, ctx);
    const maxRows = limits.maxRows ?? this.options.maxRows ?? 10_000;
    try {
      const r = await this.options.lake.query(prepared.sql, [], {
        maxRows,
        timeoutMs: limits.timeoutMs ?? this.options.timeoutMs,
        isolated: true,
      });
      return {
        columns: r.columns,
        rows: r.rows,
        truncated: r.truncated,
        sqlExecuted: prepared.sql,
        relations: prepared.relations,
      };
    } catch (err) {
      throw sanitizeEngineError(err);
    }
  }

  /**
   * A PIVOT without an IN list is read-only, but DuckDB runs it as two statements: it first
   * creates a type from the values it finds (a catalog write the gate cannot check against the
   * policies), then pivots. It is the one statement that stays "not implemented" when it is put in
   * a subquery, so say what to write instead of calling it a write. The wrapped text is only
   * parsed here, never run.
   */
  async #refuseExpandedPivot(sql: string): Promise<void> {
    const wrapped = await this.#parse(`SELECT * FROM (${sql}\n)`);
    if (wrapped.error === true && wrapped.error_type === 'not implemented') {
      throw new PolicyRefusedError(
        "A PIVOT must list the values it spreads into columns: write PIVOT … ON column IN ('a', 'b') USING …, or SELECT … FROM t PIVOT (sum(x) FOR column IN ('a', 'b')).",
      );
    }
  }

  async #policyTree(rel: GovernedRelation): Promise<AstNode> {
    const sql =
      rel.rowsFiltered === false
        ? rel.sql
        : `SELECT * FROM (${rel.sql}) AS __gate_policy_rows LIMIT ${POLICY_BARRIER_LIMIT}`;
    const cached = this.#policyAst.get(sql);
    if (cached) return cached;
    const ast = await this.#parse(sql);
    const stmt = Array.isArray(ast.statements) ? ast.statements[0] : undefined;
    if (ast.error === true || !isNode(stmt) || (ast.statements as unknown[]).length !== 1) {
      throw new Error(`policy SQL for ${rel.name} is not a single SELECT`);
    }
    if (this.#policyAst.size > 1000) this.#policyAst.clear();
    this.#policyAst.set(sql, stmt);
    return stmt;
  }

  async #parse(sql: string): Promise<AstNode> {
    const r = await this.options.lake.query('SELECT json_serialize_sql($1::VARCHAR)', [sql], {
      isolated: true,
    });
    return parseAst(String(r.rows[0]?.[0]));
  }

  async #deparse(ast: AstNode): Promise<string> {
    let r: Awaited<ReturnType<Lakehouse['query']>>;
    try {
      r = await this.options.lake.query('SELECT json_deserialize_sql($1::JSON)', [stringifyAst(ast)], {
        isolated: true,
      });
    } catch {
      // DuckDB could not turn the checked tree back into SQL; its message would quote the policy.
      throw new PolicyRefusedError(
        'The statement uses a construct the gate cannot verify; rewrite it more plainly.',
      );
    }
    return String(r.rows[0]?.[0]);
  }
}
