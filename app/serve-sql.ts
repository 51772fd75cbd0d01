import type { SecurityContext, SemanticModel } from '../semantic/index.ts';
import type { RelationMeasures, ServerServices, SqlTable, SqlWireServices } from '../server/index.ts';
import type { Runtime } from './runtime.ts';

// The semantic layer's public API exports the model type; its parts are read off it.
type Cube = SemanticModel['cubes'] extends Map<string, infer C> ? C : never;
type Measure = Cube['measures'] extends Map<string, infer M> ? M : never;
type Template = NonNullable<Measure['sql']>;

/**
 * What `analyst serve --sql-port` hands the SQL wire protocol: the HTTP API's authenticator and
 * audit, the runtime's gate (with a row cap and a cancel signal), and the semantic model's
 * relations and measures as each caller may see them.
 */
export function sqlWireServices(rt: Runtime, services: ServerServices): SqlWireServices {
  return {
    authenticator: services.authenticator,
    audit: (e) => services.audit(e),
    governedSql: (sql, ctx, options) =>
      rt.gate.governedSql(sql, ctx as SecurityContext, { maxRows: options.maxRows, signal: options.signal }),
    tables: async (ctx) => sqlTables(rt, ctx as SecurityContext),
    measures: async (ctx) => sqlMeasures(rt, ctx as SecurityContext),
  };
}

/** The governed relations; none for a caller the gate refuses outright (small-cell suppression). */
function relationsOf(rt: Runtime, ctx: SecurityContext) {
  try {
    return rt.semantic.governedRelations(ctx);
  } catch {
    return new Map<
      string,
      ReturnType<Runtime['semantic']['governedRelations']> extends Map<string, infer R> ? R : never
    >();
  }
}

function sqlTables(rt: Runtime, ctx: SecurityContext): SqlTable[] {
  const model = rt.semantic.model;
  return [...relationsOf(rt, ctx)].map(([name, r]) => {
    const cube = model.cubes.get(name);
    const view = model.views.get(name);
    const describe = (col: string): string | undefined => {
      if (cube) return cube.dimensions.get(col)?.description;
      const vm = view?.members.get(col);
      return vm ? model.cubes.get(vm.cube)?.dimensions.get(vm.member)?.description : undefined;
    };
    return {
      name,
      description: cube?.description ?? view?.description,
      columns: r.columns.map((c) => ({ name: c.name, type: c.type, description: describe(c.name) })),
    };
  });
}

function sqlMeasures(rt: Runtime, ctx: SecurityContext): Map<string, RelationMeasures> {
  const model = rt.semantic.model;
  const scope = rt.semantic.scope(ctx);
  const out = new Map<string, RelationMeasures>();
  for (const [name, rel] of relationsOf(rt, ctx)) {
    const columns = new Set(rel.columns.map((c) => c.name));
    const plain = new Set(rel.columns.filter((c) => !c.masked).map((c) => c.name));
    const measures = new Map<string, string>();
    const cube = model.cubes.get(name);
    const view = model.views.get(name);
    if (cube) {
      const access = scope.cubes.get(name);
      for (const m of cube.measures.values()) {
        if (!m.public || (access?.members.get(m.name) ?? 'hidden') !== 'full') continue;
        const agg = aggregateOf(m, name, model, (c, d) => (c === name && plain.has(d) ? d : undefined));
        if (agg) measures.set(m.name, agg);
      }
    } else if (view) {
      const access = scope.views.get(name);
      const dims = [...view.members.values()].filter((vm) => vm.kind === 'dimension' && plain.has(vm.name));
      for (const vm of view.members.values()) {
        if (vm.kind !== 'measure' || (access?.members.get(vm.name) ?? 'hidden') !== 'full') continue;
        const m = model.cubes.get(vm.cube)?.measures.get(vm.member);
        if (!m) continue;
        const agg = aggregateOf(
          m,
          vm.cube,
          model,
          (c, d) => dims.find((x) => x.cube === c && x.member === d)?.name,
        );
        if (agg) measures.set(vm.name, agg);
      }
    }
    out.set(name.toLowerCase(), { columns, measures });
  }
  return out;
}

/** A measure as an aggregate over one visible, unmasked column; undefined when it is not one. */
function aggregateOf(
  m: Measure,
  cubeName: string,
  model: SemanticModel,
  column: (cube: string, dimension: string) => string | undefined,
): string | undefined {
  if (m.filters.length || m.rollingWindow || m.multiStage) return undefined;
  if (m.type === 'count' && !m.sql) return 'count(*)';
  if (!m.sql) return undefined;
  const col = columnOf(m.sql, cubeName, model, column);
  if (!col) return undefined;
  const q = `"${col.replaceAll('"', '""')}"`;
  switch (m.type) {
    case 'count':
      return `count(${q})`;
    case 'count_distinct':
      return `count(DISTINCT ${q})`;
    case 'count_distinct_approx':
      return `approx_count_distinct(${q})`;
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return `${m.type}(${q})`;
    default:
      return undefined;
  }
}

/** The column a measure's SQL reads: a member reference, or the same SQL as one dimension's. */
function columnOf(
  sql: Template,
  cubeName: string,
  model: SemanticModel,
  column: (cube: string, dimension: string) => string | undefined,
): string | undefined {
  const only = sql.length === 1 ? sql[0] : undefined;
  if (only?.t === 'member' && only.cube === cubeName) return column(cubeName, only.member);
  const key = normalize(sql, cubeName);
  const cube = model.cubes.get(cubeName);
  for (const d of cube?.dimensions.values() ?? []) {
    if (normalize(d.sql, cubeName) === key) return column(cubeName, d.name);
  }
  return undefined;
}

function normalize(sql: Template, cubeName: string): string {
  return sql
    .map((p) =>
      p.t === 'text'
        ? p.s
        : p.t === 'cube'
          ? p.cube === cubeName
            ? ''
            : `{${p.cube}}.`
          : `{${p.cube}.${p.member}}`,
    )
    .join('')
    .replace(/^\s*\./, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}
