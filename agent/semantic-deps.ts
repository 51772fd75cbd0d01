import type { Gate } from '../gate/index.ts';
import type { ResultColumn } from '../lakehouse/index.ts';
import type { SecurityContext, SemanticLayer, CubeQuery as SemanticQuery } from '../semantic/index.ts';
import type { CubeQuery, MetaCube, ValueIndex } from './planner/index.ts';
import type { AgentDeps, TabularResult } from './types.ts';

/** Most distinct values a dimension may have to enter the value index (beyond that, it is an id or free text). */
const VALUE_INDEX_MAX = 200;
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
    values: (ctx) => valueIndex(semantic, ctx),
    runSemantic: async (query, ctx) => {
      const response = await semantic.load(query as SemanticQuery, ctx);
      const sql = semantic.sql(query as SemanticQuery, ctx).sql.sql[0];
      return {
        ...tabular(query, response),
        sql,
        relations: [...new Set(memberNames(query).map((m) => m.split('.')[0] as string))],
      };
    },
    runSql: async (sql, ctx) => gate.governedSql(sql, ctx),
    audit: options.audit,
    now: options.now,
  };
}

/**
 * Distinct values of each low-cardinality string dimension the caller may see, read through the
 * semantic layer so the caller's row policy applies. Identifier-tagged dimensions are left out:
 * the index exists to recognise words like "Humana" or "ambulatory", not names.
 */
export async function valueIndex(semantic: SemanticLayer, ctx: SecurityContext): Promise<ValueIndex> {
  const dims = semantic
    .meta(ctx)
    .cubes.filter((c) => c.type === 'cube')
    .flatMap((c) => c.dimensions)
    .filter((d) => d.type === 'string' && d.isVisible !== false && !d.primaryKey)
    .filter((d) => {
      const phi = (d.meta as { phi?: string } | undefined)?.phi;
      return phi !== 'direct' && phi !== 'quasi';
    });
  const out: Array<{ dimension: string; values: string[] }> = [];
  const queue = [...dims];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      try {
        const r = await semantic.load({ dimensions: [d.name], limit: VALUE_INDEX_MAX + 1 }, ctx);
        if (r.data.length > VALUE_INDEX_MAX) continue;
        const values = r.data
          .map((row) => row[d.name])
          .filter((v): v is string => typeof v === 'string' && v.length > 0);
        if (values.length) out.push({ dimension: d.name, values });
      } catch {
        // A dimension the caller cannot query (a table missing from the lake) simply has no values.
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out.sort((a, b) => a.dimension.localeCompare(b.dimension));
}

function memberNames(q: CubeQuery): string[] {
  return [
    ...(q.measures ?? []),
    ...(q.dimensions ?? []),
    ...(q.timeDimensions ?? []).map((t) => t.dimension),
  ];
}

/** Cube's `data` objects as typed columns and rows, in the query's member order. */
function tabular(query: CubeQuery, response: Awaited<ReturnType<SemanticLayer['load']>>): TabularResult {
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
