// POST /mcp through app.request(), driven by the SDK's own Client (its fetch goes to the app): a
// session belongs to the identity that started it, client kinds are enforced, and tools run under
// the caller's security context (the route fixture's semantic layer answers with rows naming it).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { IdentifierMatcher } from '../../agent/index.ts';
import { AuditError } from '../../audit/index.ts';
import { mcpConfigSchema } from '../../workspace/index.ts';
import { type RouteFixture, routeFixture } from '../testing/route-services.ts';

let f: RouteFixture | undefined;
afterEach(() => f?.remove());

async function fixture(clients?: Record<string, unknown>): Promise<RouteFixture> {
  f = await routeFixture({
    services: {
      mcp: {
        config: mcpConfigSchema.parse(clients ? { clients } : {}),
        identifiers: async () => ({ matcher: new IdentifierMatcher([]), lowerCase: new Set<string>() }),
      },
    },
  });
  return f;
}

async function connect(fx: RouteFixture, token: string, name = 'test-client') {
  const transport = new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: async (url, init) => fx.app.request(String(url), init),
  });
  const client = new Client({ name, version: '3.1.4' });
  await client.connect(transport);
  return { client, transport };
}

const text = (r: Awaited<ReturnType<Client['callTool']>>) =>
  (r.content as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');

describe('POST /mcp', () => {
  it('keeps a session to the identity that started it: another identity gets 404', async () => {
    const fx = await fixture();
    const alice = await fx.devToken({ id: 'alice', roles: ['analyst'] });
    const bob = await fx.devToken({ id: 'bob', roles: ['analyst'] });
    const { client, transport } = await connect(fx, alice);
    const session = transport.sessionId;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const res = await fx.app.request('/mcp', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${bob}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': session!,
        'Mcp-Protocol-Version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await client.listTools()).tools).toHaveLength(6);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['analyse_metric']);
    await client.close();
  });

  it('runs a dashboard tile under the caller’s context, and audits it with the handshake’s client', async () => {
    const fx = await fixture();
    const token = await fx.devToken({
      id: 'carol',
      roles: ['clinician'],
      attributes: { organization_id: 'org-9' },
    });
    const { client } = await connect(fx, token);
    const r = await client.callTool({
      name: 'dashboard_tile',
      arguments: { dashboard: 'ops', tile: 'visits' },
    });
    expect(r.isError, text(r)).toBeFalsy();
    const rows = (r.structuredContent as { rows: unknown[][] }).rows;
    expect(rows[0]?.[0]).toBe('encounters.encounterclass:carol|org-9');
    const record = fx.audits.find(
      (a) => (a.detail?.mcp as { tool?: string } | undefined)?.tool === 'dashboard_tile',
    );
    expect(record?.identity?.userId).toBe('carol');
    expect(record?.route).toBe('POST /mcp');
    expect(record?.detail?.mcp).toMatchObject({
      client: { name: 'test-client', version: '3.1.4' },
      phi: 'none',
      argsDigest: expect.stringMatching(/^sha256:/),
      resultDigest: expect.stringMatching(/^sha256:/),
    });
    await client.close();
  });

  it('refuses a client whose kind analyst.yaml does not list, and one cleared for PHI without cover', async () => {
    const fx = await fixture({
      desktop: { names: ['claude-ai'], phi: 'none' },
      ide: { names: ['uncovered-ide'], phi: 'allowed' },
    });
    const token = await fx.devToken({ id: 'dave', roles: ['analyst'] });
    const stranger = await connect(fx, token, 'some-other-client');
    const r = await stranger.client.callTool({ name: 'list_dashboards', arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^MCP_CLIENT_NOT_ALLOWED: /);
    expect(fx.audits.at(-1)).toMatchObject({ type: 'refusal', outcome: 'refused' });
    await stranger.client.close();

    const ide = await connect(fx, token, 'uncovered-ide');
    const u = await ide.client.callTool({ name: 'list_dashboards', arguments: {} });
    expect(text(u)).toMatch(/^MCP_CLIENT_NOT_COVERED: .*mcp\.clients\.ide\.baa/);
    await ide.client.close();

    const desktop = await connect(fx, token, 'claude-ai');
    const ok = await desktop.client.callTool({ name: 'list_dashboards', arguments: {} });
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(
      (ok.structuredContent as { dashboards: Array<{ id: string }> }).dashboards.map((d) => d.id),
    ).toEqual(['ops', 'other']);
    await desktop.client.close();
  });

  it('answers 404 when analyst.yaml turns MCP off', async () => {
    f = await routeFixture({
      services: {
        mcp: {
          config: mcpConfigSchema.parse({ enabled: false }),
          identifiers: async () => ({ matcher: new IdentifierMatcher([]), lowerCase: new Set<string>() }),
        },
      },
    });
    const token = await f.devToken({ id: 'gina', roles: ['analyst'] });
    await expect(connect(f, token)).rejects.toThrow();
    const res = await f.app.request('/mcp', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(404);
  });

  it('refuses a call whose audit record cannot be written, and releases nothing', async () => {
    const fx = await fixture();
    const token = await fx.devToken({ id: 'erin', roles: ['analyst'] });
    const { client } = await connect(fx, token);
    // The fixture's audit sink starts failing as the audit store does (fail-closed).
    fx.audits.push = () => {
      throw new AuditError('AUDIT_UNAVAILABLE', 'The audit store cannot be written.');
    };
    const r = await client.callTool({
      name: 'dashboard_tile',
      arguments: { dashboard: 'ops', tile: 'visits' },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^AUDIT_UNAVAILABLE: /);
    expect(JSON.stringify(r)).not.toContain('erin|');
    await client.close();
  });
});
