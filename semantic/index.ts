/**
 * The semantic layer: Cube-format data models over the lake, Cube REST queries compiled to SQL,
 * and access policies (row filters, hidden and masked members) for every caller.
 */
export type { AccessScope, EntityAccess, MemberAccess } from './access/index.ts';
export { evaluateAccess } from './access/index.ts';
export { BUNDLED_SYNTHEA_MODEL } from './bundled.ts';
export {
  compileModel,
  compileModelPartial,
  type ModelExclusion,
  type ModelFile,
  type PartialModel,
  readModelFiles,
  type SemanticModel,
} from './compiler/index.ts';
export {
  type CompiledQuery,
  duckdbDialect,
  type GovernedRelation,
  ROLLUP_SCHEMA,
  type RollupPlan,
  type SqlDialect,
} from './dialect/index.ts';
export {
  formatDiagnostic,
  JoinPathError,
  type ModelDiagnostic,
  ModelInvalidError,
  PolicyRefusedError,
  QueryInvalidError,
  SemanticError,
  type SemanticErrorCode,
  UnknownMemberError,
} from './errors.ts';
export { introspect, type LakeFacts } from './layer/introspect.ts';
export {
  type CompactData,
  type CompactLoadResponse,
  type CompareDateRangeResponse,
  inResponseFormat,
  type LoadResponse,
  type MultiLoadResponse,
  toCompareResponse,
  toMultiResponse,
  toResponseFormat,
} from './layer/load-response.ts';
export type { MetaCube, MetaMember, MetaResponse } from './layer/meta.ts';
export {
  type CachedRows,
  ResultCache,
  type ResultCacheOptions,
  type ResultCacheStats,
  resultCacheKey,
  resultCacheTtlMs,
} from './layer/result-cache.ts';
export { SemanticLayer, type SemanticLayerOptions, type SqlResponse } from './layer/semantic-layer.ts';
export { PreAggregations, type RollupRefresh, type RollupStatus } from './preagg/index.ts';
export {
  type CubeFilter,
  type CubeLeafFilter,
  type CubeQuery,
  cubeFilterSchema,
  cubeQuerySchema,
  type FlatCubeQuery,
  parseDateRange,
} from './query/index.ts';
export type { SecurityContext } from './security-context.ts';
