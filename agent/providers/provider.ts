import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { EndpointConfig } from '../endpoints.ts';
import { ProviderError } from './errors.ts';
import type { GuardedFetch } from './guarded-fetch.ts';

/** What a provider adapter is given: the parsed endpoint and where credentials come from. */
export interface ProviderInput {
  name: string;
  endpoint: EndpointConfig;
  /** Environment to read credential variables from (process.env unless a caller passes its own). */
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves `${env:NAME}` / `${file:path}` references from analyst.yaml. */
  resolveSecret: (ref: string) => string;
  maxRetries: number;
  timeoutMs: number;
}

/** A provider, ready to build: the origins its traffic needs and how to build the LangChain model. */
export interface ProviderSetup {
  /** Every origin this endpoint may contact: the model host and, for Vertex, its token endpoint. */
  origins: string[];
  create(fetch: GuardedFetch): BaseChatModel;
}

/** One folder under agent/providers/ exports one of these. */
export type ProviderAdapter = (input: ProviderInput) => ProviderSetup;

/**
 * The endpoint's API key: its `api_key` reference when set, else the provider's usual variable.
 *
 * @example requireApiKey(input, 'OPENAI_API_KEY')
 */
export function requireApiKey(input: ProviderInput, envVar: string): string {
  const ref = input.endpoint.api_key;
  const key = ref ? input.resolveSecret(ref) : input.env[envVar];
  if (!key) {
    throw new ProviderError(
      'CREDENTIALS_MISSING',
      `Endpoint "${input.name}": no API key. Set ${envVar}, or api_key: \${env:NAME} / \${file:path} in analyst.yaml.`,
    );
  }
  return key;
}

/** A base URL without its trailing slashes. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
