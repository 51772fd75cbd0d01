import { HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import type { PhiLevel } from '../../endpoints.ts';
import { createChatModel } from '../create-chat-model.ts';
import { type FakeEndpoint, startFakeEndpoint } from '../testing/fake-endpoint.ts';
import { runProviderSuite } from '../testing/provider-suite.ts';
import { parseSigV4, verifySigV4 } from '../testing/sigv4.ts';
import { bedrockForcedTool, bedrockToolNames, bedrockWire } from '../testing/wire-bedrock.ts';

const ACCESS_KEY = 'AKIAFAKEBEDROCK00001';
const SECRET_KEY = 'fake/secret+key/for/sigv4/verification00';
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const REGION = 'eu-central-1';

const endpoint = (phi: PhiLevel, region = REGION) => ({
  provider: 'bedrock' as const,
  model: MODEL,
  region,
  phi,
  baa: { holder: 'Amazon Web Services', reference: 'AWS BAA (Artifact)', signed: '2024-02-20' },
  retention: 'zero' as const,
  training: 'none' as const,
});
const awsEnv = {
  AWS_ACCESS_KEY_ID: ACCESS_KEY,
  AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  // A region elsewhere in the environment must not win over the endpoint's.
  AWS_REGION: 'us-west-2',
  AWS_DEFAULT_REGION: 'us-west-2',
  AWS_ENDPOINT_URL: 'https://bedrock.example.com',
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'https://bedrock-runtime.example.com',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const options = (fake: FakeEndpoint) => ({ connectTo: fake.url, maxRetries: 0 });

runProviderSuite({
  provider: 'bedrock',
  start: () => startFakeEndpoint(bedrockWire),
  endpoint: (_fake, phi) => endpoint(phi),
  options,
  env: () => awsEnv,
  origins: () => [`https://bedrock-runtime.${REGION}.amazonaws.com`],
  assertModelRequest(req) {
    expect(req.host).toBe(`bedrock-runtime.${REGION}.amazonaws.com`);
    expect(req.url).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    const auth = parseSigV4(req.headers.authorization);
    expect(auth).toMatchObject({ accessKeyId: ACCESS_KEY, region: REGION, service: 'bedrock' });
    expect(auth!.signedHeaders).toContain('host');
    // The signature covers the regional host, path and body as the fake received them.
    expect(verifySigV4(req, SECRET_KEY)).toBe(true);
  },
  toolNames: bedrockToolNames,
  forcedTool: bedrockForcedTool,
});

describe('bedrock specifics', () => {
  it('pins each endpoint to its own region: host, signing scope and nothing else', async () => {
    const fake = await startFakeEndpoint(bedrockWire);
    const saved = { ...process.env };
    Object.assign(process.env, awsEnv);
    const model = createChatModel('br-us', endpoint('allowed', 'us-east-1'), options(fake));
    try {
      fake.script.push({ text: 'ok' });
      await model.invoke([new HumanMessage('hi')]);
      const req = fake.requests[0]!;
      expect(req.host).toBe('bedrock-runtime.us-east-1.amazonaws.com');
      expect(parseSigV4(req.headers.authorization)?.region).toBe('us-east-1');
      expect(verifySigV4(req, SECRET_KEY)).toBe(true);
      // A signature made with another secret does not verify: the check is real.
      expect(verifySigV4(req, 'another-secret')).toBe(false);
      expect(model.transport!.allowedOrigins).toEqual(['https://bedrock-runtime.us-east-1.amazonaws.com']);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await model.close();
      await fake.close();
    }
  });
});
