/** Pre-aggregations (Cube's rollups): tables in the lake that answer queries exactly, refreshed after syncs. */
export { PreAggregations, type RollupRefresh, type RollupStatus } from './pre-aggregations.ts';
