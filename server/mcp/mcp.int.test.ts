// Issue 17: the MCP server, driven by the SDK's own Client over both transports — a real
// `analyst mcp` child process (stdio) and a real `analyst serve` (Streamable HTTP) — on the Synthea
// sample with canary identities planted in the data. Expected figures come from the CSV files.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  analyst,
  analystExit,
  BIN,
  devToken,
  type LiveServer,
  ROOT,
  SYNTHEA_FIXTURE,
  startServer,
  syntheaWorkspace,
} from '../testing/live-server.ts';

/** The SDK's default request timeout is 60 s; a child process starting on a busy machine may need more. */
const STARTUP_MS = 170_000;
const TOOLS = ['ask', 'dashboard_tile', 'governed_sql', 'list_dashboards', 'search_model', 'semantic_query'];
// A patient's identity replaced by canaries that occur nowhere else.
const CANARY = {
  first: 'Qzcanfirst',
  last: 'Qzcanlast',
  ssn: '999-87-6543',
  address: '42 Qzcanary Street',
};
const CANARIES = Object.values(CANARY);
// Client kinds: an unlisted name gets the default (phi: none); these two are cleared further.
const TRUSTED = { name: 'test-trusted', version: '9.9.9' };
const DEIDENTIFIED = { name: 'test-deid', version: '1.0.0' };
const PLAIN = { name: 'test-assistant', version: '0.1.0' };

let root = '';
let ws = '';
let clinicianOrg = '';
let encountersAtOrg = 0;
let encountersTotal = 0;
/** Every patient's real name parts, SSN, address and record id, from patients.csv. */
let realIdentifiers: string[] = [];
/** API keys (role analyst): one with the mcp scope, one without. */
let mcpKey = '';
let sqlKey = '';

type Result = Awaited<ReturnType<Client['callTool']>>;
const structured = (r: Result) => r.structuredContent as Record<string, unknown>;
const text = (r: Result) =>
  (r.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');
const firstCell = (r: Result) => Number(((structured(r).rows as unknown[][])[0] ?? [])[0]);
const sorted = (rows: unknown) => (rows as unknown[][]).map((r) => JSON.stringify(r)).sort();
const leaked = (values: readonly string[], results: readonly unknown[]) => {
  const all = JSON.stringify(results).toLowerCase();
  return values.filter((v) => all.includes(v.toLowerCase()));
};

/** `analyst mcp` as a users.yaml identity, or with other credential arguments (`--api-key K`). */
async function stdioClient(user: string | string[], info = PLAIN): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--workspace', ws, ...(typeof user === 'string' ? ['--as', user] : user)],
    cwd: ROOT,
    env: { ...process.env, ANALYST_WORKSPACE: '' } as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client(info);
  // The child opens the lake before it answers the handshake: slow on a loaded machine.
  await client.connect(transport, { timeout: STARTUP_MS });
  return client;
}

