import { expect } from 'vitest';
import { startFakeEndpoint } from '../testing/fake-endpoint.ts';
import { runProviderSuite } from '../testing/provider-suite.ts';
import { anthropicForcedTool, anthropicToolNames, anthropicWire } from '../testing/wire-anthropic.ts';

runProviderSuite({
  provider: 'anthropic',
  start: () => startFakeEndpoint(anthropicWire),
  endpoint: (_fake, phi) => ({
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    region: 'us',
    phi,
    baa: { holder: 'Anthropic', reference: 'ANT-BAA-7', signed: '2025-03-01' },
    retention: 'zero',
    training: 'none',
  }),
  options: (fake) => ({ connectTo: fake.url, env: { ANTHROPIC_API_KEY: 'sk-ant-test' }, maxRetries: 0 }),
  origins: () => ['https://api.anthropic.com'],
  assertModelRequest(req, body) {
    expect(req.host).toBe('api.anthropic.com');
    expect(req.url).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe('sk-ant-test');
    expect(req.headers['anthropic-version']).toBeTruthy();
    // No betas: beta features are outside the covered surface.
    expect(req.headers['anthropic-beta']).toBeUndefined();
    expect(body.model).toBe('claude-sonnet-4-5');
    expect(body.stream).toBeFalsy();
  },
  toolNames: anthropicToolNames,
  forcedTool: anthropicForcedTool,
});
