import { hasCode } from '../core/index.ts';
import type { Gate } from '../gate/index.ts';
import type { ResultColumn } from '../lakehouse/index.ts';
import type { FlatCubeQuery, SecurityContext, SemanticLayer } from '../semantic/index.ts';
import type { MetaCube, ValueIndex } from './planner/index.ts';
import type { AgentDeps, TabularResult } from './types.ts';

/**
 * Most distinct values a dimension may have to enter the value index (beyond that, it is an id or
 * free text). Coded descriptions (diagnoses, procedures, drugs) run to hundreds even in small data.
 */
const VALUE_INDEX_MAX = 1000;
const TYPE_FOR: Record<string, string> = {
  number: 'DOUBLE',
  time: 'TIMESTAMP',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
};

/**
 * The agent's dependencies over the real system: the semantic layer for the caller's visible
 * model, values and semantic queries, and the governed SQL gate for SQL. Both apply the caller's
 * policies; nothing here reaches the lake directly.
 */
export function semanticAgentDeps(options: {
  semantic: SemanticLayer;
  gate: Gate<SecurityContext>;
  audit?: AgentDeps['audit'];
  now?: () => Date;
}): AgentDeps {
  const { semantic, gate } = options;
  return {
    meta: async (ctx) =>
      semantic.meta(ctx).cubes.filter((c) => c.isVisible !== false) as unknown as MetaCube[],
    values: (ctx) => valueIndex(semantic, gate, ctx),
    runSemantic: async (query, ctx) => {
      const response = await semantic.load(query, ctx);
      const sql = semantic.sql(query, ctx).sql.sql[0];
      return {
        ...tabular(query, response),
        sql,
        relations: [...new Set(memberNames(query).map((m) => m.split('.')[0] as string))],
      };
    },
    runSql: async (sql, ctx) => gate.governedSql(sql, ctx),
    identifiers: (ctx) => knownIdentifiers(semantic, gate, ctx),
    audit: options.audit,
    now: options.now,
  };
}

/**
 * Distinct values of each low-cardinality string dimension the caller may see, read through the
 * governed SQL gate so the caller's row policy applies. Two scans per cube: approximate distinct
 * counts, then the values of the columns that qualify. Masked and identifier-tagged columns are
 * left out: the index exists to recognise words like "Humana" or "ambulatory", not names.
 */
export async function valueIndex(
  semantic: SemanticLayer,
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
): Promise<ValueIndex> {
  const cubes = semantic.meta(ctx).cubes.filter((c) => c.type === 'cube');
  const relations = relationsOrNone(semantic, ctx);
  const out: Array<{ dimension: string; values: string[] }> = [];
  for (const cube of cubes) {
    const rel = relations.get(cube.name);
    if (!rel) continue;
    const eligible = new Set(
      cube.dimensions
        .filter((d) => d.type === 'string' && !d.primaryKey)
        .filter((d) => {
          const phi = (d.meta as { phi?: string } | undefined)?.phi;
          return phi !== 'direct' && phi !== 'quasi';
        })
        .map((d) => d.name.slice(cube.name.length + 1)),
    );
    const cols = rel.columns.filter(
      (c) => !c.masked && eligible.has(c.name) && /VARCHAR|TEXT|STRING/i.test(c.type),
    );
    if (!cols.length) continue;
    const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
    try {
      const counts = await gate.governedSql(
        `SELECT ${cols.map((c) => `approx_count_distinct(${q(c.name)}) AS ${q(c.name)}`).join(', ')} FROM ${q(cube.name)}`,
        ctx,
      );
      const small = cols.filter(
        (_, i) => Number(counts.rows[0]?.[i] ?? Number.POSITIVE_INFINITY) <= VALUE_INDEX_MAX * 1.2,
      );
      if (!small.length) continue;
      const lists = await gate.governedSql(
        `SELECT ${small.map((c) => `list(DISTINCT ${q(c.name)}) AS ${q(c.name)}`).join(', ')} FROM ${q(cube.name)}`,
        ctx,
      );
      small.forEach((c, i) => {
        const values = ((lists.rows[0]?.[i] as unknown[]) ?? []).filter(
          (v): v is string => typeof v === 'string' && v.trim().length > 1,
        );
        // Keys (UUIDs, numeric codes) are not words anyone asks with.
        const idLike = values.filter((v) => /^[0-9a-f]{8}-[0-9a-f-]{20,}$|^[0-9]+$/i.test(v)).length;
        if (values.length && values.length <= VALUE_INDEX_MAX && idLike * 2 < values.length)
          out.push({ dimension: `${cube.name}.${c.name}`, values: values.sort() });
      });
    } catch {
      // A cube the caller cannot query (a table missing from the lake) simply has no values.
    }
  }
  return out.sort((a, b) => a.dimension.localeCompare(b.dimension));
}

