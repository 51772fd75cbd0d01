import type { Tile } from './schema.ts';
import type { TileColumn, TileResult } from './tile-result.ts';

type Spec = Record<string, unknown>;

/**
 * Vega-Lite reads `a.b` in a field name as a nested path; member names are flat keys with dots,
 * so every dot is escaped.
 */
export function vegaField(key: string): string {
  return key.replace(/\\?\./g, '\\.');
}

/** Axis labels: money in short form ($9.3M), shares as percents, counts with separators. */
function axisFormat(c: TileColumn): Record<string, unknown> {
  if (c.format === 'currency') return { format: '$.2~s' };
  if (c.format === 'percent') return { format: '.0%' };
  return { format: ',.2~f' };
}

/**
 * The Vega-Lite spec a tile is drawn with, its rows inlined as data; null for numbers and tables.
 * A tile's own `vega_lite` spec gets the rows and its field names escaped; otherwise `chart`
 * picks bars (sorted, by the first dimension), lines or areas (by the time bucket), one series
 * per measure.
 *
 * @example tileSpec(tile, shapeResult(query, load))
 */
export function tileSpec(tile: Tile, result: TileResult): Spec | null {
  // `__row` ties a clicked mark back to its row, so the app can drill into exactly that row.
  const values = result.rows.map((r, row) => ({
    ...Object.fromEntries(result.columns.map((c, i) => [c.key, r[i]])),
    __row: row,
  }));
  if (tile.vega_lite) return { ...escapeFields(tile.vega_lite), data: { values } };
  if (tile.chart === 'number' || tile.chart === 'table') return null;
  const key = result.columns.find((c) => c.kind === (tile.chart === 'bar' ? 'dimension' : 'time'));
  const fallbackKey = key ?? result.columns.find((c) => c.kind !== 'measure');
  const measures = result.columns.filter((c) => c.kind === 'measure');
  if (!fallbackKey || !measures.length) return null;
  const temporal = fallbackKey.kind === 'time';
  const x = temporal
    ? { field: vegaField(fallbackKey.key), type: 'temporal', title: fallbackKey.title }
    : {
        field: vegaField(fallbackKey.key),
        type: 'nominal',
        title: fallbackKey.title,
        sort: measures.length === 1 ? '-y' : null,
        axis: { labelLimit: 140, labelAngle: result.rows.length <= 6 ? 0 : -40 },
      };
  const mark =
    tile.chart === 'bar'
      ? { type: 'bar', tooltip: true }
      : tile.chart === 'area'
        ? { type: 'area', line: true, tooltip: true }
        : { type: 'line', point: true, tooltip: true };
  const first = measures[0]!;
  if (measures.length === 1) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      mark,
      encoding: {
        x,
        y: { field: vegaField(first.key), type: 'quantitative', title: first.title, axis: axisFormat(first) },
      },
    };
  }
  // Several measures: one series each, in long form (x, series, value) so no expression is needed.
  const keyIdx = result.columns.indexOf(fallbackKey);
  const long = result.rows.flatMap((r, row) =>
    measures.map((m) => ({
      [fallbackKey.key]: r[keyIdx],
      series: m.title,
      value: r[result.columns.indexOf(m)],
      __row: row,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: long },
    mark,
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: null, axis: axisFormat(first) },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      ...(tile.chart === 'bar' ? { xOffset: { field: 'series' } } : {}),
    },
  };
}

function escapeFields(spec: unknown): Spec {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          k === 'field' && typeof x === 'string' ? vegaField(x) : walk(x),
        ]),
      );
    return v;
  };
  return walk(spec) as Spec;
}
