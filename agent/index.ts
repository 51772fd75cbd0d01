/**
 * The analyst agent: a LangGraph graph from question to governed answer, the offline planner as
 * the embedded default, and encrypted conversation persistence.
 */
export { Analyst } from './analyst.ts';
export { chartFor } from './chart.ts';
export { conversationKey, EncryptedSerializer } from './conversations/encrypted-serializer.ts';
export { type ConversationRecord, ConversationStore } from './conversations/store.ts';
export { AgentError, type AgentErrorCode } from './errors.ts';
export {
  buildCatalog,
  type CubeQuery,
  type MetaCube,
  type MetaMember,
  type Plan,
  type PlannerCatalog,
  planQuestion,
  type ValueIndex,
} from './planner/index.ts';
export { afterExecute, afterPlan, afterValidate, MAX_REPAIRS } from './routers.ts';
export { semanticAgentDeps, valueIndex } from './semantic-deps.ts';
export type { Turn } from './state.ts';
export type {
  AgentAuditEntry,
  AgentDeps,
  AgentEvent,
  AskResult,
  CallerContext,
  TabularResult,
} from './types.ts';
