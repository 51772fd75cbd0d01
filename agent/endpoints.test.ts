import { describe, expect, it } from 'vitest';
import { endpointSchema, llmConfigSchema } from './endpoints.ts';

const bedrock = {
  provider: 'bedrock',
  model: 'anthropic.claude-sonnet-4-20250514-v1:0',
  region: 'us-east-1',
  phi: 'allowed',
  baa: { holder: 'Amazon Web Services', reference: 'AWS BAA', signed: '2024-01-15' },
  retention: 'zero',
  training: 'none',
};

function issues(input: unknown): string[] {
  const r = llmConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('llm config', () => {
  it('accepts the issue example for every provider', () => {
    const parsed = llmConfigSchema.parse({
      default: 'claude',
      endpoints: {
        claude: bedrock,
        azure: {
          ...bedrock,
          provider: 'azure-openai',
          model: 'gpt-4o-phi',
          region: 'eastus2',
          base_url: 'https://contoso.openai.azure.com',
        },
        gemini: { ...bedrock, provider: 'google-vertex', model: 'gemini-2.5-pro', region: 'us-central1' },
        gpt: {
          ...bedrock,
          provider: 'openai',
          model: 'gpt-4.1',
          region: 'us',
          api_key: `\${env:OPENAI_KEY}`,
        },
        anthropic: {
          ...bedrock,
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          api_key: `\${file:keys/ant}`,
        },
        vllm: {
          provider: 'openai-compatible',
          model: 'llama',
          region: 'on-prem-dc1',
          base_url: 'http://vllm.internal:8000/v1',
          phi: 'allowed',
          on_prem: true,
          retention: '30 days',
          training: 'none',
        },
      },
    });
    expect(Object.keys(parsed.endpoints)).toHaveLength(6);
  });

  it('defaults to the offline planner with no endpoints', () => {
    expect(llmConfigSchema.parse({})).toEqual({ default: 'offline', endpoints: {} });
  });

  it('names every problem by its key', () => {
    expect(issues({ default: 'missing', endpoints: {} })).toEqual([
      'default: "missing" is neither "offline" nor an endpoint under llm.endpoints',
    ]);
    expect(issues({ endpoints: { offline: bedrock } })[0]).toContain('endpoints.offline');
    expect(issues({ endpoints: { e: { ...bedrock, api_key: 'sk-live-123' } } }).join()).toContain('api_key');
    expect(issues({ endpoints: { e: { ...bedrock, baa: undefined } } })).toEqual([
      'endpoints.e.baa: phi: allowed needs a baa or on_prem: true',
    ]);
    expect(issues({ endpoints: { e: { ...bedrock, provider: 'azure-openai' } } })).toEqual([
      'endpoints.e.base_url: required for provider azure-openai',
    ]);
    expect(issues({ endpoints: { e: { ...bedrock, on_prem: true } } }).join()).toContain('on_prem');
    expect(issues({ endpoints: { e: { ...bedrock, retention: '30' } } }).join()).toContain('retention');
    expect(issues({ endpoints: { e: { ...bedrock, training: 'opt-out' } } }).join()).toContain('training');
    expect(
      issues({ endpoints: { e: { ...bedrock, baa: { ...bedrock.baa, signed: '2024-02-30' } } } }).join(),
    ).toContain('baa.signed');
    expect(
      issues({ endpoints: { e: { ...bedrock, base_url: 'http://bedrock.internal' } } }).join(),
    ).toContain('base_url');
    expect(issues({ endpoints: { e: { ...bedrock, temperature: 0 } } }).join()).toContain('temperature');
    expect(issues({ endpoints: { e: { ...bedrock, api_key: `\${env:K}` } } }).join()).toContain(
      'default chain',
    );
  });

  it('lets a phi: none or deidentified endpoint run without a BAA, but still states terms', () => {
    expect(endpointSchema.safeParse({ ...bedrock, phi: 'none', baa: undefined }).success).toBe(true);
    expect(endpointSchema.safeParse({ ...bedrock, phi: 'none', retention: undefined }).success).toBe(false);
  });
});
