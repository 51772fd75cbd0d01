/** Model endpoints: one adapter per provider, a guarded transport, and the covered chat model. */

export { AZURE_OPENAI_API_VERSION } from './azure-openai/index.ts';
export {
  type CoveredCallOptions,
  CoveredChatModel,
  type CoveredModelInfo,
  type CoveredReply,
} from './covered-chat-model.ts';
export { type CreateChatModelOptions, createChatModel } from './create-chat-model.ts';
export {
  HostRefusedError,
  NotCoveredError,
  ProviderError,
  type ProviderErrorCode,
} from './errors.ts';
export {
  createGuardedTransport,
  type GuardedFetch,
  type GuardedTransport,
  type GuardedTransportOptions,
} from './guarded-fetch.ts';
export { assertTracingOff, TRACING_VARIABLES } from './tracing.ts';
