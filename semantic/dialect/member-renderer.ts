import type { AccessScope, BoundFilter, MemberAccess } from '../access/index.ts';
import {
  type CubeDef,
  type JoinDef,
  type MaskDef,
  rawColumns,
  readsMeasures,
  renderTemplate,
  type SemanticModel,
  type SqlTemplate,
} from '../compiler/index.ts';
import { PolicyRefusedError, QueryInvalidError } from '../errors.ts';
import type { Granularity, PlannedDimension } from '../query/index.ts';
import type { SqlDialect } from './dialect.ts';
import type { ParamCollector } from './params.ts';
import { type FilterTarget, renderLeaf } from './render-filter.ts';
import type { RollupMeasure, RollupPlan } from './rollup-plan.ts';
import type { SharedScans } from './shared-scans.ts';

/** A rollup a part of the query reads instead of its cube's rows (see `rollup-match.ts`). */
export interface RollupBinding {
  plan: RollupPlan;
  /** The rollup table as a FROM item (without alias). */
  table: string;
}

/** Engine types of members as the lake reports them: `cube.member`, and `cube.member#mask` for masks. */
export type MemberTypes = ReadonlyMap<string, string>;

/** What rendering needs besides the query: the model, the caller's access, lake types, the engine. */
export interface RenderEnv {
  model: SemanticModel;
  scope: AccessScope;
  types: MemberTypes;
  dialect: SqlDialect;
}

const RANK: Record<MemberAccess, number> = { full: 0, masked: 1, hidden: 2 };

/**
 * Renders members of one query as SQL: dimensions with their masks, measures as aggregates,
 * filters and row policies. Cube aliases are the cube names.
 */
export class MemberRenderer {
  readonly #timezone: string;
  readonly #viewState = new Map<string, MemberAccess>();
  #shifts: ReadonlyMap<string, string> = new Map();
  #rollup: RollupBinding | null = null;
  #scans: SharedScans | null = null;
  /** The rollups this query read (`cube.name`), for the answer's SQL and the audit. */
  readonly rollupsUsed = new Set<string>();

  constructor(
    readonly env: RenderEnv,
    readonly params: ParamCollector,
    timezone: string,
    view: string | null,
  ) {
    this.#timezone = timezone;
    if (view) {
      const v = env.model.views.get(view)!;
      const access = env.scope.views.get(view)!;
      for (const [name, vm] of v.members) {
        const key = `${vm.cube}.${vm.member}`;
        const s = access.members.get(name) ?? 'hidden';
        const prev = this.#viewState.get(key);
        if (prev === undefined || RANK[s] > RANK[prev]) this.#viewState.set(key, s);
      }
    }
  }

  /**
   * The time zone's placeholder, bound on first use: a query whose times are all masked to the
   * year (calendar dates, never shifted) must not carry a parameter it never references.
   */
  #zoneFor(sqlType: string | undefined): string | null {
    // Calendar dates (and masks to the year, which are dates) are never shifted.
    if (this.#timezone === 'UTC' || sqlType?.toUpperCase() === 'DATE') return null;
    return this.params.add(this.#timezone);
  }

  /**
   * Read a lake table the query's cubes read and its members' SQL reads too (in a subquery) once,
   * through `scans` (the statement is then passed through `scans.resolve`).
   */
  shareScans(scans: SharedScans): void {
    this.#scans = scans;
  }

  /** A member's SQL as rendered for this query (its lake tables marked when scans are shared). */
  #own(tpl: SqlTemplate): SqlTemplate {
    return this.#scans ? this.#scans.template(tpl) : tpl;
  }

  alias(cube: string): string {
    return this.env.dialect.quote(cube);
  }

  cube(name: string): CubeDef {
    return this.env.model.cubes.get(name)!;
  }

  /**
   * The caller's access to a member in this query. Through a view, the view's state decides (as in
   * Cube, a view may show a member its cube hides by member_level; the view's state already keeps
   * the cube's masks and safety hides, see `evaluateAccess`).
   */
  state(cube: string, member: string): MemberAccess {
    const base = this.env.scope.cubes.get(cube)?.members.get(member) ?? 'hidden';
    const v = this.#viewState.get(`${cube}.${member}`);
    return v ?? base;
  }

