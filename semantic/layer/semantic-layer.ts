import { hasCode } from '../../core/index.ts';
import { LAKE, type Lakehouse } from '../../lakehouse/index.ts';
import { type AccessScope, evaluateAccess, narrowForQuery, queryMembers } from '../access/index.ts';
import {
  compileModel,
  compileModelPartial,
  type ModelFile,
  type PartialModel,
  readModelFiles,
  type SemanticModel,
} from '../compiler/index.ts';
import {
  type BuildEnv,
  buildQuery,
  type CompiledQuery,
  duckdbDialect,
  type GovernedRelation,
  governedRelations,
  leafMeasures,
  PERSONS_COLUMN,
  personsColumn,
  ROLLUP_SCHEMA,
  type RollupPlan,
  replaceRelations,
  type SqlDialect,
} from '../dialect/index.ts';
import { PolicyRefusedError, QueryInvalidError, SemanticError, UnknownMemberError } from '../errors.ts';
import { PreAggregations, type RollupRefresh } from '../preagg/index.ts';
import {
  type CubeQuery,
  normalizeQuery,
  type PlannedQuery,
  parseDateRange,
  suppressCells,
  type TableCell,
} from '../query/index.ts';
import type { SecurityContext } from '../security-context.ts';
import { introspect, type LakeFacts } from './introspect.ts';
import {
  buildLoadResponse,
  type CompareDateRangeResponse,
  type LoadResponse,
  type MultiLoadResponse,
  toCompareResponse,
  toMultiResponse,
} from './load-response.ts';
import { buildMeta, type MetaResponse } from './meta.ts';
import { type CachedRows, type ResultCache, resultCacheKey } from './result-cache.ts';
import { orderRows, planSwitchQuery, type SwitchPlan } from './switch-queries.ts';

/** How to build a layer: the model (a folder, files or a compiled model) and the lake it reads. */
export interface SemanticLayerOptions {
  modelDir?: string;
  files?: readonly ModelFile[];
  model?: SemanticModel;
  lake: Lakehouse;
  dialect?: SqlDialect;
  /** The clock for relative date ranges ("last 7 days"); tests pin it. */
  now?: () => Date;
  /**
   * Refuse a model with any problem (`serve --strict`). By default a problem leaves only the
   * member, cube, view or file it is in unavailable (see `modelProblems`).
   */
  strict?: boolean;
  /**
   * Results of compiled statements, shared by every caller whose compiled SQL (policies included)
   * and parameters are identical, for the lake snapshot they read (see `ResultCache`).
   */
  resultCache?: ResultCache | undefined;
  /**
   * Read current rollups (pre-aggregations) instead of cube rows where that is exact (default
   * true). Off for a layer over the lake as of an earlier snapshot.
   */
  preAggregations?: boolean;
}

/** What a lenient load left out of the model, and the keys it accepted without effect. */
export type ModelProblems = Omit<PartialModel, 'model'>;

/** Cube's `/v1/sql` response. */
export interface SqlResponse {
  sql: {
    sql: [string, unknown[]];
    timeDimensionAlias?: string | undefined;
    timeDimensionField?: string | undefined;
    order: Array<{ id: string; desc: boolean }>;
    cacheKeyQueries: unknown[];
    preAggregations: unknown[];
    dataSource: 'default';
    aliasNameToMember: Record<string, string>;
    rollupMatchResults: unknown[];
    canUseTransformedQuery: boolean;
    external: false;
  };
}

const SCOPE_CACHE = 256;
const COMPILE_CACHE = 256;

type Compiled = { planned: PlannedQuery; compiled: CompiledQuery; scope: AccessScope };

/**
 * The key a compiled query is kept under: the caller's whole security context and the query's
 * JSON. Undefined (not kept) for a query with a date range, which may be relative to now.
 */
function compileKey(query: unknown, ctx: SecurityContext): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(query);
  } catch {
    return undefined;
  }
  if (text === undefined || /daterange/i.test(text)) return undefined;
  return `${JSON.stringify([ctx.userId, [...ctx.roles].sort(), ctx.attributes])}\u0000${text}`;
}

