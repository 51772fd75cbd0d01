/** The analyst agent: model endpoints, the PHI boundary, tools (and, later, the graph). */

// providers and PHI boundary
export {
  baaSchema,
  type EndpointConfig,
  endpointSchema,
  type LlmConfig,
  llmConfigSchema,
  OFFLINE,
  PHI_LEVELS,
  type PhiLevel,
  PROVIDERS,
  type ProviderName,
} from './endpoints.ts';
export * from './phi/index.ts';
export * from './providers/index.ts';
export {
  ANALYST_TOOL_ARGS,
  ANALYST_TOOL_NAMES,
  type AnalystToolArgs,
  type AnalystToolCall,
  type AnalystToolDefinition,
  type AnalystToolName,
  analystToolDefinition,
  askClarifyingQuestionArgs,
  type CubeRestQuery,
  isAnalystToolName,
  runGovernedSqlArgs,
  runSemanticQueryArgs,
  searchSemanticModelArgs,
  toCubeQuery,
} from './tools.ts';
