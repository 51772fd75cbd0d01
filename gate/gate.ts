import type { Lakehouse, ResultColumn } from '../lakehouse/index.ts';
import {
  type AstNode,
  type AstValue,
  canonicalBooleans,
  isNode,
  parseAst,
  sameTree,
  stringifyAst,
} from './ast.ts';
import { checkAndRewrite } from './check.ts';
import { GateError, PolicyRefusedError } from './errors.ts';
import { allowedFunctions } from './functions.ts';
import { sanitizeEngineError } from './sanitize.ts';
import { SHARED_SCAN_PREFIX, type SharedScanEntry, shareRepeatedScans } from './shared-scans.ts';

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

/**
 * Read the lake as it was: at a snapshot id, or at a point in time (the last snapshot committed at
 * or before it). Today's policies still apply: only the lake's tables under them are read as of then.
 */
export type AsOf = { snapshot: number } | { at: string };

/** What `governedSql` returns. */
export interface GovernedResult {
  columns: ResultColumn[];
  rows: unknown[][];
  truncated: boolean;
  /** The statement that ran, with every governed relation replaced by the caller's policy subquery. */
  sqlExecuted: string;
  /** The governed relations the statement touched. */
  relations: string[];
  /** The snapshot read, when the call asked for one (`asOf`). */
  snapshot?: number;
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
  #sharedTemplate: AstNode | undefined;

  private constructor(
    private readonly options: GateOptions<Ctx>,
    private readonly functions: ReadonlySet<string>,
  ) {}

  static async create<Ctx>(options: GateOptions<Ctx>): Promise<Gate<Ctx>> {
    return new Gate(options, await allowedFunctions(options.lake));
  }

