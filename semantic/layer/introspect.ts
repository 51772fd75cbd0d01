import type { Lakehouse } from '../../lakehouse/index.ts';
import { fullAccess } from '../access/index.ts';
import { type CubeDef, dimensionCubeRefs, type MultiStage, type SemanticModel } from '../compiler/index.ts';
import { MemberRenderer, ParamCollector, type SqlDialect } from '../dialect/index.ts';
import { type ModelDiagnostic, ModelInvalidError } from '../errors.ts';

/** What the lake says about a model: cubes it cannot serve, and the engine type of each member. */
export interface LakeFacts {
  /** Cube -> why it is unavailable (its table is not in the lake). */
  unavailable: Map<string, string>;
  types: Map<string, string>;
  /**
   * Members (`cube.member`) whose SQL, with every reference followed, holds a subquery: they read
   * rows other than the one they describe, past any row policy (see `evaluateAccess`).
   */
  readsOtherRows: Set<string>;
}

/**
 * Check every cube against the lake. A cube whose table is missing is unavailable (reported, the
 * rest of the model works); a member whose SQL the engine rejects is a model error.
 */
export async function introspect(
  model: SemanticModel,
  lake: Lakehouse,
  dialect: SqlDialect,
  options: { lenient?: boolean } = {},
): Promise<LakeFacts> {
  const tables = await lake.query(
    `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'lake'
     UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'lake'`,
  );
  const present = new Set(tables.rows.map((r) => `${r[0]}.${r[1]}`));
  const facts: LakeFacts = { unavailable: new Map(), types: new Map(), readsOtherRows: new Set() };
  const diagnostics: ModelDiagnostic[] = [];
  const r = new MemberRenderer(
    { model, scope: fullAccess(model), types: facts.types, dialect },
    new ParamCollector(dialect, true),
    'UTC',
    null,
  );
  for (const cube of model.cubes.values()) {
    const src = cube.source;
    if (src.kind !== 'table' || present.has(`${src.schema}.${src.table}`)) continue;
    // Connectors load every source table into `main`: `sql_table: public.orders` (a Cube model
    // written for PostgreSQL) reads main.orders when the lake has no schema of that name.
    if (src.schema !== 'main' && present.has(`main.${src.table}`)) {
      cube.source = { ...src, schema: 'main' };
      continue;
    }
    facts.unavailable.set(
      cube.name,
      src.schema === 'main'
        ? `the lake has no table ${src.table}`
        : `the lake has no table ${src.schema}.${src.table}, nor ${src.table} in main (where connectors load)`,
    );
  }
  // A cube whose dimensions read a joined cube's (`{users.city}`) is probed with that join.
  const fromOf = (cube: CubeDef): string => {
    const refs = new Set(
      [...cube.dimensions.keys()].flatMap((d) => [...dimensionCubeRefs(model, cube.name, d)]),
    );
    // Each referenced cube joins one already placed (a dimension reads its cube's direct joins,
    // which may read theirs).
    const placed = [cube.name];
    const joins: string[] = [];
    for (let progress = true; progress; ) {
      progress = false;
      for (const other of refs) {
        if (placed.includes(other) || facts.unavailable.has(other)) continue;
        const j = placed
          .map(
            (c) =>
              model.cubes.get(c)!.joins.find((x) => x.to === other) ??
              model.cubes.get(other)?.joins.find((x) => x.to === c),
          )
          .find((x) => x !== undefined);
        if (!j) continue;
        joins.push(`LEFT JOIN ${r.relation(other)} ON ${r.joinSql(j)}`);
        placed.push(other);
        progress = true;
      }
    }
    return [r.relation(cube.name), ...joins].join(' ');
  };
  for (const cube of model.cubes.values()) {
    if (facts.unavailable.has(cube.name)) continue;
    const missing = await describeTable(lake, `SELECT 1 FROM ${r.relation(cube.name)}`);
    const from = fromOf(cube);
    if (missing) {
      facts.unavailable.set(cube.name, missing);
      continue;
    }
    const items: Array<{ path: string; line: number; sql: string; key: string | null }> = [];
    for (const dim of cube.dimensions.values()) {
      items.push({
        path: `cubes.${cube.name}.dimensions.${dim.name}`,
        line: dim.pos.line,
        sql: r.rawDimension(cube.name, dim.name),
        key: `${cube.name}.${dim.name}`,
      });
      if (dim.mask?.kind === 'sql') {
        items.push({
          path: `cubes.${cube.name}.dimensions.${dim.name}.mask`,
          line: dim.pos.line,
          sql: r.visibleMaskSql(cube.name, dim.name),
          key: `${cube.name}.${dim.name}#mask`,
        });
      }
    }
    await check(lake, from, items, facts, diagnostics, cube);
  }
  // Measures, segments and joins read dimension types, so they are checked once those are known.
  for (const cube of model.cubes.values()) {
    if (facts.unavailable.has(cube.name)) continue;
    const from = fromOf(cube);
    const items = [
      ...[...cube.measures.values()]
        .filter((m) => inlineable(model, cube.name, m.name))
        .map((m) => ({
          path: `cubes.${cube.name}.measures.${m.name}`,
          line: m.pos.line,
          sql: r.measure(cube.name, m.name, true),
          key: null,
        })),
      ...[...cube.segments.values()].map((s) => ({
        path: `cubes.${cube.name}.segments.${s.name}`,
        line: s.pos.line,
        sql: `count(*) FILTER (WHERE ${r.segment(cube.name, s.name)})`,
        key: null,
      })),
    ];
    await check(lake, from, items, facts, diagnostics, cube);
    for (const j of cube.joins) {
      if (facts.unavailable.has(j.to)) continue;
      const sql = `SELECT 1 FROM ${r.relation(cube.name)} LEFT JOIN ${r.relation(j.to)} ON ${r.joinSql(j)}`;
      const err = await describe(lake, sql);
      if (err)
        diagnostics.push({
          file: j.pos.file,
          line: j.pos.line,
          path: `cubes.${cube.name}.joins.${j.to}`,
          message: err,
        });
    }
  }
  if (diagnostics.length && !options.lenient) throw new ModelInvalidError(diagnostics);
  // Lenient (a partial model): a cube the engine cannot read as written is unavailable, with why.
  for (const d of diagnostics) {
    const cube = /^cubes\.([^.[]+)/.exec(d.path)?.[1];
    if (cube && !facts.unavailable.has(cube)) facts.unavailable.set(cube, `${d.path}: ${d.message}`);
  }
  for (const cube of model.cubes.values()) {
    if (facts.unavailable.has(cube.name)) continue;
    const members = [
      ...[...cube.dimensions.values()].map((d) => ({
        name: d.name,
        sql: [
          r.rawDimension(cube.name, d.name),
          ...(d.mask?.kind === 'sql' ? [r.visibleMaskSql(cube.name, d.name)] : []),
        ],
      })),
      // Multi-stage measures are computed over other members' results: they are flagged below
      // from what they reference.
      ...[...cube.measures.values()]
        .filter((m) => m.multiStage === undefined)
        .map((m) => ({
          name: m.name,
          sql: [r.measure(cube.name, m.name, true)],
        })),
      ...[...cube.segments.values()].map((s) => ({ name: s.name, sql: [r.segment(cube.name, s.name)] })),
    ];
    const owners = members.flatMap((m) => m.sql.map(() => m.name));
    const flags = await holdSubqueries(
      lake,
      members.flatMap((m) => m.sql),
    );
    flags.forEach((reads, i) => {
      if (reads) facts.readsOtherRows.add(`${cube.name}.${owners[i]}`);
    });
  }
  flagMultiStage(model, facts);
  return facts;
}

/**
 * A multi-stage measure reads other rows when any member it references does (its SQL, its rank
 * order, its group_by / reduce_by / add_group_by dimensions), followed to a fixpoint since one
 * multi-stage measure may reference another.
 */
function flagMultiStage(model: SemanticModel, facts: LakeFacts): void {
  const staged = [...model.cubes.values()].flatMap((cube) =>
    [...cube.measures.values()]
      .filter((m) => m.multiStage !== undefined && !facts.unavailable.has(cube.name))
      .map((m) => {
        const ms = m.multiStage as MultiStage;
        const templates = [...(m.sql ?? []), ...m.filters.flat(), ...ms.orderBy.flatMap((o) => o.sql)];
        const refs = templates.flatMap((p) => (p.t === 'member' ? [`${p.cube}.${p.member}`] : []));
        for (const d of [...(ms.groupBy ?? []), ...(ms.reduceBy ?? []), ...(ms.addGroupBy ?? [])])
          refs.push(`${d.cube}.${d.member}`);
        return { key: `${cube.name}.${m.name}`, refs };
      }),
  );
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of staged) {
      if (facts.readsOtherRows.has(m.key)) continue;
      if (m.refs.some((ref) => facts.readsOtherRows.has(ref))) {
        facts.readsOtherRows.add(m.key);
        changed = true;
      }
    }
  }
}

