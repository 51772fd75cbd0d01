import type { SemanticModel } from '../compiler/index.ts';
import type { CompiledQuery } from '../dialect/index.ts';
import type { PlannedQuery } from '../query/index.ts';

interface AnnotationEntry {
  title: string;
  shortTitle: string;
  type: string;
  meta?: Record<string, unknown> | undefined;
  drillMembers?: string[];
  drillMembersGrouped?: { measures: string[]; dimensions: string[] };
  granularity?: { name: string; title: string; interval: string };
}

/** One query's result in Cube's `/v1/load` shape (numbers are JSON numbers, times ISO strings). */
export interface LoadResponse {
  query: Record<string, unknown>;
  data: Array<Record<string, unknown>>;
  lastRefreshTime: string;
  annotation: {
    measures: Record<string, AnnotationEntry>;
    dimensions: Record<string, AnnotationEntry>;
    segments: Record<string, AnnotationEntry>;
    timeDimensions: Record<string, AnnotationEntry>;
  };
  dataSource: 'default';
  dbType: string;
  extDbType: string;
  external: false;
  slowQuery: false;
  /** Cube's field: the rollups (pre-aggregations) that answered, by id, with their table. */
  usedPreAggregations?: Record<string, { targetTableName: string }>;
  total?: number | undefined;
  /** Set under small-cell suppression: rows marked `suppressed: true` had fewer persons than this. */
  minGroupSize?: number | undefined;
}

/** Cube's `responseFormat: "compact"` data: the member names once, then each row as an array. */
export interface CompactData {
  members: string[];
  dataset: unknown[][];
}

/** A load response whose rows are in Cube's `compact` format. */
export type CompactLoadResponse = Omit<LoadResponse, 'data'> & { data: CompactData };

/**
 * Rows as Cube's `compact` format when the query asked for it (`@cubejs-client/core` unpacks it);
 * otherwise the response unchanged.
 *
 * @example toResponseFormat(await layer.load(q, ctx)).data // { members, dataset } for compact
 */
export function toResponseFormat(res: LoadResponse): LoadResponse | CompactLoadResponse {
  if (res.query.responseFormat !== 'compact') return res;
  const rows = res.data;
  const members = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (members.length === 0)
    members.push(...Object.keys({ ...res.annotation.measures, ...res.annotation.dimensions }));
  return { ...res, data: { members, dataset: rows.map((r) => members.map((m) => r[m] ?? null)) } };
}

/** A `/v1/load` answer (one result, or the multi and compareDateRange envelopes) in the format each query asked for. */
export function inResponseFormat<T extends LoadResponse | MultiLoadResponse | CompareDateRangeResponse>(
  answer: T,
): unknown {
  if ('results' in answer) return { ...answer, results: answer.results.map(toResponseFormat) };
  return toResponseFormat(answer as LoadResponse);
}

/** The `queryType=multi` envelope `@cubejs-client/core` asks for. */
export interface MultiLoadResponse {
  queryType: 'regularQuery';
  results: LoadResponse[];
  pivotQuery: Record<string, unknown>;
  slowQuery: false;
}

/** A `compareDateRange` query's answer: one result per range, Cube's `compareDateRangeQuery` envelope. */
export interface CompareDateRangeResponse {
  queryType: 'compareDateRangeQuery';
  results: LoadResponse[];
  pivotQuery: Record<string, unknown>;
  slowQuery: false;
}

/**
 * Wrap the per-range results of a `compareDateRange` query as Cube does: the pivot query has the
 * pseudo-dimension `compareDateRange`, so `resultSet.decompose()` and pivots work in Cube's client.
 */
export function toCompareResponse(results: LoadResponse[]): CompareDateRangeResponse {
  const first = results[0]?.query ?? {};
  return {
    queryType: 'compareDateRangeQuery',
    results,
    pivotQuery: {
      ...first,
      dimensions: ['compareDateRange', ...((first.dimensions as string[] | undefined) ?? [])],
      queryType: 'compareDateRangeQuery',
    },
    slowQuery: false,
  };
}

/**
 * Wrap results for a `/v1/load?queryType=multi` request (what `@cubejs-client/core` sends).
 *
 * @example res.json(toMultiResponse([await layer.load(query, ctx)]))
 */
export function toMultiResponse(results: LoadResponse[]): MultiLoadResponse {
  return {
    queryType: 'regularQuery',
    results,
    pivotQuery: { ...(results[0]?.query ?? {}), queryType: 'regularQuery' },
    slowQuery: false,
  };
}

/** Shape rows and annotations as Cube does. */
export function buildLoadResponse(
  model: SemanticModel,
  pq: PlannedQuery,
  compiled: CompiledQuery,
  rows: unknown[][],
  dbType: string,
  total: number | undefined,
): LoadResponse {
  const keys = compiled.columns.map((c) => c.key);
  const extra = pq.dimensions
    .filter((d) => d.granularity)
    .map((d) => ({ from: d.key, to: d.key.slice(0, -(d.granularity!.length + 1)) }));
  const data = rows.map((row) => {
    const o: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      o[k] = row[i] ?? null;
    });
    // Cube also returns a granular time dimension under its plain name.
    for (const e of extra) if (!(e.to in o)) o[e.to] = o[e.from];
    return o;
  });
  const titles = (key: string, cube: string, member: string) => {
    const owner = key.split('.')[0]!;
    const ownerTitle = model.views.get(owner)?.title ?? model.cubes.get(owner)?.title ?? owner;
    const c = model.cubes.get(cube)!;
    const def = c.dimensions.get(member) ?? c.measures.get(member);
    const short = (model.views.get(owner)?.members.get(key.split('.')[1]!)?.title ?? def?.title) || member;
    return { title: `${ownerTitle} ${short}`, shortTitle: short, meta: def?.meta };
  };
  const annotation: LoadResponse['annotation'] = {
    measures: {},
    dimensions: {},
    segments: {},
    timeDimensions: {},
  };
  for (const m of pq.measures.filter((x) => x.output)) {
    const def = model.cubes.get(m.cube)!.measures.get(m.member)!;
    annotation.measures[m.key] = {
      ...titles(m.key, m.cube, m.member),
      type: 'number',
      drillMembers: [],
      drillMembersGrouped: { measures: [], dimensions: [] },
      ...(def.format ? { format: def.format } : {}),
    };
  }
  for (const d of pq.dimensions) {
    const t = titles(d.key, d.cube, d.member);
    if (d.granularity) {
      const g = d.custom
        ? { name: d.granularity, title: d.custom.title, interval: d.custom.interval }
        : { name: d.granularity, title: d.granularity, interval: `1 ${d.granularity}` };
      annotation.timeDimensions[d.key] = { ...t, type: 'time', granularity: g };
      const plain = d.key.slice(0, -(d.granularity.length + 1));
      annotation.timeDimensions[plain] ??= { ...t, type: 'time' };
    } else annotation.dimensions[d.key] = { ...t, type: d.type };
  }
  for (const s of (pq.normalized.segments as string[] | undefined) ?? []) {
    annotation.segments[s] = { title: s, shortTitle: s.split('.')[1] ?? s, type: 'segment' };
  }
  return {
    // A copy: callers may change the answer, and the planned query may be kept (compile's cache).
    query: structuredClone(pq.normalized),
    data,
    lastRefreshTime: new Date().toISOString(),
    annotation,
    dataSource: 'default',
    dbType,
    extDbType: dbType,
    external: false,
    slowQuery: false,
    ...(total !== undefined ? { total } : {}),
  };
}
