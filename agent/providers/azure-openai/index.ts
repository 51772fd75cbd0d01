import { AzureChatOpenAICompletions } from '@langchain/openai';
import { ProviderError } from '../errors.ts';
import { type ProviderAdapter, requireApiKey, trimSlash } from '../provider.ts';

/** The Azure OpenAI REST version we speak, pinned in code so a changed default never changes the surface. */
export const AZURE_OPENAI_API_VERSION = '2024-10-21';

/**
 * Azure OpenAI under Microsoft's BAA: the deployment `model` on the resource at `base_url`, Chat
 * Completions only, api-version pinned. Every path setting is passed explicitly so AZURE_OPENAI_*
 * variables cannot move the endpoint.
 *
 * @example azureOpenaiProvider({ name: 'az', endpoint: { ...e, base_url: 'https://contoso.openai.azure.com' }, ... })
 */
export const azureOpenaiProvider: ProviderAdapter = (input) => {
  const { base_url, model } = input.endpoint;
  if (!base_url) throw new ProviderError('ENDPOINT_INVALID', `Endpoint "${input.name}" needs base_url.`);
  const endpoint = trimSlash(base_url);
  const apiKey = requireApiKey(input, 'AZURE_OPENAI_API_KEY');
  return {
    origins: [endpoint],
    create: (fetch) =>
      new AzureChatOpenAICompletions({
        model,
        azureOpenAIApiKey: apiKey,
        azureOpenAIEndpoint: endpoint,
        azureOpenAIBasePath: `${endpoint}/openai/deployments`,
        azureOpenAIApiDeploymentName: model,
        azureOpenAIApiVersion: AZURE_OPENAI_API_VERSION,
        configuration: { fetch },
        maxRetries: input.maxRetries,
        timeout: input.timeoutMs,
        streaming: false,
      }),
  };
};