/**
 * For each expression, whether it reads a relation (a scalar, EXISTS or IN subquery, in any form),
 * decided by DuckDB's own parser rather than by looking at the text. One parse per cube.
 */
async function holdSubqueries(lake: Lakehouse, expressions: string[]): Promise<boolean[]> {
  if (expressions.length === 0) return [];
  const found = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(found);
    if (typeof v !== 'object' || v === null) return false;
    const node = v as Record<string, unknown>;
    return node.class === 'SUBQUERY' || Object.values(node).some(found);
  };
  const selectList = async (list: string[]): Promise<unknown[] | null> => {
    const r = await lake.query('SELECT json_serialize_sql($1::VARCHAR)', [`SELECT ${list.join(', ')}`]);
    const tree = JSON.parse(String(r.rows[0]?.[0])) as {
      error?: boolean;
      statements?: Array<{ node?: { select_list?: unknown[] } }>;
    };
    const items = tree.statements?.[0]?.node?.select_list;
    return tree.error === true || !Array.isArray(items) || items.length !== list.length ? null : items;
  };
  const all = await selectList(expressions);
  if (all) return all.map(found);
  // One of them does not parse on its own terms: look at each; what cannot be parsed counts as
  // reading other rows (it cannot be told apart).
  const out: boolean[] = [];
  for (const e of expressions) {
    const one = await selectList([e]);
    out.push(one ? found(one) : true);
  }
  return out;
}
async function check(
  lake: Lakehouse,
  from: string,
  items: Array<{ path: string; line: number; sql: string; key: string | null }>,
  facts: LakeFacts,
  diagnostics: ModelDiagnostic[],
  cube: CubeDef,
): Promise<void> {
  if (items.length === 0) return;
  const select = (list: typeof items) =>
    `SELECT ${list.map((it, i) => `${it.sql} AS c${i}`).join(', ')} FROM ${from}`;
  const all = await lake.query(`DESCRIBE ${select(items)}`).catch(() => null);
  if (all) {
    all.rows.forEach((row, i) => {
      const key = items[i]?.key;
      if (key) facts.types.set(key, String(row[1]));
    });
    return;
  }
  // One statement failed: find which members are wrong, and say so for each.
  for (const it of items) {
    const res = await lake.query(`DESCRIBE ${select([it])}`).then(
      (x) => ({ ok: true as const, type: String(x.rows[0]?.[1]) }),
      (e: unknown) => ({ ok: false as const, error: firstLine(e) }),
    );
    if (res.ok && it.key) facts.types.set(it.key, res.type);
    const table = res.ok ? null : /Table with name (\S+) does not exist/i.exec(res.error);
    if (table)
      facts.unavailable.set(cube.name, `${it.path} needs table ${table[1]}, which the lake does not have`);
    else if (!res.ok)
      diagnostics.push({
        file: cube.pos.file,
        line: it.line,
        path: it.path,
        message: `the lake rejects this SQL: ${res.error}`,
      });
  }
}

