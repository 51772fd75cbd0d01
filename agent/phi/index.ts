/** The PHI boundary: what may leave for a model endpoint, by its `phi` level. */
export { DATA_HANDLING_RULES, quoteData } from './data-block.ts';
export { PhiError, type PhiErrorCode } from './errors.ts';
export {
  findStrongIdentifiers,
  type IdentifierKind,
  IdentifierMatcher,
  type KnownIdentifier,
  type PlaceholderMap,
  replaceIdentifiers,
  restore,
} from './identifiers.ts';
export {
  type BoundaryResult,
  PhiBoundary,
  type PhiBoundaryOptions,
  type PromptParts,
  type ValueMatch,
} from './phi-boundary.ts';
export {
  type BoundaryColumn,
  type ColumnRole,
  classifyColumn,
  type DeidentifiedResult,
  deidentifyRows,
  ROLE_OF_SAFE_HARBOR_TAG,
  SMALL_CELL_MIN,
  type Treatment,
  toPlain,
  transformValue,
} from './safe-harbor.ts';