  /**
   * Run `fn` reading a rollup instead of its cube's rows: dimensions are its columns, measures
   * combine its stored aggregates, the cube's row policy is applied to its rows.
   */
  withRollup<T>(binding: RollupBinding, fn: () => T): T {
    const before = this.#rollup;
    this.#rollup = binding;
    try {
      return fn();
    } finally {
      this.#rollup = before;
    }
  }

  /** The rollup column holding a dimension (its time bucket for the time dimension), if reading one. */
  #rollupColumn(cube: string, name: string): string | null {
    const plan = this.#rollup?.plan;
    if (!plan) return null;
    const key = `${cube}.${name}`;
    const col =
      plan.time && `${plan.time.cube}.${plan.time.member}` === key
        ? plan.time.column
        : plan.dims.find((d) => d.column === key)?.column;
    return col === undefined ? null : `${this.alias(plan.cube)}.${this.env.dialect.quote(col)}`;
  }

  /** The engine type of a member's value (a rollup's time bucket is a zone-less UTC timestamp). */
  #type(cube: string, name: string): string | undefined {
    const t = this.#rollup?.plan.time;
    if (t && t.cube === cube && t.member === name) return 'TIMESTAMP';
    return this.env.types.get(`${cube}.${name}`);
  }

  /** A dimension's unmasked SQL: for joins, primary keys and row policies only. */
  rawDimension(cube: string, name: string): string {
    const stored = this.#rollupColumn(cube, name);
    if (stored !== null) return stored;
    const dim = this.cube(cube).dimensions.get(name)!;
    return renderTemplate(
      this.#own(dim.sql),
      (c) => this.alias(c),
      (c, m) => (this.cube(c).measures.has(m) ? this.subQuery(cube, c, m) : this.rawDimension(c, m)),
    );
  }

  /**
   * A `sub_query` dimension's measure of a directly joined cube, for one row of `owner`: the
   * measure (as the caller may see it) over the joined cube's rows its row policy lets through.
   */
  private subQuery(owner: string, cube: string, measure: string): string {
    const j =
      this.cube(owner).joins.find((x) => x.to === cube) ?? this.cube(cube).joins.find((x) => x.to === owner)!;
    return `(SELECT ${this.measure(cube, measure, true)} FROM ${this.relation(cube)} WHERE ${this.joinSql(j)})`;
  }

  /** A dimension as the caller may see it (its mask when masked), before type normalisation. */
  visibleDimension(cube: string, name: string): { sql: string; type: string | undefined } {
    const dim = this.cube(cube).dimensions.get(name)!;
    if (this.state(cube, name) !== 'full')
      return this.mask(cube, name, dim.mask, this.rawDimension(cube, name));
    const stored = this.#rollupColumn(cube, name);
    if (stored !== null) return { sql: stored, type: this.#type(cube, name) };
    const sql = renderTemplate(
      this.#own(dim.sql),
      (c) => this.alias(c),
      (c, m) => (this.cube(c).measures.has(m) ? this.subQuery(cube, c, m) : this.visibleDimension(c, m).sql),
    );
    return { sql, type: this.#type(cube, name) };
  }

  /**
   * Run `fn` with time dimensions moved by an interval (`cube.member` → interval SQL): the rows of
   * one period then appear at another (time_shift). Row policies and joins are never shifted.
   */
  withShifts<T>(shifts: ReadonlyMap<string, string>, fn: () => T): T {
    const before = this.#shifts;
    this.#shifts = new Map([...before, ...shifts]);
    try {
      return fn();
    } finally {
      this.#shifts = before;
    }
  }

  /** A dimension value as returned and filtered on: masked, typed, in the query's time zone. */
  dimension(cube: string, name: string, raw = false): string {
    const dim = this.cube(cube).dimensions.get(name)!;
    const { sql, type } = raw
      ? { sql: this.rawDimension(cube, name), type: this.#type(cube, name) }
      : this.visibleDimension(cube, name);
    const shift = raw ? undefined : this.#shifts.get(`${cube}.${name}`);
    if (dim.type === 'time' && shift)
      return `(${this.env.dialect.asTimestamp(sql, type, this.#zoneFor(type))} + ${shift})`;
    if (dim.type === 'time') return this.env.dialect.asTimestamp(sql, type, this.#zoneFor(type));
    if (dim.type === 'string') return this.env.dialect.asString(sql, type);
    // An expression (`{orders.total} >= 200`) is one operand wherever it is used (`… = $1`).
    return /^[\w."]+$/.test(sql) ? sql : `(${sql})`;
  }

  plannedDimension(d: PlannedDimension): string {
    const value = this.dimension(d.cube, d.member);
    return this.truncate(d, value);
  }

  /** A time value cut to the dimension's granularity (standard or custom). */
  truncate(d: PlannedDimension, value: string): string {
    // A calendar's granularity: the bucket is its expression, each member as the caller sees it.
    // Its SQL may read the cube's columns directly, so a caller with any masked or hidden member
    // of the cube (a birth date cut to the year) cannot bucket by it.
    if (d.custom?.sql) {
      const access = this.env.scope.cubes.get(d.cube);
      if (
        !access?.allowed ||
        [...access.members.values()].some((s) => s !== 'full') ||
        this.state(d.cube, d.member) !== 'full'
      )
        throw new PolicyRefusedError(
          `The granularity ${d.granularity} of ${d.cube}.${d.member} reads the cube's columns, some of which are masked for you.`,
        );
      return renderTemplate(
        d.custom.sql,
        (c) => this.alias(c),
        (c, m) => this.dimension(c, m),
      );
    }
    if (d.custom) return this.env.dialect.bucket(d.custom, value);
    return d.granularity ? this.env.dialect.truncate(d.granularity as Granularity, value) : value;
  }

  /** A measure: its aggregate (grouped) or its row value (ungrouped), or its mask. */
  /**
   * A measure's SQL. With `filtersInWhere`, its own filters are left out: the caller has put them
   * in the rows' WHERE (only for a measure the caller sees in full, whose filters it checked).
   * `alsoFilter` is a condition its aggregate applies besides its own (a measure seen in full).
   */
  measure(
    cube: string,
    name: string,
    grouped: boolean,
    filtersInWhere = false,
    alsoFilter: string | null = null,
  ): string {
    const m = this.cube(cube).measures.get(name)!;
    const d = this.env.dialect;
    const ref = (c: string, n: string) => this.visibleDimension(c, n).sql;
    if (this.state(cube, name) !== 'full') {
      return this.mask(cube, name, m.mask, () => this.unmaskedMeasure(cube, name, grouped)).sql;
    }
    return this.unmaskedMeasure(cube, name, grouped, ref, d, filtersInWhere, alsoFilter);
  }

  private unmaskedMeasure(
    cube: string,
    name: string,
    grouped: boolean,
    ref = (c: string, n: string) => this.visibleDimension(c, n).sql,
    d = this.env.dialect,
    filtersInWhere = false,
    alsoFilter: string | null = null,
  ): string {
    const m = this.cube(cube).measures.get(name)!;
    const alias = (c: string) => this.alias(c);
    if (m.type === 'number' && readsMeasures(this.env.model, m.sql)) {
      return renderTemplate(m.sql ?? [], alias, (c, n) => this.measure(c, n, grouped));
    }
    const stored =
      this.#rollup?.plan.cube === cube && this.#rollup.plan.measures.find((x) => x.member === name);
    if (stored) return this.#combine(stored, m.type);
    if (m.type === 'number') {
      // An aggregate written in SQL (median({CUBE}.x)): it only has a value over groups.
      if (!grouped)
        throw new QueryInvalidError(
          `${cube}.${name} aggregates rows itself; it cannot be used in an ungrouped query.`,
        );
      return renderTemplate(this.#own(m.sql ?? []), alias, ref);
    }
    if (m.type === 'rank') throw new QueryInvalidError(`${cube}.${name} is a rank; it cannot be used here.`);
    const expr = m.sql ? renderTemplate(this.#own(m.sql), alias, ref) : null;
    const filter =
      m.filters.length && !filtersInWhere
        ? m.filters.map((f) => `(${renderTemplate(this.#own(f), alias, ref)})`).join(' AND ')
        : null;
    if (grouped) {
      const all = [filter, alsoFilter === null ? null : `(${alsoFilter})`].filter((x) => x !== null);
      return d.aggregate(m.type, expr, all.length ? all.join(' AND ') : null);
    }
    const value = m.type === 'count' ? '1' : (expr ?? 'NULL');
    return filter ? `CASE WHEN ${filter} THEN ${value} END` : value;
  }

  /** A stored measure of the rollup being read, combined again over its rows. */
  #combine(stored: RollupMeasure, type: string): string {
    const q = (c: string) => `${this.alias(this.#rollup!.plan.cube)}.${this.env.dialect.quote(c)}`;
    const [a, b] = stored.columns.map(q);
    // A count over no rows is 0, whatever it was stored as.
    const zero = (x: string) => (type.startsWith('count') ? `coalesce(${x}, 0)` : x);
    switch (stored.combine) {
      case 'count':
        return `coalesce(sum(${a}), 0)`;
      case 'sum':
        return `sum(${a})`;
      case 'min':
        return `min(${a})`;
      case 'max':
        return `max(${a})`;
      case 'avg':
        return `(CAST(sum(${a}) AS DOUBLE) / NULLIF(sum(${b}), 0))`;
      case 'distinct':
        return `count(DISTINCT ${q(this.#rollup!.plan.dims.find((d) => d.column === stored.keyColumn)!.column)})`;
      case 'grain':
        // Only read at the grain it was computed at: one stored row per group.
        return zero(`max(${a})`);
    }
  }

  /** A measure's SQL expression and its filters, unaggregated, for the caller who sees it in full. */
  measureInputs(cube: string, name: string): { expr: string | null; filter: string | null } {
    const m = this.cube(cube).measures.get(name)!;
    const alias = (c: string) => this.alias(c);
    const ref = (c: string, n: string) => this.visibleDimension(c, n).sql;
    return {
      expr: m.sql ? renderTemplate(this.#own(m.sql), alias, ref) : null,
      filter: m.filters.length
        ? m.filters.map((f) => `(${renderTemplate(this.#own(f), alias, ref)})`).join(' AND ')
        : null,
    };
  }

  /** A measure's own filters as one condition (as its aggregate applies them), or null. */
  measureFilter(cube: string, name: string): string | null {
    const m = this.cube(cube).measures.get(name)!;
    if (m.filters.length === 0) return null;
    const ref = (c: string, n: string) => this.visibleDimension(c, n).sql;
    return m.filters.map((f) => `(${renderTemplate(this.#own(f), (c) => this.alias(c), ref)})`).join(' AND ');
  }

  private mask(
    cube: string,
    name: string,
    mask: MaskDef | undefined,
    value: string | (() => string),
  ): { sql: string; type: string | undefined } {
    const text = () => (typeof value === 'string' ? value : value());
    if (!mask || mask.kind === 'null') return { sql: 'NULL', type: undefined };
    if (mask.kind === 'value')
      return {
        sql: this.params.add(mask.value),
        type: typeof mask.value === 'string' ? 'VARCHAR' : undefined,
      };
    if (mask.kind === 'sql') {
      const sql = renderTemplate(
        this.#own(mask.sql),
        (c) => this.alias(c),
        (c, m) => this.rawDimension(c, m),
      );
      return { sql, type: this.env.types.get(`${cube}.${name}#mask`) };
    }
    return this.env.dialect.safeHarbor(mask.rule, text(), this.#type(cube, name));
  }

  /** A dimension's mask SQL (for `mask: { sql }`), as written. */
  visibleMaskSql(cube: string, name: string): string {
    const mask = this.cube(cube).dimensions.get(name)?.mask;
    if (mask?.kind !== 'sql') return 'NULL';
    return renderTemplate(
      this.#own(mask.sql),
      (c) => this.alias(c),
      (c, m) => this.rawDimension(c, m),
    );
  }

  /** A segment's condition (references render as the caller sees them). */
  segment(cube: string, name: string): string {
    const seg = this.cube(cube).segments.get(name)!;
    return renderTemplate(
      this.#own(seg.sql),
      (c) => this.alias(c),
      (c, m) => this.visibleDimension(c, m).sql,
    );
  }

  /** A cube's row policy as a condition on its unmasked members, or null for every row. */
  rowPolicy(cube: string): string | null {
    const f = this.env.scope.cubes.get(cube)?.rowFilter ?? null;
    return f === null ? null : this.boundFilter(cube, f);
  }

  private boundFilter(cube: string, f: BoundFilter): string {
    if ('deny' in f) return 'FALSE';
    if ('and' in f)
      return f.and.length ? `(${f.and.map((x) => this.boundFilter(cube, x)).join(' AND ')})` : 'TRUE';
    if ('or' in f)
      return f.or.length ? `(${f.or.map((x) => this.boundFilter(cube, x)).join(' OR ')})` : 'FALSE';
    const dim = this.cube(cube).dimensions.get(f.member)!;
    const target: FilterTarget = { sql: this.dimension(cube, f.member, true), type: dim.type };
    return renderLeaf(target, f.operator, f.values, this.params, this.env.dialect);
  }

  /** A join's ON condition (unmasked members: joins are internal). */
  joinSql(join: JoinDef): string {
    return renderTemplate(
      join.sql,
      (c) => this.alias(c),
      (c, m) => this.rawDimension(c, m),
    );
  }

  /**
   * The cube's relation with computed columns (`expr AS name`) added, under the same alias: an
   * expression a query repeats is then computed and planned once per row.
   */
  relationWithColumns(cube: string, columns: string[]): string {
    if (columns.length === 0) return this.relation(cube);
    const c = this.cube(cube);
    // A policy's subquery already keeps the row id when a member reads it; a table hides it from `*`.
    const rowid =
      c.source.kind === 'table' && this.rowPolicy(cube) === null && this.#readsRowid(c) ? ', rowid' : '';
    return `(SELECT *${rowid}, ${columns.join(', ')} FROM ${this.relation(cube)}) AS ${this.alias(cube)}`;
  }

  /** FROM item of a cube: its table or SQL, narrowed to the rows the caller may see. */
  relation(cube: string): string {
    const c = this.cube(cube);
    const d = this.env.dialect;
    if (this.#rollup?.plan.cube === cube) {
      this.rollupsUsed.add(this.#rollup.plan.id);
      const policy = this.rowPolicy(cube);
      const alias = this.alias(cube);
      const table = this.#rollup.table;
      return policy === null
        ? `${table} AS ${alias}`
        : `(SELECT * FROM ${table} AS ${alias} WHERE ${policy} ${d.rowPolicyBarrier}) AS ${alias}`;
    }
    let source = c.source.kind === 'table' ? d.table(c.source.schema, c.source.table) : `(${c.source.sql})`;
    // A CTE has no row id: a cube whose members read it keeps its own scan.
    if (this.#scans && c.source.kind === 'table' && !this.#readsRowid(c))
      source = this.#scans.relation(c.source.schema, c.source.table, source, anchorColumn(c));
    const policy = this.rowPolicy(cube);
    const alias = this.alias(cube);
    if (policy === null) return `${source} AS ${alias}`;
    // A subquery hides the table's row id; keep it when a member (a key) reads it.
    const rowid = c.source.kind === 'table' && this.#readsRowid(c) ? ', rowid' : '';
    // The barrier fixes the policy's rows before the query's own filters can run on any row.
    return `(SELECT *${rowid} FROM ${source} AS ${alias} WHERE ${policy} ${d.rowPolicyBarrier}) AS ${alias}`;
  }

  /** Whether the cube's row policy removes rows for this caller. */
  filtersRows(cube: string): boolean {
    return this.env.scope.cubes.get(cube)?.rowFilter != null;
  }

  #readsRowid(c: CubeDef): boolean {
    let reads = ROWID_READERS.get(c);
    if (reads === undefined) {
      reads = [...c.dimensions.values()].some((d) => rawColumns(d.sql).has('rowid'));
      ROWID_READERS.set(c, reads);
    }
    return reads;
  }
}

// Facts of a compiled cube's SQL, asked for each relation of every query: computed once per cube
// (a cache keyed by the compiled definitions, which queries never change).
const ROWID_READERS = new WeakMap<CubeDef, boolean>();
const ANCHORS = new WeakMap<CubeDef, string | null>();

/** A column the cube's table surely has: that of a dimension written as a bare column (a key first). */
function anchorColumn(c: CubeDef): string | null {
  const known = ANCHORS.get(c);
  if (known !== undefined) return known;
  const found = findAnchor(c);
  ANCHORS.set(c, found);
  return found;
}

function findAnchor(c: CubeDef): string | null {
  const dims = [...c.dimensions.values()].sort(
    (a, b) => Number(c.primaryKeys.includes(b.name)) - Number(c.primaryKeys.includes(a.name)),
  );
  for (const d of dims) {
    const [head, tail, ...rest] = d.sql;
    if (rest.length || head?.t !== 'cube' || tail?.t !== 'text') continue;
    const col = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(tail.s.trim());
    if (col) return col[1]!;
  }
  return null;
}
