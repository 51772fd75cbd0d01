import type { CubeQuery } from '../semantic/index.ts';

/** One column of a tile's answer, in query order: dimensions, time buckets, then measures. */
export interface TileColumn {
  key: string;
  title: string;
  kind: 'dimension' | 'time' | 'measure';
  type: string;
  format?: string | undefined;
}

/** A tile's answer as the app draws it: columns and rows as arrays (no repeated keys). */
export interface TileResult {
  columns: TileColumn[];
  rows: unknown[][];
  /** Small-cell suppression: these rows' measures are withheld (fewer than `minGroupSize` persons). */
  suppressed?: { minGroupSize: number; rows: number[] } | undefined;
}

interface Annotated {
  title?: string;
  shortTitle?: string;
  type?: string;
  format?: string;
}

/** The parts of Cube's `/v1/load` response a tile reads. */
export interface LoadLike {
  data: Array<Record<string, unknown>>;
  minGroupSize?: number | undefined;
  annotation: {
    measures: Record<string, Annotated>;
    dimensions: Record<string, Annotated>;
    timeDimensions: Record<string, Annotated>;
  };
}

/**
 * Columns (titled from the load response's annotation) and rows in the order the query names
 * them, so a table, a chart and a CSV file agree on what each column is.
 *
 * @example shapeResult(query, await cube.load(query, ctx))
 */
export function shapeResult(query: CubeQuery, load: LoadLike): TileResult {
  const columns: TileColumn[] = [];
  const add = (key: string, kind: TileColumn['kind'], a: Annotated | undefined, fallbackType: string) =>
    columns.push({
      key,
      title: a?.shortTitle ?? a?.title ?? key,
      kind,
      type: a?.type ?? fallbackType,
      ...(a?.format ? { format: a.format } : {}),
    });
  for (const d of query.dimensions ?? []) add(d, 'dimension', load.annotation.dimensions[d], 'string');
  for (const t of query.timeDimensions ?? []) {
    if (!t.granularity) continue;
    const key = `${t.dimension}.${t.granularity}`;
    const a = load.annotation.timeDimensions[key];
    add(key, 'time', a && { ...a, shortTitle: `${a.shortTitle ?? t.dimension} (${t.granularity})` }, 'time');
  }
  for (const m of query.measures ?? []) add(m, 'measure', load.annotation.measures[m], 'number');
  const rows = load.data.map((r) => columns.map((c) => r[c.key] ?? null));
  const suppressed = load.data.flatMap((r, i) => (r.suppressed === true ? [i] : []));
  if (load.minGroupSize !== undefined && suppressed.length)
    return { columns, rows, suppressed: { minGroupSize: load.minGroupSize, rows: suppressed } };
  return { columns, rows };
}
