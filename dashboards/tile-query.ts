import type { CubeFilter, CubeQuery } from '../semantic/index.ts';
import { DashboardError } from './errors.ts';
import type { Dashboard, FilterValues, Tile } from './schema.ts';

/** Rows a tile answers with at most (its own `limit` may be lower). */
export const TILE_ROW_LIMIT = 5000;
/** Rows a drill-down shows at most. */
export const DRILL_ROW_LIMIT = 500;

/** A tile's query with the dashboard's filters applied, and which filters reached it. */
export interface ResolvedTileQuery {
  query: CubeQuery;
  applied: string[];
  notApplied: string[];
}

/**
 * The query a tile runs for a viewer: the tile's own query, with every dashboard filter that has a
 * value added on the member the tile maps it to (or the filter's member). Values are checked
 * against the filter's kind; unknown filter ids are refused, so a viewer can only narrow a tile
 * the way the dashboard allows.
 *
 * @example tileQuery(dashboard, tile, { period: ['2020-01-01', '2020-12-31'], payer: 'Medicare' })
 */
export function tileQuery(dashboard: Dashboard, tile: Tile, values: FilterValues): ResolvedTileQuery {
  for (const id of Object.keys(values))
    if (!dashboard.filters.some((f) => f.id === id))
      throw new DashboardError('FILTER_INVALID', `Dashboard "${dashboard.id}" has no filter "${id}".`);
  const query: CubeQuery = structuredClone(tile.query);
  const applied: string[] = [];
  const notApplied: string[] = [];
  for (const filter of dashboard.filters) {
    // An explicit null clears a filter's default ("all").
    const value = filter.id in values ? values[filter.id] : filter.default;
    if (value === undefined || value === null) continue;
    const member = filter.id in tile.filters ? tile.filters[filter.id] : filter.member;
    if (!member) {
      notApplied.push(filter.id);
      continue;
    }
    if (filter.type === 'date_range') {
      if (!Array.isArray(value))
        throw new DashboardError('FILTER_INVALID', `Filter "${filter.id}" takes a date range [from, to].`);
      const [from, to] = value;
      if (from > to)
        throw new DashboardError('FILTER_INVALID', `Filter "${filter.id}": the start is after the end.`);
      query.timeDimensions ??= [];
      const tds = query.timeDimensions;
      const same = tds.find((t) => t.dimension === member);
      if (same) same.dateRange = [from, to];
      else tds.push({ dimension: member, dateRange: [from, to] });
    } else {
      if (typeof value !== 'string')
        throw new DashboardError('FILTER_INVALID', `Filter "${filter.id}" takes one value.`);
      query.filters = [...(query.filters ?? []), { member, operator: 'equals', values: [value] }];
    }
    applied.push(filter.id);
  }
  query.limit = Math.min(query.limit ?? TILE_ROW_LIMIT, TILE_ROW_LIMIT);
  return { query, applied, notApplied };
}

/** A clicked point: result column key → its value (e.g. `{"payers.name": "Medicare"}`). */
export type DrillPoint = Record<string, string | number | boolean | null>;

/**
 * The rows behind a tile (or behind one point of it): an ungrouped query over the tile's drill
 * dimensions, with the dashboard filters and the point's values as filters. Point keys must be
 * the tile's own dimensions (a time dimension's key carries its granularity and becomes that
 * period's date range), so a drill can never ask for something the tile does not show.
 *
 * @example drillQuery(dashboard, tile, {}, { 'payers.name': 'Medicare' })
 */
export function drillQuery(
  dashboard: Dashboard,
  tile: Tile,
  values: FilterValues,
  point: DrillPoint = {},
): ResolvedTileQuery {
  const dimensions = tile.drill?.dimensions;
  if (!dimensions)
    throw new DashboardError('DRILL_INVALID', `Tile "${tile.id}" does not define drill-down rows.`);
  const base = tileQuery(dashboard, tile, values);
  const filters = [...((base.query.filters ?? []) as CubeFilter[])];
  const timeDimensions = (base.query.timeDimensions ?? []).filter((t) => t.dateRange);
  const plain = new Set(tile.query.dimensions ?? []);
  const timed = new Map<string, NonNullable<CubeQuery['timeDimensions']>[number]>(
    (tile.query.timeDimensions ?? [])
      .filter((t) => t.granularity)
      .map((t) => [`${t.dimension}.${t.granularity}`, t] as const),
  );
  for (const [key, value] of Object.entries(point)) {
    if (plain.has(key)) {
      filters.push(
        value === null
          ? { member: key, operator: 'notSet' }
          : { member: key, operator: 'equals', values: [String(value)] },
      );
      continue;
    }
    const td = timed.get(key);
    if (!td || typeof value !== 'string')
      throw new DashboardError('DRILL_INVALID', `Tile "${tile.id}" cannot drill on "${key}".`);
    const range = periodRange(value, td.granularity as Granularity);
    const same = timeDimensions.find((t) => t.dimension === td.dimension);
    // The clicked period narrowed by the dashboard's date filter, never widened past it.
    if (same && Array.isArray(same.dateRange)) {
      const [from, to] = same.dateRange;
      same.dateRange = [[from, range[0]].sort()[1]!, [to, range[1]].sort()[0]!];
    } else timeDimensions.push({ dimension: td.dimension, dateRange: range });
  }
  return {
    query: {
      dimensions,
      filters,
      timeDimensions,
      segments: tile.query.segments,
      ungrouped: true,
      limit: DRILL_ROW_LIMIT,
    },
    applied: base.applied,
    notApplied: base.notApplied,
  };
}

type Granularity = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'hour' | 'minute' | 'second';

/** The first and last day of the period a time bucket value starts (`2015-04-01T00:00:00.000`, month). */
export function periodRange(value: string, granularity: Granularity): [string, string] {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) throw new DashboardError('DRILL_INVALID', 'A time point must start with a date (YYYY-MM-DD).');
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const end = new Date(start);
  switch (granularity) {
    case 'year':
      end.setUTCFullYear(end.getUTCFullYear() + 1);
      break;
    case 'quarter':
      end.setUTCMonth(end.getUTCMonth() + 3);
      break;
    case 'month':
      end.setUTCMonth(end.getUTCMonth() + 1);
      break;
    case 'week':
      end.setUTCDate(end.getUTCDate() + 7);
      break;
    default:
      end.setUTCDate(end.getUTCDate() + 1);
  }
  end.setUTCDate(end.getUTCDate() - 1);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return [day(start), day(end)];
}
