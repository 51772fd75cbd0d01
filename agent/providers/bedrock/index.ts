import { ChatBedrockConverse } from '@langchain/aws';
import type { ProviderAdapter } from '../provider.ts';
import { GuardedAwsRequestHandler } from './request-handler.ts';

/**
 * Amazon Bedrock's Converse API under the AWS BAA, region pinned: requests are signed for and sent
 * to `bedrock-runtime.<region>.amazonaws.com` (or the VPC endpoint in `base_url`). Credentials come
 * from the AWS default chain (environment, profile, SSO, web identity, instance role).
 *
 * @example bedrockProvider({ name: 'br', endpoint: { ...e, provider: 'bedrock', region: 'us-east-1' }, ... })
 */
export const bedrockProvider: ProviderAdapter = (input) => {
  const { region, base_url, model } = input.endpoint;
  const origin = base_url ? new URL(base_url).origin : `https://bedrock-runtime.${region}.amazonaws.com`;
  return {
    origins: [origin],
    create: (fetch) =>
      new ChatBedrockConverse({
        model,
        region,
        // Explicit, so AWS_ENDPOINT_URL_* or FIPS/dual-stack settings cannot move the host.
        endpointHost: new URL(origin).host,
        clientOptions: {
          requestHandler: new GuardedAwsRequestHandler(fetch),
          // LangChain's caller retries; one attempt per call here keeps the count honest.
          maxAttempts: 1,
        },
        maxRetries: input.maxRetries,
        streaming: false,
      }),
  };
};
