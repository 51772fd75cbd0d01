import { ChatAnthropic } from '@langchain/anthropic';
import { type ProviderAdapter, requireApiKey, trimSlash } from '../provider.ts';

const DEFAULT_BASE = 'https://api.anthropic.com';

/**
 * Anthropic's Messages API under its BAA: no betas, no server tools, no streaming.
 *
 * @example anthropicProvider({ name: 'claude', endpoint, env: process.env, resolveSecret, maxRetries: 2, timeoutMs: 60_000 })
 */
export const anthropicProvider: ProviderAdapter = (input) => {
  const baseURL = trimSlash(input.endpoint.base_url ?? DEFAULT_BASE);
  const apiKey = requireApiKey(input, 'ANTHROPIC_API_KEY');
  return {
    origins: [baseURL],
    create: (fetch) =>
      new ChatAnthropic({
        model: input.endpoint.model,
        apiKey,
        anthropicApiUrl: baseURL,
        clientOptions: { fetch, timeout: input.timeoutMs },
        maxRetries: input.maxRetries,
        streaming: false,
        betas: [],
      }),
  };
};
