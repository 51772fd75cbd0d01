import { HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { createChatModel } from '../create-chat-model.ts';
import { startFakeEndpoint } from '../testing/fake-endpoint.ts';
import { runProviderSuite } from '../testing/provider-suite.ts';
import { openaiForcedTool, openaiToolNames, openaiWire } from '../testing/wire-openai.ts';

// A vLLM server on premises, reached directly at its base URL (no connectTo: it is on loopback).
runProviderSuite({
  provider: 'openai-compatible',
  start: () => startFakeEndpoint(openaiWire(/^\/v1\/chat\/completions$/)),
  endpoint: (fake, phi) => ({
    provider: 'openai-compatible',
    model: 'meta-llama/Llama-3.3-70B-Instruct',
    region: 'on-prem-dc1',
    base_url: `${fake.url}/v1`,
    phi,
    on_prem: true,
    retention: 'zero',
    training: 'none',
  }),
  options: () => ({ env: { OPENAI_COMPATIBLE_API_KEY: 'vllm-token' }, maxRetries: 0 }),
  origins: (fake) => [fake.url],
  assertModelRequest(req, body) {
    expect(`http://${req.host}`).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer vllm-token');
    expect(body.model).toBe('meta-llama/Llama-3.3-70B-Instruct');
    // store is an OpenAI-hosted setting; a self-hosted server keeps nothing unless we built it to.
    expect(body.store).toBeUndefined();
  },
  toolNames: openaiToolNames,
  forcedTool: openaiForcedTool,
});

describe('openai-compatible specifics', () => {
  it('refuses another port on the same host: origins are exact', async () => {
    const fake = await startFakeEndpoint(openaiWire(/^\/v1\/chat\/completions$/));
    const other = await startFakeEndpoint(openaiWire(/.*/));
    const model = createChatModel(
      'vllm',
      {
        provider: 'openai-compatible',
        model: 'm',
        region: 'on-prem',
        base_url: `${fake.url}/v1`,
        phi: 'allowed',
        on_prem: true,
        retention: 'zero',
        training: 'none',
      },
      { env: {}, maxRetries: 0 },
    );
    try {
      const err = await model.transport!.fetch(`${other.url}/v1/chat/completions`).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HOST_REFUSED' });
      expect(other.requests).toHaveLength(0);
      // Without a key the server still gets a request (vLLM without --api-key accepts any).
      fake.script.push({ text: 'ok' });
      expect((await model.invoke([new HumanMessage('hi')])).text).toBe('ok');
    } finally {
      await model.close();
      await fake.close();
      await other.close();
    }
  });
});
