import { ChatVertexAI } from '@langchain/google-vertexai';
import { ProviderError } from '../errors.ts';
import type { ProviderAdapter } from '../provider.ts';
import { readVertexCredentials } from './credentials.ts';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

/**
 * Gemini on Vertex AI (a covered service under the Google Cloud BAA), location pinned: requests go
 * to `<region>-aiplatform.googleapis.com` (or `base_url`, e.g. Private Service Connect) under
 * `projects/<p>/locations/<region>`. Credentials come from Google's default chain; token requests
 * pass through the same guarded fetch, limited to the credentials' own token endpoint.
 *
 * @example googleVertexProvider({ name: 'gemini', endpoint: { ...e, model: 'gemini-2.5-pro', region: 'us-central1' }, ... })
 */
export const googleVertexProvider: ProviderAdapter = (input) => {
  const { region, base_url, model } = input.endpoint;
  if (!/^gemini/.test(model)) {
    throw new ProviderError(
      'ENDPOINT_INVALID',
      `Endpoint "${input.name}": google-vertex serves Gemini models only (got a model id not starting with "gemini").`,
    );
  }
  if (!/^[a-z]+-[a-z]+\d+$/.test(region)) {
    throw new ProviderError(
      'ENDPOINT_INVALID',
      `Endpoint "${input.name}": region must be a Vertex AI location such as us-central1 (not "global"), so prompts stay in one region.`,
    );
  }
  const origin = base_url ? new URL(base_url).origin : `https://${region}-aiplatform.googleapis.com`;
  // google-auth-library reads application default credentials from process.env itself; read the
  // same place so the allowed token endpoints and the project match what it will use.
  const credentials = readVertexCredentials(process.env);
  return {
    origins: [origin, ...credentials.authOrigins],
    create: (fetch) =>
      new ChatVertexAI({
        model,
        location: region,
        endpoint: new URL(origin).host,
        platformType: 'gcp',
        apiVersion: 'v1',
        maxRetries: input.maxRetries,
        streaming: false,
        authOptions: {
          scopes: SCOPES,
          ...(credentials.projectId ? { projectId: credentials.projectId } : {}),
          // Token exchange and model calls both go through the guarded fetch.
          clientOptions: { transporterOptions: { fetchImplementation: fetch } },
        },
      }),
  };
};
