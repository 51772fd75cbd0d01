/** The model compiler: Cube-format YAML files -> a validated model. */
export { titleize } from './compile-cube.ts';
export { compileModel, type ModelFile, readModelFiles } from './compile-model.ts';
export { FILTER_OPERATORS } from './compile-policy.ts';
export type {
  CubeDef,
  DimensionDef,
  DimensionType,
  JoinDef,
  MaskDef,
  MeasureDef,
  MeasureType,
  PolicyDef,
  PolicyFilter,
  Relationship,
  SafeHarborMask,
  SegmentDef,
  SemanticModel,
  SqlPart,
  SqlTemplate,
  ViewDef,
  ViewMember,
} from './model-types.ts';
export { memberRefs, rawColumns, renderTemplate } from './sql-template.ts';
