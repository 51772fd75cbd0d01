import { randomUUID } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context, MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { createArea, guarded } from '../area.ts';
import type { ServerEnv, SignedInEnv } from '../context.ts';
import { ServerError, toClientError } from '../errors.ts';
import type { Guards } from '../guards.ts';
import { clientAddress } from '../middleware/authenticate.ts';
import type { ServerServices } from '../services.ts';
import { createMcpServer, type McpCaller } from './mcp-server.ts';

/** Sessions one identity may hold at once; the oldest is closed when another starts. */
const MAX_SESSIONS_PER_IDENTITY = 8;
const METADATA_PATH = '/.well-known/oauth-protected-resource';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  /** Only the identity that started a session may use it. */
  userId: string;
  lastSeen: number;
}

const jsonRpc = z
  .union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown())).max(100)])
  .openapi('McpMessage', {
    description: 'A JSON-RPC message (or batch) of the MCP Streamable HTTP transport',
  });

const postRoute = createRoute({
  method: 'post',
  path: '/mcp',
  tags: ['mcp'],
  summary: 'MCP Streamable HTTP: JSON-RPC requests and notifications (start a session with initialize)',
  request: { body: { content: { 'application/json': { schema: jsonRpc } }, required: true } },
  responses: {
    200: {
      description: 'The JSON-RPC response (a notification is answered 202 with no body)',
      content: { 'application/json': { schema: z.unknown() } },
    },
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/mcp',
  tags: ['mcp'],
  summary: 'MCP Streamable HTTP: the session’s stream of server messages (Server-Sent Events)',
  responses: {
    200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
  },
});
const metadataSchema = z
  .object({
    resource: z.string(),
    authorization_servers: z.array(z.string()),
    bearer_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
    resource_name: z.string(),
    resource_documentation: z.string().optional(),
  })
  .openapi('ProtectedResourceMetadata');
const metadataRoutes = [METADATA_PATH, `${METADATA_PATH}/mcp`].map((path) =>
  createRoute({
    method: 'get',
    path,
    tags: ['mcp'],
    summary: 'OAuth protected-resource metadata (RFC 9728) for the MCP endpoint: where to get a token',
    responses: {
      200: { description: 'The metadata', content: { 'application/json': { schema: metadataSchema } } },
    },
  }),
);

/**
 * The MCP server over Streamable HTTP: `POST/GET /mcp`, with the same credentials as the
 * rest of the API (OIDC JWT, dev token, or an API key with the `mcp` scope; 401 without, with a
 * `WWW-Authenticate` challenge naming the protected-resource metadata), the same per-identity rate
 * limit, and for each POST a query slot and the request timeout, as `/v1/sql`. Sessions are held
 * in memory, belong to the identity that started them, and end after the idle timeout (there is no
DELETE: a client's request to end a session early is not needed, and at most a few are kept per
identity).
 *
 * @example app.route('/', mcpArea(services, guards));
 */
export function mcpArea(services: ServerServices, guards: Guards): OpenAPIHono<ServerEnv> {
  const app = createArea();
  const sessions = new Map<string, Session>();
  const idleMs = services.config.auth.idle_timeout_minutes * 60_000;
  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, s] of sessions) if (s.lastSeen < cutoff) void close(id);
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();
  const close = async (id: string) => {
    const s = sessions.get(id);
    sessions.delete(id);
    await s?.transport.close().catch(() => {});
    await s?.server.close().catch(() => {});
  };

  // A 401 carries the challenge that tells an MCP client where the metadata is (MCP authorization).
  const challenge: MiddlewareHandler<SignedInEnv> = async (c, next) => {
    try {
      await next();
    } catch (err) {
      if (toClientError(err).status === 401)
        c.header(
          'WWW-Authenticate',
          `Bearer resource_metadata="${new URL(c.req.url).origin}${METADATA_PATH}", scope="mcp"`,
        );
      throw err;
    }
  };
  const signedIn = (limits: Array<'rate' | 'concurrency' | 'timeout'>) =>
    every(challenge, guards.signedIn({ scope: 'mcp', limits })) as MiddlewareHandler<SignedInEnv>;

  const callerOf = (c: Context<SignedInEnv>): McpCaller => ({
    identity: c.get('identity'),
    requestId: c.get('requestId'),
    clientAddress: clientAddress(c.req.raw, c.env),
  });
  const authInfo = (c: Context<SignedInEnv>) => {
    const caller = callerOf(c);
    return {
      token: '',
      clientId: caller.identity.userId,
      scopes: caller.identity.scopes ?? [],
      extra: { caller },
    };
  };
  /** The caller's own session, or 404 (a session of someone else is not revealed). */
  const sessionOf = (c: Context<SignedInEnv>): Session => {
    const id = c.req.header('mcp-session-id');
    if (!id)
      throw new ServerError(
        'BAD_REQUEST',
        'Send the Mcp-Session-Id header of a session started with initialize.',
      );
    const s = sessions.get(id);
    if (!s || s.userId !== c.get('identity').userId)
      throw new ServerError('NOT_FOUND', 'No such MCP session; start a new one with initialize.');
    s.lastSeen = Date.now();
    return s;
  };

  app.openapi(guarded(signedIn(['rate', 'concurrency', 'timeout']), postRoute), async (c) => {
    if (!services.mcp?.config.enabled)
      throw new ServerError('NOT_FOUND', 'MCP is not available on this server.');
    const body = c.req.valid('json');
    if (c.req.header('mcp-session-id'))
      return (await sessionOf(c).transport.handleRequest(c.req.raw, {
        parsedBody: body,
        authInfo: authInfo(c),
      })) as never;
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.some((m) => m.method === 'initialize'))
      throw new ServerError(
        'BAD_REQUEST',
        'Start an MCP session with initialize (no Mcp-Session-Id header was sent).',
      );
    const userId = c.get('identity').userId;
    const mine = [...sessions.entries()]
      .filter(([, s]) => s.userId === userId)
      .sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - MAX_SESSIONS_PER_IDENTITY + 1)))
      await close(id);
    const server = createMcpServer(services, { transport: 'http' });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, userId, lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        void close(id);
      },
    });
    await server.connect(transport);
    return (await transport.handleRequest(c.req.raw, { parsedBody: body, authInfo: authInfo(c) })) as never;
  });

  app.openapi(guarded(signedIn(['rate']), getRoute), async (c) => {
    return (await sessionOf(c).transport.handleRequest(c.req.raw, { authInfo: authInfo(c) })) as never;
  });

  for (const route of metadataRoutes)
    app.openapi(route, (c) => {
      const auth = services.config.auth;
      const origin = new URL(c.req.url).origin;
      return c.json(
        {
          resource: `${origin}/mcp`,
          // Dev tokens come from `analyst token`, not an authorization server.
          authorization_servers: auth.mode === 'oidc' && auth.oidc ? [auth.oidc.issuer] : [],
          bearer_methods_supported: ['header'],
          scopes_supported: ['mcp'],
          resource_name: 'Private Analyst (MCP)',
        },
        200,
      );
    });
  return app;
}
