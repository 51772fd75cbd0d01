import { ChatOpenAICompletions } from '@langchain/openai';
import { type ProviderAdapter, requireApiKey, trimSlash } from '../provider.ts';

const DEFAULT_BASE = 'https://api.openai.com/v1';

/**
 * OpenAI's API under its BAA with zero retention: Chat Completions only (never the Responses API,
 * whose state lives on OpenAI's side) and `store: false` on every request.
 *
 * @example openaiProvider({ name: 'gpt', endpoint, env: process.env, resolveSecret, maxRetries: 2, timeoutMs: 60_000 })
 */
export const openaiProvider: ProviderAdapter = (input) => {
  const baseURL = trimSlash(input.endpoint.base_url ?? DEFAULT_BASE);
  const apiKey = requireApiKey(input, 'OPENAI_API_KEY');
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
        modelKwargs: { store: false },
      }),
  };
};
