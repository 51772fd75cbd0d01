import { isAnalystError } from '../../core/index.ts';
import { ENDPOINT_DEFAULTS, type EndpointConfig, type ProviderName } from '../endpoints.ts';
import { anthropicProvider } from './anthropic/index.ts';
import { azureOpenaiProvider } from './azure-openai/index.ts';
import { bedrockProvider } from './bedrock/index.ts';
import { CoveredChatModel } from './covered-chat-model.ts';
import { ProviderError } from './errors.ts';
import { googleVertexProvider } from './google-vertex/index.ts';
import { createGuardedTransport } from './guarded-fetch.ts';
import { openaiProvider } from './openai/index.ts';
import { openaiCompatibleProvider } from './openai-compatible/index.ts';
import type { ProviderAdapter } from './provider.ts';
import { assertTracingOff } from './tracing.ts';

const ADAPTERS: Record<ProviderName, ProviderAdapter> = {
  bedrock: bedrockProvider,
  'azure-openai': azureOpenaiProvider,
  'google-vertex': googleVertexProvider,
  openai: openaiProvider,
  anthropic: anthropicProvider,
  'openai-compatible': openaiCompatibleProvider,
};

export interface CreateChatModelOptions {
  /**
   * Resolves `${env:NAME}` / `${file:path}` references in `api_key` (pass the workspace's
   * resolveSecret bound to its folder). Default: `${env:NAME}` only.
   */
  resolveSecret?: ((ref: string) => string) | undefined;
  /** Where credential variables are read (default process.env). The AWS chain always reads process.env. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Retries on 429/5xx by LangChain's caller (default: the endpoint's `retries`, else 1). */
  maxRetries?: number | undefined;
  /**
   * The longest wait for one answer, retries included (default: the endpoint's `timeout_ms`, else
   * 60 s). Each request gets the same bound, and the whole call is cut off when it runs out.
   */
  timeoutMs?: number | undefined;
  /** Send every allowed request to this loopback address instead (fake endpoints in tests). */
  connectTo?: string | undefined;
}

/**
 * Build the covered chat model for one configured endpoint: the provider's LangChain model on a
 * guarded transport that can reach only that endpoint's origins, wrapped to the covered surface.
 *
 * @example
 * const { llm } = workspace.config;
 * const model = createChatModel(llm.default, llm.endpoints[llm.default]!, {
 *   resolveSecret: (ref) => resolveSecret(ref, workspace.dir),
 * });
 */
export function createChatModel(
  name: string,
  endpoint: EndpointConfig,
  options: CreateChatModelOptions = {},
): CoveredChatModel {
  assertTracingOff();
  const env = options.env ?? process.env;
  const adapter = ADAPTERS[endpoint.provider];
  if (!adapter) throw new ProviderError('ENDPOINT_INVALID', `Endpoint "${name}": unknown provider.`);
  const timeoutMs = options.timeoutMs ?? endpoint.timeout_ms ?? ENDPOINT_DEFAULTS.timeout_ms;
  const setup = adapter({
    name,
    endpoint,
    env,
    resolveSecret: options.resolveSecret ?? ((ref) => resolveEnvRef(ref, env)),
    maxRetries: options.maxRetries ?? endpoint.retries ?? ENDPOINT_DEFAULTS.retries,
    timeoutMs,
  });
  const transport = createGuardedTransport({
    allowedOrigins: setup.origins,
    connectTo: options.connectTo,
    timeoutMs,
  });
  try {
    const inner = setup.create(transport.fetch);
    return CoveredChatModel.wrap(
      inner,
      {
        endpoint: name,
        provider: endpoint.provider,
        model: endpoint.model,
        phi: endpoint.phi,
        deadlineMs: timeoutMs,
      },
      transport,
    );
  } catch (cause) {
    transport.close();
    if (isAnalystError(cause)) throw cause;
    throw new ProviderError(
      'ENDPOINT_INVALID',
      `Endpoint "${name}" (${endpoint.provider}) cannot be set up.`,
      {
        cause,
      },
    );
  }
}

function resolveEnvRef(ref: string, env: Readonly<Record<string, string | undefined>>): string {
  const m = /^\$\{env:([^}]+)\}$/.exec(ref.trim());
  if (!m) {
    throw new ProviderError(
      'CREDENTIALS_MISSING',
      `Only \${env:NAME} references resolve here; pass resolveSecret to resolve \${file:path}.`,
    );
  }
  const value = env[m[1]!];
  if (!value) throw new ProviderError('CREDENTIALS_MISSING', `The environment variable ${m[1]} is not set.`);
  return value;
}
