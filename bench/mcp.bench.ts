// The MCP server's governed_sql tool against POST /v1/sql for the same statement, on one real
// `analyst serve` (demo data): the SDK's Client over Streamable HTTP in one session, plain fetch
// for /v1/sql, one request at a time, alternating so background load weighs on both alike. The
// MCP figure includes what /v1/sql does not do: JSON-RPC framing, the session, the PHI boundary
// for the default `phi: none` client and the audit record's digests.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parseDocument } from 'yaml';
import { ANALYST_BIN, analystCli, demoWorkspace } from './demo-workspace.ts';
import { type Bench, percentiles } from './result.ts';

const STATEMENT = 'SELECT encounterclass, count(*) AS n FROM encounters GROUP BY 1 ORDER BY 2 DESC';
const WARMUP = 20;
const ROUNDS = 200;

async function startServer(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const log = openSync(join(dir, 'serve.log'), 'a');
  const child = spawn(process.execPath, [ANALYST_BIN, 'serve', '--workspace', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, ANALYST_WORKSPACE: '', ANALYST_LOG_LEVEL: 'warn' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`analyst serve exited ${code}; see ${dir}/serve.log`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

export const run: Bench = async () => {
  const demo = await demoWorkspace(300);
  try {
    // One caller at full speed: the per-identity rate limit and query budget would otherwise
    // answer part of the run 429 by design.
    const yamlPath = join(demo.dir, 'analyst.yaml');
    const doc = parseDocument(await readFile(yamlPath, 'utf8'));
    doc.setIn(['server', 'limits', 'requests_per_minute'], 10_000_000);
    doc.setIn(['server', 'limits', 'query_seconds_per_minute'], 10_000_000);
    await writeFile(yamlPath, doc.toString());
    const token = (await analystCli(['token', '--workspace', demo.dir, '--user', 'analyst'])).trim();
    const server = await startServer(demo.dir);
    const client = new Client({ name: 'bench', version: '1.0.0' });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${token}` } },
        }),
      );
      const viaSql = async () => {
        const res = await fetch(`${server.url}/v1/sql`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sql: STATEMENT }),
        });
        const body = (await res.json()) as { rows?: unknown[] };
        if (res.status !== 200 || !body.rows?.length) throw new Error(`/v1/sql answered ${res.status}`);
      };
      const viaMcp = async () => {
        const r = await client.callTool({ name: 'governed_sql', arguments: { sql: STATEMENT } });
        if (r.isError) throw new Error(`governed_sql failed: ${JSON.stringify(r.content)}`);
      };
      for (let i = 0; i < WARMUP; i++) {
        await viaSql();
        await viaMcp();
      }
      const sql: number[] = [];
      const mcp: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Alternate which goes first, so neither always runs on a warmer engine.
        const pair: Array<[() => Promise<void>, number[]]> = [
          [viaSql, sql],
          [viaMcp, mcp],
        ];
        if (i % 2) pair.reverse();
        for (const [fn, sink] of pair) {
          const t = performance.now();
          await fn();
          sink.push(performance.now() - t);
        }
      }
      const m = percentiles(mcp).p50;
      const s = percentiles(sql).p50;
      return [
        {
          name: 'mcp.governed_sql.p50',
          value: m,
          unit: 'ms',
          anchor: 'POST /v1/sql, the same statement on the same server (p50)',
          anchorValue: s,
          ratio: m / s,
          aim: '<= 1.2',
        },
      ];
    } finally {
      await client.close().catch(() => {});
      await server.stop();
    }
  } finally {
    await demo.remove();
  }
};
