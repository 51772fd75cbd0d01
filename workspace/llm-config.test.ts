import { describe, expect, it } from 'vitest';
import { analystConfigSchema } from './config.ts';
import { checkEndpoint, endpointSchema, llmConfigSchema } from './llm-config.ts';

const bedrock = {
  provider: 'bedrock',
  model: 'anthropic.claude-sonnet-4-20250514-v1:0',
  region: 'us-east-1',
  phi: 'allowed',
  baa: { holder: 'Amazon Web Services', reference: 'AWS BAA', signed: '2024-01-15' },
  retention: 'zero',
  training: 'none',
};

/** What loading the file refuses, then what the strict schema finds in each endpoint that loaded. */
function issues(input: unknown): string[] {
  const r = llmConfigSchema.safeParse(input);
  if (!r.success) return r.error.issues.map((i) => `llm.${i.path.join('.')}: ${i.message}`);
  return Object.entries(r.data.endpoints).flatMap(([name, e]) => {
    const checked = checkEndpoint(name, e);
    return checked.ok ? [] : checked.findings.map((f) => `${f.path}: ${f.reason}`);
  });
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
    for (const [name, e] of Object.entries(parsed.endpoints))
      expect(checkEndpoint(name, e).ok, name).toBe(true);
  });

  it('defaults to the offline planner with no endpoints', () => {
    expect(llmConfigSchema.parse({})).toEqual({ default: 'offline', endpoints: {} });
  });

  it('names every problem by its key', () => {
    expect(issues({ default: 'missing', endpoints: {} })).toEqual([
      'llm.default: "missing" is neither "offline" nor an endpoint under llm.endpoints',
    ]);
    expect(issues({ endpoints: { offline: bedrock } })[0]).toContain('llm.endpoints.offline');
    expect(issues({ endpoints: { e: { ...bedrock, api_key: 'sk-live-123' } } }).join()).toContain('api_key');
    expect(issues({ endpoints: { e: { ...bedrock, baa: undefined } } })).toEqual([
      'llm.endpoints.e.baa: phi: allowed needs a baa or on_prem: true',
    ]);
    expect(issues({ endpoints: { e: { ...bedrock, provider: 'azure-openai' } } })).toEqual([
      'llm.endpoints.e.base_url: required for provider azure-openai',
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

  it('reserves offline and refuses names that start with a digit when the file is loaded', () => {
    const load = (endpoints: Record<string, unknown>) =>
      analystConfigSchema.safeParse({ version: 1, lake: { catalog: 'duckdb' }, llm: { endpoints } });
    expect(load({ claude: bedrock }).success).toBe(true);
    for (const name of ['offline', '1st', '9']) {
      const r = load({ [name]: bedrock });
      expect(r.success, name).toBe(false);
      expect(
        r.error?.issues.map((i) => i.path.join('.')),
        name,
      ).toContain(`llm.endpoints.${name}`);
    }
  });

  it('loads an endpoint with missing terms (the doctor names the gaps) but reports each finding before use', () => {
    // Azure, cleared for PHI, with neither a BAA nor its base_url: loads, and cannot be called.
    const azure = { provider: 'azure-openai', model: 'gpt-4o', phi: 'allowed' };
    expect(llmConfigSchema.safeParse({ endpoints: { azure } }).success).toBe(true);
    expect(issues({ endpoints: { azure } }).sort()).toEqual([
      'llm.endpoints.azure.baa: phi: allowed needs a baa or on_prem: true',
      'llm.endpoints.azure.base_url: required for provider azure-openai',
      'llm.endpoints.azure.region: required',
      'llm.endpoints.azure.retention: required',
      'llm.endpoints.azure.training: required',
    ]);
    expect(checkEndpoint('gone', undefined)).toEqual({
      ok: false,
      findings: [{ path: 'llm.endpoints.gone', reason: 'no such endpoint' }],
    });
  });

  it('takes timeout_ms, retries and fallback per endpoint, and refuses values out of range', () => {
    expect(
      checkEndpoint('b', { ...bedrock, timeout_ms: 30_000, retries: 0, fallback: 'none' }),
    ).toMatchObject({
      ok: true,
      endpoint: { timeout_ms: 30_000, retries: 0, fallback: 'none' },
    });
    expect(issues({ endpoints: { b: { ...bedrock, timeout_ms: 0 } } })[0]).toMatch(
      /^llm\.endpoints\.b\.timeout_ms: /,
    );
    expect(issues({ endpoints: { b: { ...bedrock, retries: 9 } } })[0]).toMatch(
      /^llm\.endpoints\.b\.retries: /,
    );
    expect(issues({ endpoints: { b: { ...bedrock, fallback: 'maybe' } } })[0]).toMatch(
      /^llm\.endpoints\.b\.fallback: /,
    );
  });
});
