import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analystConfigSchema, describeIssues } from './index.ts';

const minimal = { version: 1, lake: { catalog: 'duckdb' } };

describe('analyst.yaml compliance sections', () => {
  it('gives a workspace without them the compliant defaults', () => {
    const c = analystConfigSchema.parse(minimal);
    expect(c.audit).toMatchObject({
      enabled: true,
      store: 'workspace',
      fail_closed: true,
      legal_hold: false,
      checkpoint_every: 1000,
      checkpoint_minutes: 5,
      retention: { bodies_days: 365, queries_days: 2190, metadata_days: 2190 },
    });
    expect(c.llm).toEqual({ default: 'offline', endpoints: {} });
    expect(c.incident.endpoint_health.watch).toBe(true);
    expect(c.compliance.site).toBe('this site');
  });

  it('reads an endpoint as issue 6 writes it, with an unquoted YAML date', () => {
    const doc = parse(`
version: 1
lake: { catalog: duckdb }
llm:
  default: claude
  endpoints:
    claude:
      provider: anthropic
      model: claude-sonnet-4
      region: us
      phi: deidentified
      baa: { holder: Anthropic, reference: BAA-42, signed: 2025-01-15 }
      retention: zero
      training: none
    local:
      provider: openai-compatible
      model: llama
      base_url: http://127.0.0.1:8000/v1
      on_prem: true
`);
    const c = analystConfigSchema.parse(doc);
    expect(c.llm.endpoints.claude?.baa?.signed).toBe('2025-01-15');
    expect(c.llm.endpoints.local?.phi).toBe('none');
  });

  it('names unknown keys and a default that is not an endpoint', () => {
    const typo = analystConfigSchema.safeParse({ ...minimal, audit: { fail_close: false } });
    expect(typo.success).toBe(false);
    if (!typo.success) expect(describeIssues(typo.error)).toContain('unknown key audit.fail_close');
    const bad = analystConfigSchema.safeParse({ ...minimal, llm: { default: 'gpt' } });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(describeIssues(bad.error)).toContain('llm.default');
  });
});