async function describe(lake: Lakehouse, sql: string): Promise<string | null> {
  return lake.query(`DESCRIBE ${sql}`).then(
    () => null,
    (e: unknown) => `the lake rejects this SQL: ${firstLine(e)}`,
  );
}

/** Null when the cube's source reads; otherwise why not, when it is a missing table. */
async function describeTable(lake: Lakehouse, sql: string): Promise<string | null> {
  const err = await lake.query(`DESCRIBE ${sql}`).then(
    () => null,
    (e: unknown) => firstLine(e),
  );
  if (err === null) return null;
  const m = /Table with name (\S+) does not exist/i.exec(err);
  return m ? `the lake has no table ${m[1]}` : `its SQL does not run: ${err}`;
}

function firstLine(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const text = cause instanceof Error ? cause.message : String(cause);
  return (text.split('\n')[0] ?? '').replace(/^The query failed: /, '').slice(0, 240);
}

/**
 * Whether a measure renders as one aggregate over its cube's rows, so its SQL can be checked here.
 * Multi-stage measures, ranks and measures combining other cubes' measures are computed in stages;
 * the measures they read are checked on their own.
 */
function inlineable(model: SemanticModel, cube: string, name: string): boolean {
  const m = model.cubes.get(cube)?.measures.get(name);
  if (!m || m.multiStage || m.type === 'rank') return false;
  if (m.type !== 'number') return true;
  return (m.sql ?? []).every(
    (p) =>
      p.t !== 'member' ||
      !model.cubes.get(p.cube)?.measures.has(p.member) ||
      (p.cube === cube && inlineable(model, p.cube, p.member)),
  );
}
