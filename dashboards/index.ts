/**
 * Dashboards as code: `dashboards/<id>.yaml` files (filters, tiles of semantic queries, layout),
 * the queries tiles run with filters applied, their charts, drill-downs and CSV exports.
 */
export { toCsv } from './csv.ts';
export { DashboardError, type DashboardErrorCode } from './errors.ts';
export {
  CHART_TYPES,
  type ChartType,
  type Dashboard,
  type DashboardFile,
  type DashboardFilter,
  dashboardFileSchema,
  type FilterValues,
  filterValuesSchema,
  idSchema,
  type Tile,
  type TileInput,
  type TilePosition,
  tileSchema,
} from './schema.ts';
export {
  BUNDLED_DASHBOARDS_DIR,
  DashboardStore,
  type DashboardSummary,
  installBundledDashboards,
  type NewTile,
} from './store.ts';
export { tileSpec, vegaField } from './tile-chart.ts';
export {
  DRILL_ROW_LIMIT,
  type DrillPoint,
  drillQuery,
  periodRange,
  type ResolvedTileQuery,
  TILE_ROW_LIMIT,
  tileQuery,
} from './tile-query.ts';
export { type LoadLike, shapeResult, type TileColumn, type TileResult } from './tile-result.ts';