/**
 * Values of direct-identifier columns the caller can see (patient names, record numbers), read
 * through the gate under their policy, for the PHI boundary to recognise in questions. Masked
 * columns add nothing; at most `limit` values.
 */
export async function knownIdentifiers(
  semantic: SemanticLayer,
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
  limit = 50_000,
): Promise<string[]> {
  const out = new Set<string>();
  const relations = relationsOrNone(semantic, ctx);
  for (const cube of semantic.meta(ctx).cubes.filter((c) => c.type === 'cube')) {
    const rel = relations.get(cube.name);
    const direct = cube.dimensions
      .filter((d) => d.type === 'string' && (d.meta as { phi?: string } | undefined)?.phi === 'direct')
      .map((d) => d.name.slice(cube.name.length + 1))
      .filter((n) => rel?.columns.some((c) => c.name === n && !c.masked));
    for (const col of direct) {
      if (out.size >= limit) break;
      try {
        const r = await gate.governedSql(
          `SELECT DISTINCT "${col.replaceAll('"', '""')}" FROM "${cube.name}"`,
          ctx,
          { maxRows: limit - out.size },
        );
        for (const [v] of r.rows) if (typeof v === 'string' && v.trim().length > 2) out.add(v.trim());
      } catch {
        // Unqueryable for this caller: nothing to recognise.
      }
    }
  }
  return [...out];
}

function memberNames(q: FlatCubeQuery): string[] {
  return [
    ...(q.measures ?? []),
    ...(q.dimensions ?? []),
    ...(q.timeDimensions ?? []).map((t) => t.dimension),
  ];
}

/** Cube's `data` objects as typed columns and rows, in the query's member order. */
function tabular(query: FlatCubeQuery, response: Awaited<ReturnType<SemanticLayer['load']>>): TabularResult {
  const ann = response.annotation;
  const keys: Array<{ key: string; type: string }> = [
    ...(query.dimensions ?? []).map((k) => ({ key: k, type: ann.dimensions[k]?.type ?? 'string' })),
    ...(query.timeDimensions ?? [])
      .filter((t) => t.granularity)
      .map((t) => ({ key: `${t.dimension}.${t.granularity}`, type: 'time' })),
    ...(query.measures ?? []).map((k) => ({ key: k, type: ann.measures[k]?.type ?? 'number' })),
  ];
  const columns: ResultColumn[] = keys.map((k) => ({ name: k.key, type: TYPE_FOR[k.type] ?? 'VARCHAR' }));
  const rows = response.data.map((row) => keys.map((k) => row[k.key] ?? null));
  return { columns, rows };
}

/** The caller's governed relations; none for a role refused governed SQL (small-cell suppression). */
function relationsOrNone(
  semantic: SemanticLayer,
  ctx: SecurityContext,
): ReturnType<SemanticLayer['governedRelations']> {
  try {
    return semantic.governedRelations(ctx);
  } catch (err) {
    if (hasCode(err, 'ACCESS_DENIED')) return new Map();
    throw err;
  }
}