async function httpClient(url: string, token: string, info = PLAIN): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client(info);
  await client.connect(transport);
  return client;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcp-int-'));
  // The shared sample with one patient's identity replaced by canaries.
  const source = join(root, 'synthea');
  await cp(SYNTHEA_FIXTURE, source, { recursive: true });
  const patientsFile = join(source, 'patients.csv');
  const lines = (await readFile(patientsFile, 'utf8')).split('\n');
  const header = lines[0]!.split(',');
  const col = (name: string) => header.indexOf(name);
  const planted = lines[1]!.split(',');
  planted[col('FIRST')] = CANARY.first;
  planted[col('LAST')] = CANARY.last;
  planted[col('SSN')] = CANARY.ssn;
  planted[col('ADDRESS')] = CANARY.address;
  lines[1] = planted.join(',');
  await writeFile(patientsFile, lines.join('\n'));
  realIdentifiers = lines
    .slice(1)
    .filter(Boolean)
    .flatMap((l) => {
      const f = l.split(',');
      return ['Id', 'FIRST', 'LAST', 'SSN', 'ADDRESS'].map((n) => f[col(n)] ?? '');
    })
    .filter((v) => v.length >= 5);

  ws = await syntheaWorkspace(join(root, 'ws'), [], source);
  const configFile = join(ws, 'analyst.yaml');
  const config = parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  config.mcp = {
    clients: {
      any: { names: ['*'], phi: 'none' },
      trusted: {
        names: [TRUSTED.name],
        phi: 'allowed',
        on_prem: true,
        region: 'test site',
        retention: 'zero',
        training: 'none',
      },
      deid: { names: [DEIDENTIFIED.name], phi: 'deidentified' },
    },
  };
  await writeFile(configFile, stringify(config));

  const users = parse(await readFile(join(ws, 'users.yaml'), 'utf8')) as {
    users: Array<{ id: string; attributes?: { organization_id?: string } }>;
  };
  clinicianOrg = users.users.find((u) => u.id === 'clinician')?.attributes?.organization_id ?? '';
  const encounters = (await readFile(join(source, 'encounters.csv'), 'utf8'))
    .split('\n')
    .slice(1)
    .filter(Boolean);
  encountersTotal = encounters.length;
  // ORGANIZATION is the 5th column; the columns before it hold no commas.
  encountersAtOrg = encounters.filter((l) => l.split(',')[4] === clinicianOrg).length;

  const create = async (scopes: string) =>
    (
      JSON.parse(
        (
          await analyst([
            'apikey',
            'create',
            '--workspace',
            ws,
            '--name',
            `k-${scopes}`,
            '--scopes',
            scopes,
            '--roles',
            'analyst',
            '--json',
          ])
        ).stdout,
      ) as { key: string }
    ).key;
  mcpKey = await create('mcp');
  sqlKey = await create('sql,chat,query');
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Child processes and a server on a shared 2-core machine: generous time per test.
describe('analyst mcp (stdio), with the SDK client', { timeout: 180_000 }, () => {
  let client: Client;
  beforeAll(async () => {
    client = await stdioClient('analyst');
  }, 180_000);
  afterAll(async () => {
    await client?.close();
  });

  it('lists the six tools, with input and output schemas, and the resources', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
    }
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain('analyst://model');
    expect(uris).toContain('analyst://model/encounters');
    expect(uris).toContain('analyst://dashboards/synthea');
    const model = await client.readResource({ uri: 'analyst://model/patients' });
    const cube = JSON.parse(String((model.contents[0] as { text: string }).text)) as {
      dimensions: Array<{ name: string; masked?: boolean }>;
    };
    // The resource is the caller's model: the analyst's policy masks names, not gender.
    const dimension = (name: string) => cube.dimensions.find((d) => d.name === name);
    expect(dimension('patients.first')?.masked).toBe(true);
    expect(dimension('patients.gender')).toBeDefined();
    expect(dimension('patients.gender')?.masked).toBeUndefined();
  });

  it('answers each tool (phi: none by default)', async () => {
    const search = await client.callTool({ name: 'search_model', arguments: { query: 'readmission rate' } });
    expect(search.isError).toBeFalsy();
    const matches = structured(search).matches as Array<{ kind: string; name: string }>;
    expect(matches.some((m) => m.name === 'encounters.readmission_rate_30d' && m.kind === 'measure')).toBe(
      true,
    );
    expect(matches.some((m) => m.kind === 'verified_query')).toBe(true);

    const sql = await client.callTool({
      name: 'governed_sql',
      arguments: { sql: 'SELECT count(*) AS n FROM encounters' },
    });
    expect(sql.isError).toBeFalsy();
    expect(firstCell(sql)).toBe(encountersTotal);
    expect(structured(sql).truncated).toBe(false);

    const q = await client.callTool({
      name: 'semantic_query',
      arguments: { measures: ['encounters.count'], dimensions: ['encounters.encounterclass'] },
    });
    expect(q.isError).toBeFalsy();
    const rows = structured(q).rows as Array<[string, number | string]>;
    // Counts under 11 are suppressed for a phi: none client; the others add up with them to the total.
    expect(rows.some(([, n]) => n === '<11')).toBe(true);
    expect(typeof structured(q).sql).toBe('string');

    const ask = await client.callTool({
      name: 'ask',
      arguments: { question: 'how many encounters are there' },
    });
    expect(ask.isError).toBeFalsy();
    expect(structured(ask).status).toBe('ok');
    expect(text(ask)).toContain(encountersTotal.toLocaleString('en-US'));

    const list = await client.callTool({ name: 'list_dashboards', arguments: {} });
    const dashboards = structured(list).dashboards as Array<{ id: string; tiles: Array<{ id: string }> }>;
    expect(dashboards.find((d) => d.id === 'synthea')?.tiles.map((t) => t.id)).toContain(
      'encounters-by-class',
    );

    const tile = await client.callTool({
      name: 'dashboard_tile',
      arguments: { dashboard: 'synthea', tile: 'encounters-by-class' },
    });
    expect(tile.isError).toBeFalsy();
    expect(sorted(structured(tile).rows)).toEqual(sorted(rows));
  });

  it('answers refused SQL with a tool error carrying our code, no stack or SQL values', async () => {
    const r = await client.callTool({
      name: 'governed_sql',
      arguments: { sql: "DELETE FROM patients WHERE ssn = '999-34-4992'" },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^SQL_REFUSED: /);
    expect(text(r)).not.toContain('999-34-4992');
    expect(text(r)).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('applies the clinician’s row policy: exactly their organization’s encounters', async () => {
    // The embedded lake takes one process at a time: the analyst's session ends first.
    await client.close();
    const clinician = await stdioClient('clinician', TRUSTED);
    try {
      const r = await clinician.callTool({
        name: 'governed_sql',
        arguments: { sql: 'SELECT count(*) FROM encounters' },
      });
      expect(firstCell(r)).toBe(encountersAtOrg);
      expect(encountersAtOrg).toBeLessThan(encountersTotal);
    } finally {
      await clinician.close();
    }
  }, 180_000);

  it('takes --api-key: a key without the mcp scope is refused, one with it serves', async () => {
    const refused = await analystExit(['mcp', '--workspace', ws, '--api-key', sqlKey]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('FORBIDDEN');
    const keyed = await stdioClient(['--api-key', mcpKey]);
    try {
      const r = await keyed.callTool({
        name: 'governed_sql',
        arguments: { sql: 'SELECT count(*) FROM encounters' },
      });
      expect(firstCell(r)).toBe(encountersTotal);
    } finally {
      await keyed.close();
    }
  }, 180_000);
});

describe('POST /mcp on analyst serve, with the SDK client', { timeout: 180_000 }, () => {
  let server: LiveServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    for (const user of ['admin', 'analyst', 'clinician']) tokens[user] = await devToken(ws, user);
    server = await startServer(ws);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a request without credentials with 401 and points at the protected-resource metadata', async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain(`resource_metadata="${server.url}/.well-known/oauth-protected-resource"`);
    const meta = (await (await fetch(`${server.url}/.well-known/oauth-protected-resource`)).json()) as {
      resource: string;
      scopes_supported: string[];
    };
    expect(meta.resource).toBe(`${server.url}/mcp`);
    expect(meta.scopes_supported).toEqual(['mcp']);
    await expect(httpClient(server.url, '')).rejects.toThrow();
  });

  it('refuses an API key without the mcp scope, and serves one with it', async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${sqlKey}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await expect(httpClient(server.url, sqlKey)).rejects.toThrow();

    const client = await httpClient(server.url, mcpKey);
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS);
      const r = await client.callTool({
        name: 'governed_sql',
        arguments: { sql: 'SELECT count(*) AS n FROM encounters' },
      });
      expect(firstCell(r)).toBe(encountersTotal);
    } finally {
      await client.close();
    }
  });

  it('answers each tool and lists resources over HTTP', async () => {
    const client = await httpClient(server.url, tokens.analyst!);
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS);
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toContain('analyst://model');
      const outcomes = await Promise.all([
        client.callTool({ name: 'search_model', arguments: { query: 'encounter class' } }),
        client.callTool({ name: 'governed_sql', arguments: { sql: 'SELECT count(*) FROM patients' } }),
        client.callTool({
          name: 'semantic_query',
          arguments: { measures: ['patients.count'], dimensions: ['patients.gender'] },
        }),
        client.callTool({ name: 'ask', arguments: { question: 'how many patients by gender' } }),
        client.callTool({ name: 'list_dashboards', arguments: {} }),
        client.callTool({
          name: 'dashboard_tile',
          arguments: { dashboard: 'synthea', tile: 'patients-seen' },
        }),
      ]);
      for (const r of outcomes) expect(r.isError, text(r)).toBeFalsy();
      const patients = (await readFile(join(root, 'synthea', 'patients.csv'), 'utf8'))
        .split('\n')
        .slice(1)
        .filter(Boolean);
      expect(firstCell(outcomes[1]!)).toBe(patients.length);
      const byGender = structured(outcomes[2]!).rows as Array<[string, number]>;
      expect(byGender.reduce((s, [, n]) => s + n, 0)).toBe(patients.length);
      expect(sorted(structured(outcomes[3]!).rows)).toEqual(sorted(byGender));
      const refused = await client.callTool({
        name: 'governed_sql',
        arguments: { sql: 'DROP TABLE patients' },
      });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/^SQL_REFUSED: /);
    } finally {
      await client.close();
    }
  });

  it('applies the clinician’s row policy over HTTP: exact counts of their organization', async () => {
    const client = await httpClient(server.url, tokens.clinician!, TRUSTED);
    try {
      const sql = await client.callTool({
        name: 'governed_sql',
        arguments: { sql: 'SELECT count(*) FROM encounters' },
      });
      expect(firstCell(sql)).toBe(encountersAtOrg);
      const q = await client.callTool({
        name: 'semantic_query',
        arguments: { measures: ['encounters.count'] },
      });
      expect(firstCell(q)).toBe(encountersAtOrg);
    } finally {
      await client.close();
    }
  });

  it('masks for the analyst: no real identifier in any tool result, even for a client cleared for PHI', async () => {
    const client = await httpClient(server.url, tokens.analyst!, TRUSTED);
    try {
      const results = await Promise.all([
        client.callTool({ name: 'governed_sql', arguments: { sql: 'SELECT * FROM patients' } }),
        client.callTool({ name: 'governed_sql', arguments: { sql: 'SELECT * FROM encounters LIMIT 3000' } }),
        client.callTool({
          name: 'semantic_query',
          arguments: { measures: ['encounters.count'], dimensions: ['encounters.patient'], limit: 5000 },
        }),
        client.callTool({ name: 'ask', arguments: { question: 'which patients had the most encounters' } }),
        client.callTool({ name: 'search_model', arguments: { query: 'patient name address ssn' } }),
        client.callTool({
          name: 'dashboard_tile',
          arguments: { dashboard: 'synthea', tile: 'top-conditions' },
        }),
      ]);
      // The queries ran and returned rows: the absence below is masking, not an empty answer.
      expect((structured(results[0]!).rows as unknown[]).length).toBeGreaterThan(50);
      expect((structured(results[2]!).rows as unknown[]).length).toBeGreaterThan(50);
      expect(realIdentifiers.length).toBeGreaterThan(400);
      expect(leaked(realIdentifiers, results)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('releases no identifier to a phi: none client, even to the admin who may see them all', async () => {
    const calls = [
      { name: 'governed_sql', arguments: { sql: 'SELECT * FROM patients' } },
      {
        name: 'governed_sql',
        arguments: {
          sql: "SELECT first || ' ' || last AS who, ssn AS code, address AS place, birthdate AS d FROM patients",
        },
      },
      {
        name: 'semantic_query',
        arguments: {
          dimensions: ['patients.first', 'patients.last', 'patients.ssn', 'patients.address'],
          limit: 5000,
        },
      },
      {
        name: 'ask',
        arguments: { question: `how many encounters did ${CANARY.first} ${CANARY.last} have?` },
      },
    ];
    // The control: a client cleared for PHI gets the canaries, so their absence below means something.
    const trusted = await httpClient(server.url, tokens.admin!, TRUSTED);
    try {
      const shown = await trusted.callTool(calls[1]!);
      expect(leaked(CANARIES, [shown]).sort()).toEqual([...CANARIES].sort());
    } finally {
      await trusted.close();
    }
    for (const info of [PLAIN, DEIDENTIFIED]) {
      const client = await httpClient(server.url, tokens.admin!, info);
      try {
        const results = [];
        for (const call of calls) results.push(await client.callTool(call));
        expect(leaked(CANARIES, results)).toEqual([]);
        // The rows are there, with identifier columns removed and dates cut to the year.
        const all = structured(results[0]!);
        expect((all.phi as { removedColumns: string[] }).removedColumns).toEqual(
          expect.arrayContaining(['first', 'last', 'ssn', 'address']),
        );
        const aliased = structured(results[1]!);
        expect((aliased.rows as unknown[][]).length).toBeGreaterThan(100);
        expect(JSON.stringify(aliased.rows)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      } finally {
        await client.close();
      }
    }
  });

  it('refuses the call while the audit store cannot take its record, and releases nothing', async () => {
    const client = await httpClient(server.url, tokens.admin!, TRUSTED);
    const intruder = new Database(join(ws, 'audit', 'audit.db'));
    try {
      intruder.exec('BEGIN EXCLUSIVE');
      const r = await client.callTool({
        name: 'governed_sql',
        arguments: { sql: `SELECT first FROM patients WHERE ssn = '${CANARY.ssn}'` },
      });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/^AUDIT_UNAVAILABLE: /);
      expect(JSON.stringify(r)).not.toContain(CANARY.first);
    } finally {
      intruder.exec('ROLLBACK');
      intruder.close();
      await client.close();
    }
  });

  it('audits every call with the client from the handshake and digests; the trail verifies', async () => {
    await server.stop();
    const verify = await analystExit(['audit', 'verify', '--workspace', ws]);
    expect(verify.code, verify.stderr).toBe(0);
    const { stdout } = await analyst(['audit', 'search', '--workspace', ws, '--limit', '1000', '--json']);
    const records = JSON.parse(stdout) as Array<{
      userId?: string;
      route?: string;
      outcome: string;
      details?: {
        mcp?: {
          tool: string;
          client: { name: string; version: string };
          argsDigest: string;
          resultDigest?: string;
        };
      };
    }>;
    const mcp = records.filter((r) => r.details?.mcp);
    const trusted = mcp.filter((r) => r.details?.mcp?.client.name === TRUSTED.name && r.outcome === 'ok');
    expect(trusted.length).toBeGreaterThan(5);
    for (const r of trusted) {
      expect(r.details?.mcp?.client.version).toBe(TRUSTED.version);
      expect(r.details?.mcp?.argsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.details?.mcp?.resultDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(new Set(mcp.map((r) => r.route))).toEqual(new Set(['analyst mcp', 'POST /mcp']));
    expect(mcp.some((r) => r.userId === 'clinician' && r.details?.mcp?.tool === 'governed_sql')).toBe(true);
    // Records hold digests, not the results themselves.
    expect(stdout).not.toContain(CANARY.address);
  });
});