/**
 * The semantic layer: a Cube-format model over the lake, queried with Cube's REST query JSON under
 * each caller's access policies. Create it once per process with `SemanticLayer.load`; it does not
 * own the lake (close the lake yourself).
 *
 * @example
 * const layer = await SemanticLayer.load({ modelDir: 'model', lake });
 * const ctx = { userId: 'ana', roles: ['analyst'], attributes: {} };
 * const res = await layer.load({ measures: ['encounters.count'], dimensions: ['encounters.encounterclass'] }, ctx);
 */
export class SemanticLayer {
  readonly #scopes = new Map<string, AccessScope>();
  /**
   * Compiled queries by caller and query (see `compileKey`), most recently used last. Everything
   * else they depend on is this layer's (model, lake facts) except the rollups in use, so a
   * refresh clears them. Two callers share an entry only when their contexts are identical.
   */
  readonly #compiled = new Map<string, Compiled>();

  private constructor(
    readonly model: SemanticModel,
    private readonly lake: Lakehouse,
    private readonly facts: LakeFacts,
    private readonly dialect: SqlDialect,
    private readonly now: () => Date,
    private readonly cache: ResultCache | undefined,
  ) {}

  /** Compile the model, check it against the lake (types, missing tables) and return the layer. */
  static async load(options: SemanticLayerOptions): Promise<SemanticLayer> {
    let model = options.model;
    let problems: ModelProblems = { warnings: [], diagnostics: [], excluded: [] };
    if (!model) {
      const files = options.files ?? (options.modelDir ? await readModelFiles(options.modelDir) : []);
      if (options.strict) model = compileModel(files);
      else ({ model, ...problems } = compileModelPartial(files));
    }
    const dialect = options.dialect ?? duckdbDialect;
    const facts = await introspect(model, options.lake, dialect, {
      lenient: !options.strict && !options.model,
    });
    const layer = new SemanticLayer(
      model,
      options.lake,
      facts,
      dialect,
      options.now ?? (() => new Date()),
      options.resultCache,
    );
    layer.#problems = problems;
    layer.#preaggs = new PreAggregations(model, options.lake, facts.types, dialect);
    layer.#usePreaggs = options.preAggregations !== false;
    if (layer.#usePreaggs) layer.#rollups = await layer.#preaggs.current();
    return layer;
  }

  #problems: ModelProblems = { warnings: [], diagnostics: [], excluded: [] };
  #preaggs!: PreAggregations;
  #usePreaggs = true;
  /** Rollups built from the lake as it was when last checked (at load and after each refresh). */
  #rollups: RollupPlan[] = [];

  /** The model's rollups: their status, and building them (`analyst preagg status|build`). */
  get preAggregations(): PreAggregations {
    return this.#preaggs;
  }

  /**
   * Build or refresh the model's rollups (see `PreAggregations.refresh`), then read from those
   * that are current. Call after a sync commits (`afterSync: true` honours `refresh_key.every`).
   *
   * @example await layer.refreshPreAggregations({ afterSync: true });
   */
  async refreshPreAggregations(
    options: Parameters<PreAggregations['refresh']>[0] = {},
  ): Promise<RollupRefresh[]> {
    const report = await this.#preaggs.refresh(options);
    if (this.#usePreaggs) this.#rollups = await this.#preaggs.current();
    this.#compiled.clear();
    return report;
  }

  /** What loading left out of the model (with the problem that caused it) and keys it ignored. */
  modelProblems(): ModelProblems {
    return this.#problems;
  }

  /** Cubes the lake cannot serve (their table is missing), with the reason; they are left out of meta. */
  unavailableCubes(): Array<{ cube: string; reason: string }> {
    return [...this.facts.unavailable].map(([cube, reason]) => ({ cube, reason }));
  }

  /** The caller's evaluated access policies (cached per distinct context). */
  scope(ctx: SecurityContext): AccessScope {
    const key = JSON.stringify([ctx.userId, [...ctx.roles].sort(), ctx.attributes]);
    const hit = this.#scopes.get(key);
    if (hit) return hit;
    const scope = evaluateAccess(this.model, ctx, { readsOtherRows: this.facts.readsOtherRows });
    if (this.#scopes.size >= SCOPE_CACHE) this.#scopes.delete(this.#scopes.keys().next().value!);
    this.#scopes.set(key, scope);
    return scope;
  }

  /**
   * Plan and compile a query for a caller, without running it. Kept per caller and query (not for
   * date ranges, which may be relative to now): treat the result as read-only.
   */
  compile(
    query: CubeQuery | unknown,
    ctx: SecurityContext,
    switched?: Pick<SwitchPlan, 'internal' | 'narrowWith'>,
  ): Compiled {
    const key = switched ? undefined : compileKey(query, ctx);
    const hit = key === undefined ? undefined : this.#compiled.get(key);
    if (key !== undefined && hit) {
      this.#compiled.delete(key);
      this.#compiled.set(key, hit);
      return hit;
    }
    const out = this.#compile(query, ctx, switched);
    if (key !== undefined) {
      if (this.#compiled.size >= COMPILE_CACHE) this.#compiled.delete(this.#compiled.keys().next().value!);
      this.#compiled.set(key, out);
    }
    return out;
  }

  #compile(
    query: CubeQuery | unknown,
    ctx: SecurityContext,
    switched?: Pick<SwitchPlan, 'internal' | 'narrowWith'>,
  ): Compiled {
    const base = this.scope(ctx);
    const nc = {
      model: this.model,
      scope: base,
      unavailable: this.facts.unavailable,
      now: this.now(),
      internal: switched?.internal,
    };
    // Validate against the caller's widest access first (unknown and hidden members answer 400),
    // then plan under the policies that cover the members this query uses (Cube's rule). A run of
    // a switch query is narrowed by everything the caller asked for too (never more rows).
    normalizeQuery(query, nc);
    const named =
      switched && query && typeof query === 'object'
        ? {
            ...(query as Record<string, unknown>),
            measures: [
              ...(((query as Record<string, unknown>).measures as unknown[]) ?? []),
              ...switched.narrowWith,
            ],
          }
        : query;
    const scope = narrowForQuery(this.model, base, queryMembers(named));
    const planned = normalizeQuery(query, { ...nc, scope });
    return { planned, compiled: buildQuery(planned, this.#env(scope)), scope };
  }

  /** The SQL a query runs as, in Cube's `/v1/sql` shape (values are bound parameters). */
  sql(query: CubeQuery | unknown, ctx: SecurityContext): SqlResponse {
    const { planned, compiled } = this.compile(query, ctx);
    const td = planned.dimensions.find((d) => d.granularity);
    return {
      sql: {
        sql: [compiled.sql, [...compiled.params]],
        timeDimensionAlias: td?.key,
        timeDimensionField: td ? td.key.slice(0, -(td.granularity!.length + 1)) : undefined,
        order: planned.order.map((o) => ({ id: o.key, desc: o.desc })),
        cacheKeyQueries: [],
        preAggregations: compiled.rollups.map((id) => ({ preAggregationId: id })),
        dataSource: 'default',
        aliasNameToMember: Object.fromEntries(compiled.columns.map((c) => [c.key, c.key])),
        rollupMatchResults: [],
        canUseTransformedQuery: false,
        external: false,
      },
    };
  }

  /**
   * Cube's `/v1/dry-run`: the query validated and planned under the caller's policies (unknown or
   * hidden members answer 400 as on load), without running it.
   */
  dryRun(query: CubeQuery | unknown, ctx: SecurityContext): Record<string, unknown> {
    const { planned } = this.compile(query, ctx);
    const normalized = structuredClone(planned.normalized);
    return {
      queryType: 'regularQuery',
      normalizedQueries: [normalized],
      queryOrder: planned.order.map((o) => ({ [o.key]: o.desc ? 'desc' : 'asc' })),
      pivotQuery: { ...normalized, queryType: 'regularQuery' },
      transformedQueries: [null],
    };
  }

  /** Run a query for a caller: Cube's `/v1/load` result. */
  async load(
    query: CubeQuery | unknown,
    ctx: SecurityContext,
    options: { timeoutMs?: number } = {},
  ): Promise<LoadResponse> {
    const plan = planSwitchQuery(this.model, query);
    if (plan) return this.#loadSwitched(plan, query as Record<string, unknown>, ctx, options);
    return this.#loadOne(query, ctx, options);
  }

  /**
   * A query grouped or filtered by switch dimensions: one run per combination of their values,
   * case measures read as their branch, the runs set side by side (see switch-queries.ts).
   */
  async #loadSwitched(
    plan: SwitchPlan,
    query: Record<string, unknown>,
    ctx: SecurityContext,
    options: { timeoutMs?: number },
  ): Promise<LoadResponse> {
    const scope = this.scope(ctx);
    for (const key of plan.named) {
      const [c, m] = key.split('.') as [string, string];
      const cube = this.model.cubes.get(c)!;
      const access = scope.cubes.get(c);
      if (!access?.allowed) throw new PolicyRefusedError(`You have no access to ${c}.`);
      const def = cube.dimensions.get(m) ?? cube.measures.get(m);
      const state = access.members.get(m) ?? 'hidden';
      // A masked case measure is refused: its branches would show what the mask hides.
      if (!def?.public || !cube.public || state === 'hidden' || (state !== 'full' && cube.measures.has(m)))
        throw new UnknownMemberError(key);
    }
    const results: LoadResponse[] = [];
    for (const run of plan.runs) {
      const empty = [run.query.measures, run.query.dimensions, run.query.timeDimensions].every(
        (l) => !Array.isArray(l) || l.length === 0,
      );
      // Only switch values and branch-less case measures: one row of nulls, nothing to run.
      if (empty && results[0]) results.push({ ...results[0], data: [{}], total: undefined });
      else if (empty)
        results.push({
          query: {},
          data: [{}],
          lastRefreshTime: new Date().toISOString(),
          annotation: { measures: {}, dimensions: {}, segments: {}, timeDimensions: {} },
          dataSource: 'default',
          dbType: this.dialect.name,
          extDbType: this.dialect.name,
          external: false,
          slowQuery: false,
        });
      else results.push(await this.#loadOne(run.query, ctx, options, plan));
    }
    const asked = new Set(((query.measures as string[] | undefined) ?? []).map(String));
    const rows = results.flatMap((res, i) => {
      const run = plan.runs[i]!;
      return res.data.map((row) => {
        const out: Record<string, unknown> = {};
        for (const key of plan.grouped) out[key] = run.values[key] ?? null;
        Object.assign(out, row);
        for (const [caseKey, branch] of run.branches) out[caseKey] = branch ? (row[branch] ?? null) : null;
        for (const branch of run.branches.values()) if (branch && !asked.has(branch)) delete out[branch];
        return out;
      });
    });
    const first = results[0];
    const annotation: LoadResponse['annotation'] = {
      measures: { ...first?.annotation.measures },
      dimensions: { ...first?.annotation.dimensions },
      segments: { ...first?.annotation.segments },
      timeDimensions: { ...first?.annotation.timeDimensions },
    };
    const runBranches = plan.runs.flatMap((r) => [...r.branches]);
    for (const [caseKey, branch] of runBranches) {
      const from = branch
        ? results.find((r) => r.annotation.measures[branch])?.annotation.measures[branch]
        : undefined;
      const title = plan.caseTitles.get(caseKey) ?? caseKey;
      const cubeTitle = this.model.cubes.get(caseKey.split('.')[0]!)?.title ?? '';
      annotation.measures[caseKey] = {
        ...(from ?? { type: 'number' }),
        title: `${cubeTitle} ${title}`,
        shortTitle: title,
      };
    }
    for (const [, branch] of runBranches)
      if (branch && !asked.has(branch)) delete annotation.measures[branch];
    for (const key of plan.grouped) {
      const [c, m] = key.split('.') as [string, string];
      const cube = this.model.cubes.get(c)!;
      const title = cube.dimensions.get(m)!.title;
      annotation.dimensions[key] = { title: `${cube.title} ${title}`, shortTitle: title, type: 'string' };
    }
    const totals = results.map((r) => r.total).filter((t): t is number => t !== undefined);
    return {
      ...(first ?? {
        lastRefreshTime: new Date().toISOString(),
        dataSource: 'default' as const,
        dbType: this.dialect.name,
        extDbType: this.dialect.name,
        external: false as const,
        slowQuery: false as const,
      }),
      query: {
        ...(first?.query ?? {}),
        measures: query.measures ?? [],
        dimensions: query.dimensions ?? [],
        filters: query.filters ?? [],
        order: plan.order,
        limit: plan.limit,
        queryType: 'regularQuery',
      },
      data: orderRows(rows, plan).slice(plan.offset, plan.offset + plan.limit),
      annotation,
      total: totals.length ? totals.reduce((a, b) => a + b, 0) : undefined,
    };
  }

  async #loadOne(
    query: CubeQuery | unknown,
    ctx: SecurityContext,
    options: { timeoutMs?: number },
    switched?: Pick<SwitchPlan, 'internal' | 'narrowWith'>,
  ): Promise<LoadResponse> {
    const { planned, compiled, scope } = this.compile(query, ctx, switched);
    if (planned.smallCells) return this.#loadSmallCells(planned, scope, options);
    const run = (sql: string, params = compiled.params) =>
      this.#query(sql, params, options, compiled.rollups).catch((cause: unknown) => {
        if (hasCode(cause, 'QUERY_TIMEOUT')) throw cause;
        // The engine's message can quote data values: it stays in `cause`, never in the message.
        throw new SemanticError(
          'QUERY_FAILED',
          'The lake could not run this query; see the server log for the cause.',
          { cause },
        );
      });
    const [result, total] = await Promise.all([
      run(compiled.sql),
      compiled.totalSql
        ? run(compiled.totalSql, compiled.totalParams).then((r) => Number(r.rows[0]?.[0] ?? 0))
        : Promise.resolve(undefined),
    ]);
    const res = buildLoadResponse(this.model, planned, compiled, result.rows, this.dialect.name, total);
    if (compiled.rollups.length) res.usedPreAggregations = usedRollups(compiled.rollups);
    return res;
  }

  /**
   * A query under small-cell suppression: the whole cell table (the query's dimensions and those its
   * filters pick, every row the caller may see) is computed with each cell's distinct persons,
   * suppressed (primary and complementary), and only then filtered, ordered and paged. Suppressed
   * rows keep their dimensions, their measures are null, and they carry `suppressed: true`.
   */
  async #loadSmallCells(
    planned: PlannedQuery,
    scope: AccessScope,
    options: { timeoutMs?: number },
  ): Promise<LoadResponse> {
    const plan = planned.smallCells!;
    const same = (d: { cube: string; member: string }, x: PlannedQuery['dimensions'][number]) =>
      !x.granularity && x.cube === d.cube && x.member === d.member;
    const extra = plan.cells
      .filter((c) => !planned.dimensions.some((x) => same(c.dimension, x)))
      .map((c, i) => ({ ...c.dimension, key: `__cell${i}` }));
    const cellFilters = new Set(plan.cells.map((c) => c.filter));
    const table: PlannedQuery = {
      ...planned,
      dimensions: [...planned.dimensions, ...extra],
      dimensionFilters: planned.dimensionFilters.filter((f) => !cellFilters.has(f)),
      order: [],
      limit: 50_000,
      offset: 0,
      total: false,
      smallCells: undefined,
    };
    const compiled = buildQuery(table, this.#env(scope), { persons: plan.person });
    const result = await this.#query(compiled.sql, compiled.params, options, compiled.rollups).catch(
      (cause: unknown) => {
        if (hasCode(cause, 'QUERY_TIMEOUT')) throw cause;
        throw new SemanticError(
          'QUERY_FAILED',
          'The lake could not run this query; see the server log for the cause.',
          {
            cause,
          },
        );
      },
    );
    // Suppression needs every cell of the table: a truncated table could hide a line's cells.
    if (result.rows.length >= table.limit)
      throw new PolicyRefusedError(
        `This table has more than ${table.limit} cells; group by fewer or coarser dimensions.`,
      );
    const keys = compiled.columns.map((c) => c.key);
    const dimKeys = table.dimensions.map((d) => d.key);
    const rowsByKey = result.rows.map((row) => Object.fromEntries(keys.map((k, i) => [k, row[i] ?? null])));
    // Each measure is judged by the persons it counts (a count with filters by those it keeps), and
    // suppressed over the whole table on its own; a row is marked when any of its measures is.
    const withheld = new Map<string, boolean[]>();
    for (const m of planned.measures) {
      const leaves = leafMeasures(this.model, m.cube, m.member);
      const persons = (o: Record<string, unknown>) =>
        Math.min(
          ...leaves.map((leaf) =>
            Number(o[keys.includes(personsColumn(leaf)) ? personsColumn(leaf) : PERSONS_COLUMN] ?? 0),
          ),
        );
      const cells: TableCell[] = rowsByKey.map((o) => ({ dims: o, persons: persons(o), suppressed: false }));
      suppressCells(cells, dimKeys, plan.minGroupSize);
      withheld.set(
        m.key,
        cells.map((c) => c.suppressed),
      );
    }
    const cells = rowsByKey.map((o, i) => ({
      o,
      hidden: new Set(planned.measures.filter((m) => withheld.get(m.key)![i]).map((m) => m.key)),
    }));
    const wanted = plan.cells.map((c) => {
      const shown = planned.dimensions.find((x) => same(c.dimension, x));
      return {
        key:
          shown?.key ??
          `__cell${extra.findIndex((e) => e.cube === c.dimension.cube && e.member === c.dimension.member)}`,
        value: c.value,
      };
    });
    const outputKeys = [
      ...planned.dimensions.map((d) => d.key),
      ...planned.measures.filter((m) => m.output).map((m) => m.key),
    ];
    let rows = cells
      .filter(({ o }) => wanted.every((w) => o[w.key] !== null && String(o[w.key]) === w.value))
      .map(({ o, hidden }) => ({
        values: outputKeys.map((k) => (hidden.has(k) ? null : (o[k] ?? null))),
        suppressed: hidden.size > 0,
      }));
    const total = rows.length;
    const index = new Map(outputKeys.map((k, i) => [k, i]));
    rows.sort((a, b) => {
      for (const o of planned.order) {
        const i = index.get(o.key)!;
        // A withheld (null) value goes last in either direction, as DuckDB orders NULLs, so a
        // "top N" by a measure is not filled with suppressed cells.
        const x = a.values[i] ?? null;
        const y = b.values[i] ?? null;
        if ((x === null) !== (y === null)) return x === null ? 1 : -1;
        const c = compareValues(x, y);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
    rows = rows.slice(planned.offset, planned.offset + planned.limit);
    const shape = { ...compiled, columns: compiled.columns.filter((c) => outputKeys.includes(c.key)) };
    shape.columns.sort((a, b) => outputKeys.indexOf(a.key) - outputKeys.indexOf(b.key));
    const res = buildLoadResponse(
      this.model,
      planned,
      shape,
      rows.map((r) => r.values),
      this.dialect.name,
      planned.total ? total : undefined,
    );
    res.data.forEach((row, i) => {
      if (rows[i]?.suppressed) row.suppressed = true;
    });
    res.minGroupSize = plan.minGroupSize;
    if (compiled.rollups.length) res.usedPreAggregations = usedRollups(compiled.rollups);
    return res;
  }

  /**
   * One query or several, in the `queryType=multi` envelope `@cubejs-client/core` asks `/v1/load` for.
   *
   * @example res.json(await layer.loadMulti(JSON.parse(url.searchParams.get('query')!), ctx))
   */
  async loadMulti(
    query: CubeQuery | CubeQuery[] | unknown,
    ctx: SecurityContext,
  ): Promise<MultiLoadResponse | CompareDateRangeResponse> {
    const queries = Array.isArray(query) ? query : [query];
    const ranges = queries.map(compareRanges);
    if (ranges.some((r) => r !== null)) {
      if (queries.length !== 1)
        throw new QueryInvalidError('A compareDateRange query is sent alone, not in a list of queries.');
      const { index, ranges: list } = ranges[0]!;
      const base = queries[0] as CubeQuery;
      const results = await Promise.all(
        list.map(async (range) => {
          const timeDimensions = base.timeDimensions!.map((td, i) => {
            if (i !== index) return td;
            const { compareDateRange: _, ...rest } = td;
            return { ...rest, dateRange: range };
          });
          const res = await this.load({ ...base, timeDimensions }, ctx);
          const resolved = parseDateRange(range, res.query.timezone as string, this.now());
          const label = resolved.join(' - ');
          // Cube puts each range in its rows, so a pivot can set the ranges side by side.
          res.data = res.data.map((row) => ({ ...row, compareDateRange: label }));
          const tds = res.query.timeDimensions as Array<Record<string, unknown>>;
          tds[index] = { ...tds[index], dateRange: resolved };
          return res;
        }),
      );
      return toCompareResponse(results);
    }
    return toMultiResponse(await Promise.all(queries.map((q) => this.load(q, ctx))));
  }

  /** What the caller may query, in Cube's `/v1/meta` shape. */
  meta(ctx: SecurityContext): MetaResponse {
    return buildMeta(this.model, this.scope(ctx), this.facts.unavailable);
  }

  /**
   * Each cube and view the caller may see as a governed SELECT (rows filtered by policy, hidden
   * columns left out, masked columns masked), keyed by cube or view name. Values are inlined as
   * quoted literals, so `params` is always empty. This is what the governed SQL gate builds on.
   */
  governedRelations(ctx: SecurityContext): Map<string, GovernedRelation> {
    // A relation can be read for any of its columns, so its rows are those of the policies that
    // cover every column it shows (never wider than Cube for any selection of them).
    const scope = narrowForQuery(this.model, this.scope(ctx), visibleMembers(this.scope(ctx)));
    // SQL can select any rows and combine any cells: nothing proves its answer has no small cell.
    if ([...scope.cubes.values(), ...scope.views.values()].some((a) => a.allowed && a.minGroupSize > 0))
      throw new PolicyRefusedError(
        'Your role sees aggregates with small-cell suppression only; governed SQL is not available to it. Ask through the semantic layer.',
      );
    return governedRelations(this.#env(scope));
  }

  /**
   * Run a compiled statement, through the result cache when there is one. The key holds the lake
   * snapshot the statement reads: the pinned one of a time-travel view, else the latest, read
   * before and after the statement; a result is stored only when no commit landed in between, so
   * an entry always holds exactly what its snapshot answers. Hits are still data accesses: the
   * callers (agent, HTTP routes) audit every request whether it was served from here or not.
   */
  async #query(
    sql: string,
    params: CompiledQuery['params'],
    options: { timeoutMs?: number },
    rollups: readonly string[] = [],
  ): Promise<CachedRows> {
    const cache = this.cache;
    const exec = () =>
      rollups.length
        ? this.#queryRollups(sql, params, options, rollups)
        : this.lake.query(sql, params, options);
    if (!cache) return exec();
    const before = await this.#snapshotId();
    const key = resultCacheKey(sql, params, before);
    const hit = cache.get(key);
    if (hit) return hit;
    const result = await exec();
    if ((await this.#snapshotId()) === before) cache.set(key, { rows: result.rows });
    return result;
  }

  /**
   * A statement that reads rollups: over the lake's in-memory copies of them as of the latest
   * snapshot when it reads nothing else of the lake (the same rows, without binding DuckLake
   * tables; see `Lakehouse.queryCopies`), else on the lake. The answer's `sql` is the statement
   * as compiled, naming the rollup tables.
   */
  async #queryRollups(
    sql: string,
    params: CompiledQuery['params'],
    options: { timeoutMs?: number },
    ids: readonly string[],
  ): Promise<CachedRows> {
    const tables = new Map<string, string>();
    for (const id of ids) {
      const plan = this.#rollups.find((p) => p.id === id);
      if (plan) tables.set(`${ROLLUP_SCHEMA}.${plan.table}`, this.dialect.table(ROLLUP_SCHEMA, plan.table));
    }
    const copied =
      tables.size === ids.length
        ? await this.lake.queryCopies(
            [...tables.keys()],
            (relations) =>
              replaceRelations(
                sql,
                new Map([...tables].map(([name, ref]) => [ref, relations.get(name)!])),
                LAKE,
              ),
            params,
            options,
          )
        : null;
    return copied ?? this.lake.query(sql, params, options);
  }

  async #snapshotId(): Promise<number> {
    const pinned = (this.lake as { atSnapshot?: unknown }).atSnapshot;
    if (typeof pinned === 'number') return pinned;
    return this.lake.currentSnapshot();
  }

  #env(scope: AccessScope): BuildEnv {
    return {
      model: this.model,
      scope,
      types: this.facts.types,
      dialect: this.dialect,
      unavailable: this.facts.unavailable,
      rollups: this.#rollups,
    };
  }
}

/** The time dimension of a query that has `compareDateRange`, and its ranges (null: none). */
function compareRanges(query: unknown): { index: number; ranges: Array<string | [string, string]> } | null {
  const tds = (query as CubeQuery | null)?.timeDimensions;
  if (!Array.isArray(tds)) return null;
  const found = tds
    .map((td, index) => ({ index, ranges: (td as { compareDateRange?: unknown }).compareDateRange }))
    .filter((x) => x.ranges !== undefined);
  if (found.length === 0) return null;
  if (found.length > 1) throw new QueryInvalidError('Only one time dimension may have compareDateRange.');
  const { index, ranges } = found[0]!;
  const valid =
    Array.isArray(ranges) &&
    ranges.length > 0 &&
    ranges.length <= 12 &&
    ranges.every(
      (r) =>
        (typeof r === 'string' && r.length > 0) ||
        (Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'string')),
    );
  if (!valid)
    throw new QueryInvalidError(
      'compareDateRange is a list of 1 to 12 date ranges ("last year" or ["2020-01-01", "2020-12-31"]).',
    );
  if ((tds[index] as { dateRange?: unknown }).dateRange !== undefined)
    throw new QueryInvalidError('A time dimension takes dateRange or compareDateRange, not both.');
  return { index, ranges: ranges as Array<string | [string, string]> };
}

/** Order of two result values: nulls last, numbers as numbers, the rest as text. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Cube's `usedPreAggregations`: each rollup id with its table in the lake. */
function usedRollups(ids: string[]): Record<string, { targetTableName: string }> {
  return Object.fromEntries(
    ids.map((id) => [id, { targetTableName: `${ROLLUP_SCHEMA}.${id.replace('.', '__')}` }]),
  );
}

/** Every member the caller may see, by cube or view: what a governed SQL relation exposes. */
function visibleMembers(scope: AccessScope): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const entities of [scope.cubes, scope.views])
    for (const [name, access] of entities) {
      if (!access.allowed) continue;
      out.set(name, new Set([...access.members].filter(([, s]) => s !== 'hidden').map(([m]) => m)));
    }
  return out;
}
