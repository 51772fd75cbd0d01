/** The model compiler: Cube-format YAML files -> a validated model. */
export { titleize } from './compile-cube.ts';
export { isInterval } from './compile-measure-options.ts';
export {
  compileModel,
  compileModelPartial,
  type ModelExclusion,
  type ModelFile,
  type PartialModel,
  readModelFiles,
} from './compile-model.ts';
export { FILTER_OPERATORS } from './compile-policy.ts';
export type {
  CubeDef,
  CustomGranularity,
  DimensionDef,
  DimensionType,
  JoinDef,
  MaskDef,
  MeasureDef,
  MeasureType,
  MultiStage,
  PolicyDef,
  PolicyFilter,
  PreAggregationDef,
  Relationship,
  RollingWindow,
  SafeHarborMask,
  SegmentDef,
  SemanticModel,
  SqlPart,
  SqlTemplate,
  TimeShift,
  ViewDef,
  ViewMember,
} from './model-types.ts';
export { dimensionCubeRefs, memberRefs, rawColumns, readsMeasures, renderTemplate } from './sql-template.ts';
