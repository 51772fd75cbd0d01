// Issue 17: MCP clients are third parties for obligation 1, listed by the doctor like model endpoints.
import { describe, expect, it } from 'vitest';
import { analystConfigSchema } from '../workspace/index.ts';
import { runDoctor } from './doctor.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');

async function baaCheck(mcp: unknown) {
  const config = analystConfigSchema.parse({
    version: 1,
    lake: { catalog: 'duckdb' },
    audit: { signing_key_fingerprint: `sha256:${'ab'.repeat(32)}` },
    mcp,
  });
  const report = await runDoctor({
    config,
    audit: async () => ({
      store: 'sqlite',
      lastVerify: { ok: true, verifiedAt: NOW.toISOString(), records: 1, firstProblem: null },
    }),
    cubes: async () => [],
    now: NOW,
  });
  const c = report.checks.find((x) => x.id === 1);
  if (!c) throw new Error('no check 1');
  return c;
}

describe('the compliance doctor and MCP clients', () => {
  it('lists every MCP client kind among the third parties, with what it may receive', async () => {
    const c = await baaCheck({
      clients: {
        desktop: { names: ['claude-ai'], phi: 'none', description: 'Claude Desktop on analysts’ laptops' },
        agents: {
          phi: 'allowed',
          baa: { holder: 'Acme Agents', reference: 'BAA-77', signed: '2026-02-01' },
          region: 'us-east-1',
          retention: 'zero',
          training: 'none',
        },
      },
    });
    expect(c.ok).toBe(true);
    const evidence = c.evidence.join('\n');
    expect(evidence).toMatch(/MCP client desktop \(Claude Desktop on analysts’ laptops\): .*phi: none/);
    expect(evidence).toContain('MCP client agents (agents): BAA BAA-77 with Acme Agents, signed 2026-02-01');
  });

  it('names a gap for a client cleared for PHI without a BAA or its terms, and a BAA signed later', async () => {
    const c = await baaCheck({
      clients: {
        ide: { names: ['cursor'], phi: 'allowed' },
        later: {
          phi: 'allowed',
          baa: { holder: 'X', reference: 'BAA-9', signed: '2027-01-01' },
          region: 'eu',
          retention: 'zero',
          training: 'none',
        },
      },
    });
    expect(c.ok).toBe(false);
    const gaps = c.gaps.join('\n');
    expect(gaps).toMatch(
      /MCP client ide \(cursor\).*mcp\.clients\.ide\.baa: phi: allowed needs a baa or on_prem/,
    );
    expect(gaps).toMatch(/BAA-9 is dated 2027-01-01/);
  });

  it('says so when the MCP server is off', async () => {
    const c = await baaCheck({ enabled: false, clients: { ide: { phi: 'allowed' } } });
    expect(c.ok).toBe(true);
    expect(c.evidence.join('\n')).toContain('The MCP server is off');
  });
});
