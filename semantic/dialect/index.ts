/** The dialect: planned queries -> SQL. DuckDB is the one engine today; others implement SqlDialect. */
export { type BuildEnv, buildQuery, type CompiledQuery } from './build-query.ts';
export type { SqlDialect } from './dialect.ts';
export { duckdbDialect } from './duckdb-dialect.ts';
export { type GovernedRelation, governedRelations } from './governed-relations.ts';
export { type JoinStep, joinTree, modelGraph } from './join-tree.ts';
export { MemberRenderer, type MemberTypes, type RenderEnv } from './member-renderer.ts';
export { type BoundValue, literal, ParamCollector } from './params.ts';
export {
  coarserOrEqual,
  PARTITION_COLUMN,
  partitionsOf,
  planRollups,
  ROLLUP_SCHEMA,
  type RollupMeasure,
  type RollupPlan,
  rollupSelect,
} from './rollup-plan.ts';
export { replaceRelations } from './sql-text.ts';
export { leafMeasures, PERSONS_COLUMN, personsColumn } from './stage.ts';
