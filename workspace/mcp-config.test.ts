import { describe, expect, it } from 'vitest';
import { analystConfigSchema, checkMcpClient, mcpClientKind, mcpConfigSchema } from './index.ts';

const lake = { catalog: 'duckdb' };

describe('analyst.yaml mcp section', () => {
  it('defaults to every client at phi: none', () => {
    const config = analystConfigSchema.parse({ version: 1, lake }).mcp;
    expect(config.enabled).toBe(true);
    expect(mcpClientKind(config, 'any-assistant')).toEqual({
      kind: 'any',
      client: { names: ['*'], phi: 'none' },
    });
  });

  it('matches a client by its handshake name, an exact name before *; refuses an unlisted one', () => {
    const config = mcpConfigSchema.parse({
      clients: {
        desktop: { names: ['claude-ai'], phi: 'none' },
        cursor: { phi: 'deidentified' },
      },
    });
    expect(mcpClientKind(config, 'claude-ai')?.kind).toBe('desktop');
    expect(mcpClientKind(config, 'cursor')?.kind).toBe('cursor');
    expect(mcpClientKind(config, 'something-else')).toBeUndefined();
  });

  it('rejects unknown keys, naming them', () => {
    const r = analystConfigSchema.safeParse({
      version: 1,
      lake,
      mcp: { clients: { a: { phi: 'none', baa_ref: 'x' } } },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('baa_ref');
  });

  it('checks coverage like a model endpoint: phi allowed needs a BAA or on_prem and its terms', () => {
    expect(checkMcpClient('agents', { phi: 'allowed' })).toEqual({
      ok: false,
      findings: [
        { path: 'mcp.clients.agents.baa', reason: 'phi: allowed needs a baa or on_prem: true' },
        { path: 'mcp.clients.agents.region', reason: 'required for phi: allowed' },
        { path: 'mcp.clients.agents.retention', reason: 'required for phi: allowed' },
        { path: 'mcp.clients.agents.training', reason: 'must be none for phi: allowed' },
      ],
    });
    const covered = mcpConfigSchema.parse({
      clients: {
        agents: {
          phi: 'allowed',
          baa: { holder: 'Acme', reference: 'BAA-1', signed: '2026-01-02' },
          region: 'us-east-1',
          retention: 'zero',
          training: 'none',
        },
      },
    }).clients.agents!;
    expect(checkMcpClient('agents', covered)).toEqual({ ok: true, phi: 'allowed' });
    expect(checkMcpClient('x', { phi: 'none', on_prem: true, baa: covered.baa }).ok).toBe(false);
    expect(checkMcpClient('x', { phi: 'none' })).toEqual({ ok: true, phi: 'none' });
  });
});
