import { randomUUID } from 'node:crypto';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { contextOf, openRuntime, serveServices } from '../../app/index.ts';
import { createMcpServer, FairSlots, type Identity, McpError, ServerError } from '../../server/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { EXIT } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

interface McpOpts {
  as?: string;
  token?: string;
  apiKey?: string;
}

/**
 * `analyst mcp --workspace DIR (--as USER | --token TOKEN | --api-key KEY)`: the MCP server over
 * stdio, for a desktop assistant or an IDE agent that starts it as a child process. Every call runs
 * as that one identity, under its policies, through the same services as `analyst serve` (the PHI
 * boundary for the client's `phi` level, audit before release, query slots per identity).
 * stdout carries the protocol only; anything else goes to stderr. `--token`/`--api-key` may also
 * come from `ANALYST_MCP_TOKEN`, so they need not appear in a process list.
 */
export function registerMcp(program: Command, run: Run): void {
  program
    .command('mcp')
    .description('serve the governed layer to an MCP client over stdio (tools, model, dashboards)')
    .option('--as <user>', 'a user id from users.yaml (dev identities, like sql/ask)')
    .option('--token <token>', 'an OIDC or dev bearer token (or set ANALYST_MCP_TOKEN)')
    .option('--api-key <key>', 'a service API key with the mcp scope (or set ANALYST_MCP_TOKEN)')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<McpOpts>(cmd);
        const credential = opts.token ?? opts.apiKey ?? process.env.ANALYST_MCP_TOKEN;
        if (
          (opts.as ? 1 : 0) + (opts.token ? 1 : 0) + (opts.apiKey ? 1 : 0) > 1 ||
          (!opts.as && !credential)
        ) {
          process.stderr.write('analyst: give one of --as USER, --token TOKEN or --api-key KEY\n');
          return EXIT.usage;
        }
        const ws = await loadWorkspace(opts);
        if (!ws.config.mcp.enabled)
          throw new McpError(
            'MCP_DISABLED',
            'The MCP server is turned off (analyst.yaml mcp.enabled: false).',
          );
        const rt = await openRuntime(ws, { route: 'analyst mcp' });
        try {
          const services = await serveServices(rt);
          let identity: Identity;
          if (opts.as) {
            const ctx = contextOf(ws, opts.as);
            identity = {
              ...ctx,
              method: 'dev',
              sessionId: `mcp-stdio:${randomUUID()}`,
              issuedAt: Math.floor(Date.now() / 1000),
            };
          } else {
            identity = await services.authenticator.authenticate(`Bearer ${credential}`);
            if (identity.method === 'apikey' && !identity.scopes?.includes('mcp'))
              throw new ServerError('FORBIDDEN', 'This API key lacks the "mcp" scope.');
          }
          const limits = ws.config.server.limits;
          const server = createMcpServer(services, {
            transport: 'stdio',
            caller: () => ({ identity, requestId: randomUUID() }),
            ratePerMinute: limits.requests_per_minute,
            slots: {
              slots: new FairSlots({ max: limits.concurrent_queries, maxQueuedPerKey: 16 }),
              perIdentity: limits.concurrent_queries_per_identity,
              waitMs: limits.queue_wait_ms,
            },
          });
          const transport = new StdioServerTransport();
          const closed = new Promise<void>((resolve) => {
            server.server.onclose = () => resolve();
            // The client went away (stdin ended): end the session.
            process.stdin.once('end', () => void server.close());
            process.stdin.once('close', () => void server.close());
          });
          await server.connect(transport);
          process.stderr.write(`analyst mcp: serving ${ws.config.name} over stdio as ${identity.userId}\n`);
          await closed;
          return EXIT.ok;
        } finally {
          await rt.close();
        }
      }),
    );
}