  /** Check and rewrite without running: the SQL that would execute, or a refusal. */
  async prepare(
    sql: string,
    ctx: Ctx,
    options: { snapshot?: number; shareScans?: boolean } = {},
  ): Promise<{ sql: string; relations: string[] }> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new PolicyRefusedError('The statement is empty.');
    if (sql.length > 100_000)
      throw new PolicyRefusedError('The statement is longer than 100,000 characters.');
    const relations = await this.options.relations(ctx);
    const byName = new Map(relations.map((r) => [r.name.toLowerCase(), r]));
    const policyTrees = new Map<string, AstNode>();
    for (const [name, rel] of byName) policyTrees.set(name, await this.#policyTree(rel));
    if (options.snapshot !== undefined) {
      // The trusted policy subqueries, not the caller's text, carry the AT clause: every lake
      // table they read is read at the snapshot (the caller's own AT stays refused in check.ts).
      const at = await this.#atClause(options.snapshot);
      for (const [name, tree] of policyTrees) policyTrees.set(name, withAtClause(tree, at));
    }

    const ast = await this.#parse(sql);
    if (ast.error === true && ast.error_type === 'not implemented') await this.#refuseExpandedPivot(sql);
    const policyRefs = new Set<AstNode>();
    const { ast: rewritten, relations: touched } = checkAndRewrite({
      ast,
      governed: new Set(byName.keys()),
      functions: this.functions,
      substitute: (name, ref) => {
        const sub: AstNode = {
          type: 'SUBQUERY',
          alias: String(ref.alias || ref.table_name),
          sample: ref.sample ?? null,
          query_location: ref.query_location ?? 0,
          subquery: policyTrees.get(name) as AstNode,
          column_name_alias: ref.column_name_alias ?? [],
        };
        policyRefs.add(sub);
        return sub;
      },
    });
    const shared =
      options.shareScans === false || policyRefs.size < 2
        ? rewritten
        : shareRepeatedScans(rewritten, policyRefs, await this.#sharedScanEntry()).ast;
    const checked = canonicalBooleans(shared) as AstNode;
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
    limits: {
      maxRows?: number;
      timeoutMs?: number;
      asOf?: AsOf | undefined;
      /** Aborting interrupts the running statement (the SQL wire protocol's cancel request). */
      signal?: AbortSignal | undefined;
    } = {},
  ): Promise<GovernedResult> {
    const snapshot = limits.asOf ? await this.resolveSnapshot(limits.asOf) : undefined;
    const prepared = await this.prepare(sql, ctx, snapshot === undefined ? {} : { snapshot });
    const maxRows = limits.maxRows ?? this.options.maxRows ?? 10_000;
    const run = (statement: string) =>
      this.options.lake.query(statement, [], {
        maxRows,
        timeoutMs: limits.timeoutMs ?? this.options.timeoutMs,
        isolated: true,
        signal: limits.signal,
      });
    try {
      let executed = prepared.sql;
      let r: Awaited<ReturnType<typeof run>>;
      try {
        r = await run(executed);
      } catch (err) {
        // A shared policy scan whose WHERE named a column of an outer query cannot bind on its
        // own: run the statement as written instead (same rows, one more scan).
        if (!executed.includes(SHARED_SCAN_PREFIX) || !/Binder Error/i.test(String(err))) throw err;
        const plain = await this.prepare(sql, ctx, {
          ...(snapshot === undefined ? {} : { snapshot }),
          shareScans: false,
        });
        executed = plain.sql;
        r = await run(executed);
      }
      return {
        columns: r.columns,
        rows: r.rows,
        truncated: r.truncated,
        sqlExecuted: executed,
        relations: prepared.relations,
        ...(snapshot === undefined ? {} : { snapshot }),
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

  /** The snapshot id `asOf` names: it must exist; a time picks the last snapshot at or before it. */
  async resolveSnapshot(asOf: AsOf): Promise<number> {
    const snapshots = await this.options.lake.snapshots();
    if ('snapshot' in asOf) {
      const id = asOf.snapshot;
      if (!Number.isSafeInteger(id) || !snapshots.some((s) => s.id === id)) {
        const ids = snapshots.map((s) => s.id);
        throw new GateError(
          'SNAPSHOT_INVALID',
          `Snapshot ${String(id)} does not exist; the lake has snapshots ${ids[0] ?? '-'} to ${ids.at(-1) ?? '-'}.`,
        );
      }
      return id;
    }
    const t = typeof asOf.at === 'string' ? Date.parse(asOf.at) : Number.NaN;
    if (Number.isNaN(t))
      throw new GateError('SNAPSHOT_INVALID', 'The time is not a valid ISO 8601 timestamp.');
    const before = snapshots.filter((s) => Date.parse(s.time) <= t);
    const last = before.at(-1);
    if (!last) {
      throw new GateError(
        'SNAPSHOT_INVALID',
        `The lake has no snapshot at or before ${new Date(t).toISOString()}; its first is ${snapshots[0]?.time ?? 'none'}.`,
      );
    }
    return last.id;
  }

  /** DuckDB's own tree for `AT (VERSION => id)`; the id is a checked whole number. */
  async #atClause(snapshot: number): Promise<AstNode> {
    if (!Number.isSafeInteger(snapshot) || snapshot < 0)
      throw new Error('snapshot id must be a whole number');
    const ast = await this.#parse(`SELECT * FROM t AT (VERSION => ${snapshot})`);
    const stmt = (ast.statements as AstNode[])[0] as AstNode;
    const from = (stmt.node as AstNode).from_table as AstNode;
    return from.at_clause as AstNode;
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

  /** Builds one WITH entry of a shared policy scan (see shared-scans.ts) from a parsed template. */
  async #sharedScanEntry(): Promise<SharedScanEntry> {
    if (!this.#sharedTemplate) {
      const ast = await this.#parse(
        `WITH ${SHARED_SCAN_PREFIX}t AS (SELECT COLUMNS(lambda c: lower(c) IN ('x')) FROM lake.main.t WHERE true) SELECT 1`,
      );
      const stmt = (ast.statements as AstNode[])[0] as AstNode;
      const entry = (((stmt.node as AstNode).cte_map as AstNode).map as AstNode[])[0];
      if (!isNode(entry)) throw new Error('shared scan template did not parse');
      this.#sharedTemplate = entry;
    }
    const template = this.#sharedTemplate;
    return (name, from, where, columns) => {
      const entry = structuredClone(template);
      entry.key = name;
      const node = ((entry.value as AstNode).query as AstNode).node as AstNode;
      node.from_table = from;
      node.where_clause = where;
      // COLUMNS(list_filter(*, c -> lower(c) IN (…))): the IN's first child is lower(c).
      const filter = ((node.select_list as AstNode[])[0] as AstNode).expr as AstNode;
      const lambda = (filter.children as AstNode[])[1] as AstNode;
      const isIn = lambda.expr as AstNode;
      const [lowerOf] = isIn.children as AstNode[];
      isIn.children = [
        lowerOf as AstNode,
        ...columns.map((c) => ({
          class: 'CONSTANT',
          type: 'VALUE_CONSTANT',
          alias: '',
          query_location: 0,
          value: { type: { id: 'VARCHAR', type_info: null }, is_null: false, value: c },
        })),
      ];
      return entry;
    };
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

/** A copy of a policy tree whose lake tables (catalog-qualified base tables) are read `at`. */
function withAtClause(tree: AstNode, at: AstNode): AstNode {
  const visit = (v: AstValue): AstValue => {
    if (Array.isArray(v)) return v.map(visit);
    if (!isNode(v)) return v;
    const out: AstNode = {};
    for (const [k, x] of Object.entries(v)) out[k] = visit(x);
    if (out.type === 'BASE_TABLE' && typeof out.catalog_name === 'string' && out.catalog_name !== '') {
      out.at_clause = structuredClone(at);
    }
    return out;
  };
  return visit(tree) as AstNode;
}
