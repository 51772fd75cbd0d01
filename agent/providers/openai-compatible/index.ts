import { ChatOpenAICompletions } from '@langchain/openai';
import { ProviderError } from '../errors.ts';
import { type ProviderAdapter, trimSlash } from '../provider.ts';

/**
 * A self-hosted OpenAI-compatible server (vLLM, TGI, llama.cpp) at its base URL: Chat Completions
 * only. The key is optional (`api_key` reference or OPENAI_COMPATIBLE_API_KEY); servers without
 * authentication get a fixed placeholder the OpenAI client requires.
 *
 * @example openaiCompatibleProvider({ name: 'vllm', endpoint: { ...e, base_url: 'https://llm.internal/v1' }, ... })
 */
export const openaiCompatibleProvider: ProviderAdapter = (input) => {
  const { base_url } = input.endpoint;
  if (!base_url) throw new ProviderError('ENDPOINT_INVALID', `Endpoint "${input.name}" needs base_url.`);
  const baseURL = trimSlash(base_url);
  const ref = input.endpoint.api_key;
  const apiKey = (ref ? input.resolveSecret(ref) : input.env.OPENAI_COMPATIBLE_API_KEY) || 'no-key';
  return {
    origins: [baseURL],
    create: (fetch) =>
      new ChatOpenAICompletions({
        model: input.endpoint.model,
        apiKey,
        configuration: { baseURL, fetch },
        maxRetries: input.maxRetries,
        timeout: input.timeoutMs,
        streaming: false,
      }),
  };
};
