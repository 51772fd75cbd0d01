import { HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import type { PhiLevel } from '../../endpoints.ts';
import { createChatModel } from '../create-chat-model.ts';
import { type FakeEndpoint, jsonBody, startFakeEndpoint } from '../testing/fake-endpoint.ts';
import { runProviderSuite } from '../testing/provider-suite.ts';
import { openaiForcedTool, openaiToolNames, openaiWire } from '../testing/wire-openai.ts';

const endpoint = (phi: PhiLevel, model = 'gpt-4.1') => ({
  provider: 'openai' as const,
  model,
  region: 'us',
  phi,
  baa: { holder: 'OpenAI', reference: 'OAI-BAA-1', signed: '2025-01-02' },
  retention: 'zero' as const,
  training: 'none' as const,
});
const options = (fake: FakeEndpoint) => ({
  connectTo: fake.url,
  env: { OPENAI_API_KEY: 'sk-test-openai' },
  maxRetries: 0,
});

runProviderSuite({
  provider: 'openai',
  start: () => startFakeEndpoint(openaiWire(/^\/v1\/chat\/completions$/)),
  endpoint: (_fake, phi) => endpoint(phi),
  options,
  origins: () => ['https://api.openai.com'],
  assertModelRequest(req, body) {
    expect(req.host).toBe('api.openai.com');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test-openai');
    expect(body.model).toBe('gpt-4.1');
    // Zero retention: OpenAI must not store the completion.
    expect(body.store).toBe(false);
    expect(body.stream).toBeFalsy();
  },
  toolNames: openaiToolNames,
  forcedTool: openaiForcedTool,
});

describe('openai specifics', () => {
  it('keeps Chat Completions with store: false even for models LangChain would send to the Responses API', async () => {
    const fake = await startFakeEndpoint(openaiWire(/^\/v1\/chat\/completions$/));
    const model = createChatModel('gpt', endpoint('allowed', 'gpt-5.6-codex'), options(fake));
    try {
      fake.script.push({ text: 'ok' });
      await model.invoke([new HumanMessage('hi')]);
      expect(fake.requests.map((r) => r.url)).toEqual(['/v1/chat/completions']);
      expect(jsonBody(fake.requests[0]!).store).toBe(false);
    } finally {
      await model.close();
      await fake.close();
    }
  });

  it('ignores OPENAI_BASE_URL: the configured endpoint is the only one', async () => {
    const fake = await startFakeEndpoint(openaiWire(/^\/v1\/chat\/completions$/));
    const other = await startFakeEndpoint(openaiWire(/.*/));
    const saved = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = `${other.url}/v1`;
    const model = createChatModel('gpt', endpoint('allowed'), options(fake));
    try {
      fake.script.push({ text: 'ok' });
      await model.invoke([new HumanMessage('hi')]);
      expect(fake.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
    } finally {
      if (saved === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved;
      await model.close();
      await fake.close();
      await other.close();
    }
  });

  it('needs an API key from OPENAI_API_KEY or an api_key reference', () => {
    expect(() => createChatModel('gpt', endpoint('allowed'), { env: {} })).toThrow(
      expect.objectContaining({ code: 'CREDENTIALS_MISSING' }),
    );
    const viaRef = createChatModel(
      'gpt',
      { ...endpoint('allowed'), api_key: `\${env:MY_KEY}` },
      { env: { MY_KEY: 'sk-from-ref' } },
    );
    return viaRef.close();
  });
});
