import { HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import type { PhiLevel } from '../../endpoints.ts';
import { createChatModel } from '../create-chat-model.ts';
import { type FakeEndpoint, startFakeEndpoint } from '../testing/fake-endpoint.ts';
import { runProviderSuite } from '../testing/provider-suite.ts';
import { openaiForcedTool, openaiToolNames, openaiWire } from '../testing/wire-openai.ts';
import { AZURE_OPENAI_API_VERSION } from './index.ts';

const RESOURCE = 'https://contoso-phi-eastus2.openai.azure.com';
const DEPLOYMENT = 'gpt-4o-phi';
const PATH = new RegExp(`^/openai/deployments/${DEPLOYMENT}/chat/completions$`);

const endpoint = (phi: PhiLevel) => ({
  provider: 'azure-openai' as const,
  model: DEPLOYMENT,
  region: 'eastus2',
  base_url: RESOURCE,
  phi,
  baa: { holder: 'Microsoft', reference: 'Microsoft Product Terms DPA', signed: '2024-06-01' },
  retention: 'zero' as const,
  training: 'none' as const,
});
const options = (fake: FakeEndpoint) => ({
  connectTo: fake.url,
  env: { AZURE_OPENAI_API_KEY: 'azure-test-key' },
  maxRetries: 0,
});

runProviderSuite({
  provider: 'azure-openai',
  start: () => startFakeEndpoint(openaiWire(PATH)),
  endpoint: (_fake, phi) => endpoint(phi),
  options,
  origins: () => [RESOURCE],
  assertModelRequest(req) {
    expect(req.host).toBe('contoso-phi-eastus2.openai.azure.com');
    expect(req.url).toBe(
      `/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${AZURE_OPENAI_API_VERSION}`,
    );
    expect(req.headers['api-key']).toBe('azure-test-key');
    expect(req.headers.authorization).toBeUndefined();
  },
  toolNames: openaiToolNames,
  forcedTool: openaiForcedTool,
});

describe('azure-openai specifics', () => {
  it('AZURE_OPENAI_* variables cannot move the endpoint or the api-version', async () => {
    const fake = await startFakeEndpoint(openaiWire(PATH));
    const saved = { ...process.env };
    process.env.AZURE_OPENAI_BASE_PATH = 'https://elsewhere.openai.azure.com/openai/deployments';
    process.env.AZURE_OPENAI_API_INSTANCE_NAME = 'elsewhere';
    process.env.AZURE_OPENAI_API_VERSION = '2023-05-15';
    process.env.AZURE_OPENAI_API_DEPLOYMENT_NAME = 'other-deployment';
    const model = createChatModel('az', endpoint('allowed'), options(fake));
    try {
      fake.script.push({ text: 'ok' });
      await model.invoke([new HumanMessage('hi')]);
      expect(fake.requests.map((r) => [r.host, r.url])).toEqual([
        [
          'contoso-phi-eastus2.openai.azure.com',
          `/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${AZURE_OPENAI_API_VERSION}`,
        ],
      ]);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await model.close();
      await fake.close();
    }
  });
});
