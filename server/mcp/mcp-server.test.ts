// createMcpServer as `analyst mcp` runs it (one caller, in-process limits), over the SDK's
// in-memory transport pair with the SDK's Client: the per-identity rate limit and query slots.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { IdentifierMatcher } from '../../agent/index.ts';
import { mcpConfigSchema, serverConfigSchema } from '../../workspace/index.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Identity } from '../auth/identity.ts';
import { FairSlots } from '../middleware/fair-slots.ts';
import type { AuditEvent, ServerServices } from '../services.ts';
import { createMcpServer } from './mcp-server.ts';

const identity: Identity = {
  userId: 'frank',
  roles: ['analyst'],
  attributes: {},
  method: 'dev',
  sessionId: 's1',
  issuedAt: 0,
};

function services(governedSql: ServerServices['governedSql'], audits: AuditEvent[]): ServerServices {
  return {
    config: serverConfigSchema.parse({}),
    authenticator: {} as Authenticator,
    async *ask() {},
    conversation: async (id) => ({ id, turns: [] }),
    governedSql,
    audit: async (e) => {
      audits.push(e);
      return 'a1';
    },
    readiness: async () => ({}),
    cube: { load: async () => ({}), sql: async () => ({}), meta: async () => ({ cubes: [] }) },
    mcp: {
      config: mcpConfigSchema.parse({}),
      identifiers: async () => ({ matcher: new IdentifierMatcher([]), lowerCase: new Set<string>() }),
    },
  };
}

async function connected(s: ServerServices, options: Parameters<typeof createMcpServer>[1]) {
  const server = createMcpServer(s, options);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'stdio-test', version: '1' });
  await client.connect(b);
  return client;
}

const text = (r: Awaited<ReturnType<Client['callTool']>>) =>
  (r.content as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');

describe('createMcpServer over stdio (one caller)', () => {
  it('applies the per-identity rate limit to tool calls, audited as errors', async () => {
    const audits: AuditEvent[] = [];
    const sql = async () => ({
      columns: [{ name: 'n', type: 'BIGINT' }],
      rows: [[42]],
      truncated: false,
      sqlExecuted: 'x',
    });
    const client = await connected(services(sql, audits), {
      transport: 'stdio',
      caller: () => ({ identity, requestId: 'r' }),
      ratePerMinute: 2,
    });
    const call = () => client.callTool({ name: 'governed_sql', arguments: { sql: 'SELECT 42' } });
    expect((await call()).isError).toBeFalsy();
    expect((await call()).isError).toBeFalsy();
    const third = await call();
    expect(third.isError).toBe(true);
    expect(text(third)).toMatch(/^RATE_LIMITED: /);
    expect(audits.map((a) => a.outcome)).toEqual(['ok', 'ok', 'error']);
    await client.close();
  });

  it('holds at most the per-identity number of query slots; a caller waiting past queue_wait gets BUSY', async () => {
    const audits: AuditEvent[] = [];
    let running = 0;
    let most = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    // Statements run until the gate opens, so two hold their slots while the others wait in vain.
    const sql = async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      return { columns: [{ name: 'n', type: 'BIGINT' }], rows: [[1]], truncated: false, sqlExecuted: 'x' };
    };
    const client = await connected(services(sql, audits), {
      transport: 'stdio',
      caller: () => ({ identity, requestId: 'r' }),
      slots: { slots: new FairSlots({ max: 8, maxQueuedPerKey: 16 }), perIdentity: 2, waitMs: 50 },
    });
    const pending = Array.from({ length: 4 }, () =>
      client.callTool({ name: 'governed_sql', arguments: { sql: 'SELECT 1' } }),
    );
    while (audits.length < 2) await new Promise((r) => setTimeout(r, 10));
    open();
    const results = await Promise.all(pending);
    expect(most).toBe(2);
    expect(results.filter((r) => !r.isError)).toHaveLength(2);
    for (const r of results.filter((x) => x.isError)) expect(text(r)).toMatch(/^BUSY: /);
    await client.close();
  });
});
