/**
 * The analyst agent: a LangGraph graph from question to governed answer, the offline interpreter as
 * the embedded default, and encrypted conversation persistence.
 */
export { Analyst } from './analyst.ts';
export { chartFor } from './chart.ts';
export { conversationKey, EncryptedSerializer } from './conversations/encrypted-serializer.ts';
export { type ConversationRecord, ConversationStore } from './conversations/store.ts';
// providers and PHI boundary
export {
  baaSchema,
  checkEndpoint,
  type EndpointConfig,
  type EndpointFinding,
  endpointSchema,
  OFFLINE,
  PHI_LEVELS,
  type PhiLevel,
  PROVIDERS,
  type ProviderName,
} from './endpoints.ts';
export { AgentError, type AgentErrorCode } from './errors.ts';
export type {
  LexiconCube as MetaCube,
  LexiconMember as MetaMember,
  LexiconValues as ValueIndex,
} from './interpreter/index.ts';
export { KINDS as QUESTION_KINDS, type Kind as QuestionKind } from './interpreter/index.ts';
export {
  matchVerified,
  parseVerifiedQuery,
  questionSimilarity,
  retrieveVerified,
  toVerifiedQuery,
  type VerifiedMatch,
  type VerifiedQuery,
  VerifiedQueryError,
  type VerifiedQueryErrorCode,
  type VerifiedQueryInput,
  verifiedQuerySchema,
} from './interpreter/verified.ts';
export {
  type BoundaryColumn,
  type BoundaryResult,
  type ColumnRole,
  classifyColumn,
  DATA_HANDLING_RULES,
  type DeidentifiedResult,
  deidentifyRows,
  findStrongIdentifiers,
  type IdentifierKind,
  IdentifierMatcher,
  type KnownIdentifier,
  PhiBoundary,
  type PhiBoundaryOptions,
  PhiError,
  type PhiErrorCode,
  type PlaceholderMap,
  type PromptParts,
  quoteData,
  ROLE_OF_SAFE_HARBOR_TAG,
  replaceIdentifiers,
  restore,
  SMALL_CELL_MIN,
  type Treatment,
  toPlain,
  transformValue,
  type ValueMatch,
} from './phi/index.ts';
export {
  AZURE_OPENAI_API_VERSION,
  assertTracingOff,
  type CoveredCallOptions,
  CoveredChatModel,
  type CoveredModelInfo,
  type CoveredReply,
  type CreateChatModelOptions,
  createChatModel,
  createGuardedTransport,
  type GuardedFetch,
  type GuardedTransport,
  type GuardedTransportOptions,
  HostRefusedError,
  NotCoveredError,
  ProviderError,
  type ProviderErrorCode,
  TRACING_VARIABLES,
} from './providers/index.ts';
export { afterExecute, afterPlan, afterValidate, MAX_REPAIRS } from './routers.ts';
export { nameIndex, semanticAgentDeps, valueIndex } from './semantic-deps.ts';
export type { Plan, Turn } from './state.ts';
export {
  ANALYST_TOOL_ARGS,
  ANALYST_TOOL_NAMES,
  type AnalystToolArgs,
  type AnalystToolCall,
  type AnalystToolDefinition,
  type AnalystToolName,
  analystToolDefinition,
  askClarifyingQuestionArgs,
  isAnalystToolName,
  runGovernedSqlArgs,
  runSemanticQueryArgs,
  searchSemanticModelArgs,
  toCubeQuery,
} from './tools.ts';
export type {
  AgentAuditEntry,
  AgentDeps,
  AgentEvent,
  AskResult,
  CallerContext,
  EndpointGuard,
  TabularResult,
  VerifiedSource,
} from './types.ts';
export { VERIFIED_QUERIES_DIR, type VerifiedQueryList, VerifiedQueryStore } from './verified-queries.ts';
