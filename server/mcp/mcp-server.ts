import { createHash } from 'node:crypto';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isAnalystError } from '../../core/index.ts';
import {
  type Dashboard,
  DashboardError,
  filterValuesSchema,
  type LoadLike,
  shapeResult,
  tileQuery,
} from '../../dashboards/index.ts';
import type { CubeQuery, MetaCube, MetaResponse } from '../../semantic/index.ts';
import { checkMcpClient, mcpClientKind } from '../../workspace/index.ts';
import { type Identity, securityContextOf } from '../auth/identity.ts';
import { ServerError, toClientError } from '../errors.ts';
import { type FairSlots, SlotUnavailable } from '../middleware/fair-slots.ts';
import type { AuditEvent, ServerServices } from '../services.ts';
import { McpError } from './errors.ts';
import { PhiRelease, type ReleasedColumn } from './phi-release.ts';
import { searchModel } from './search-model.ts';
import {
  askInput,
  askOutput,
  dashboardTileInput,
  dashboardTileOutput,
  governedSqlInput,
  governedSqlOutput,
  listDashboardsOutput,
  type McpToolName,
  searchModelInput,
  searchModelOutput,
  semanticQueryInput,
  semanticQueryOutput,
} from './tool-schemas.ts';

/** Who is calling, for one MCP request: over HTTP from that request's credentials, over stdio the process's user. */
export interface McpCaller {
  identity: Identity;
  requestId: string;
  clientAddress?: string | undefined;
}

export interface McpServerOptions {
  transport: 'stdio' | 'http';
  /**
   * stdio: the one caller of this process. Over HTTP leave it out: every request's caller arrives
   * in the transport's `authInfo.extra.caller`, set by the route after authentication.
   */
  caller?: (() => McpCaller) | undefined;
  /**
   * stdio: query slots per identity, as the server's route guards take them (over HTTP the route
   * takes a slot for each request, so this is left out).
   */
  slots?: { slots: FairSlots; perIdentity: number; waitMs: number } | undefined;
  /** stdio: tool calls per minute per identity, the server's `requests_per_minute` (HTTP: the route's limit). */
  ratePerMinute?: number | undefined;
  now?: () => Date;
}

/** Server name and version the MCP handshake announces. */
export const MCP_SERVER_INFO = { name: 'private-analyst', version: '0.1.0' } as const;

const DEFAULT_QUERY_LIMIT = 10_000;
const TEXT_ROWS = 20;

/** What a tool body hands back before the PHI boundary and the audit record. */
interface ToolOutcome {
  structured: Record<string, unknown>;
  text: string;
  /** Fields for the audit record (question, sql, semanticQuery, relations, rowsReturned). */
  audit?: Record<string, unknown>;
  /** Our own record ids in `structured` (conversation, audit): random UUIDs, left out of the last scan. */
  ownIds?: string[];
}

/** A stable digest of a JSON value (keys sorted), for the audit record: what went in and what came out. */
export function jsonDigest(value: unknown): string {
  const stable = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map(stable);
    if (v && typeof v === 'object' && !(v instanceof Date))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(stable(value ?? null)))
    .digest('hex')}`;
}

/** A small text rendering of a table for clients that show text only. */
function textTable(
  columns: ReadonlyArray<{ name: string }>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
): string {
  const shown = rows.slice(0, TEXT_ROWS);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const lines = [columns.map((c) => c.name).join('\t'), ...shown.map((r) => r.map(cell).join('\t'))];
  const more = rows.length > shown.length ? `\n… ${rows.length - shown.length} more row(s)` : '';
  return `${lines.join('\n')}${more}`;
}

function summaryLine(rows: number, truncated: boolean, removed: readonly string[]): string {
  const parts = [`${rows} row(s)${truncated ? ' (truncated)' : ''}`];
  if (removed.length) parts.push(`${removed.length} identifier column(s) withheld by the PHI boundary`);
  return parts.join('; ');
}

/**
 * The MCP server over the governed layer: six tools (search_model, semantic_query, governed_sql,
 * ask, list_dashboards, dashboard_tile) and resources (the caller's visible model, each cube,
 * dashboard definitions), all answered by the same services as the HTTP API under the caller's
 * identity and policies. Before a result is released it passes the PHI boundary for the client's
 * `phi` level (analyst.yaml `mcp.clients`), and every tool call is audited (caller, tool, digests
 * of arguments and result, the client's name and version from the handshake); a failing audit
 * store refuses the call. Refusals and errors come back as tool errors with our code.
 *
 * @example
 * const server = createMcpServer(services, { transport: 'stdio', caller: () => ({ identity, requestId: randomUUID() }) });
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(services: ServerServices, options: McpServerOptions): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    capabilities: { logging: {} },
    instructions:
      'Governed healthcare analytics. Use search_model to find measures and dimensions, semantic_query for ' +
      'metrics, governed_sql for one read-only SELECT over cubes, ask for a question in plain language. ' +
      'Every result is filtered by the caller’s access policies and this client’s PHI clearance.',
  });
  const now = options.now ?? (() => new Date());

  const callerOf = (extra: { authInfo?: { extra?: Record<string, unknown> } | undefined }): McpCaller => {
    const fromRequest = extra.authInfo?.extra?.caller as McpCaller | undefined;
    const caller = fromRequest ?? options.caller?.();
    if (!caller) throw new ServerError('AUTH_MISSING', 'Authentication is required.');
    return caller;
  };
  const client = () => {
    const v = server.server.getClientVersion();
    return { name: v?.name ?? 'unknown', version: v?.version ?? 'unknown' };
  };
  const cube = () => {
    if (!services.cube)
      throw new ServerError('NOT_FOUND', 'The semantic layer is not available on this server.');
    return services.cube;
  };
  const dashboards = () => {
    if (!services.dashboards)
      throw new ServerError('NOT_FOUND', 'Dashboards are not available on this server.');
    return services.dashboards;
  };
  const visibleModel = async (identity: Identity): Promise<MetaCube[]> =>
    ((await cube().meta(securityContextOf(identity))) as MetaResponse).cubes;

  /** The client's kind and what it is cleared for; refused when unlisted or not covered. */
  const clientLevel = () => {
    const mcp = services.mcp;
    if (!mcp) throw new ServerError('NOT_FOUND', 'MCP is not available on this server.');
    if (!mcp.config.enabled)
      throw new McpError('MCP_DISABLED', 'The MCP server is turned off (analyst.yaml mcp.enabled).');
    const name = client().name;
    const hit = mcpClientKind(mcp.config, name);
    if (!hit)
      throw new McpError(
        'MCP_CLIENT_NOT_ALLOWED',
        `MCP client "${name.slice(0, 100)}" is not among the client kinds analyst.yaml allows (mcp.clients).`,
      );
    const checked = checkMcpClient(hit.kind, hit.client);
    if (!checked.ok)
      throw new McpError(
        'MCP_CLIENT_NOT_COVERED',
        `MCP client kind "${hit.kind}" cannot receive results: ${checked.findings.map((f) => `${f.path}: ${f.reason}`).join('; ')}.`,
      );
    return { kind: hit.kind, phi: checked.phi };
  };
  const releaseFor = async (identity: Identity): Promise<{ kind: string; release: PhiRelease }> => {
    const { kind, phi } = clientLevel();
    if (phi === 'allowed') return { kind, release: new PhiRelease({ level: phi }) };
    const [known, meta] = await Promise.all([services.mcp!.identifiers(), visibleModel(identity)]);
    return {
      kind,
      release: new PhiRelease({
        level: phi,
        matcher: known.matcher,
        lowerCase: known.lowerCase,
        meta,
        now: now(),
      }),
    };
  };

  // A token bucket per identity, refilled continuously, as the server's rate limit.
  const buckets = new Map<string, { tokens: number; at: number }>();
  const takeRate = (identity: Identity) => {
    const perMinute = options.ratePerMinute;
    if (perMinute === undefined) return;
    const t = Date.now();
    const b = buckets.get(identity.userId) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + ((t - b.at) / 60_000) * perMinute);
    b.at = t;
    buckets.set(identity.userId, b);
    if (b.tokens < 1)
      throw new ServerError('RATE_LIMITED', 'Too many requests; slow down and retry shortly.');
    b.tokens -= 1;
  };

  const withSlot = async <T>(identity: Identity, fn: () => Promise<T>): Promise<T> => {
    takeRate(identity);
    if (!options.slots) return fn();
    let release: () => void;
    try {
      release = await options.slots.slots.acquire(`user:${identity.userId}`, {
        cap: options.slots.perIdentity,
        waitMs: options.slots.waitMs,
      });
    } catch (err) {
      if (!(err instanceof SlotUnavailable)) throw err;
      throw new ServerError('BUSY', 'As many queries are running for you as may at once; retry shortly.');
    }
    try {
      return await fn();
    } finally {
      release();
    }
  };

  /** Run one tool call: client check, the body, the PHI boundary's last scan, the audit record, then release. */
  const runTool = async (
    tool: McpToolName,
    args: Record<string, unknown>,
    extra: Parameters<typeof callerOf>[0] & { sessionId?: string | undefined },
    body: (
      identity: Identity,
      release: PhiRelease,
      audit: Record<string, unknown>,
      caller: McpCaller,
    ) => Promise<ToolOutcome>,
  ): Promise<CallToolResult> => {
    const started = performance.now();
    let caller: McpCaller;
    try {
      caller = callerOf(extra);
    } catch (err) {
      return toolError(err);
    }
    const mcp: Record<string, unknown> = {
      tool,
      transport: options.transport,
      client: client(),
      argsDigest: jsonDigest(args),
      ...(extra.sessionId ? { session: extra.sessionId } : {}),
    };
    const base: Omit<AuditEvent, 'type' | 'outcome'> = {
      requestId: caller.requestId,
      route: options.transport === 'http' ? 'POST /mcp' : 'analyst mcp',
      clientAddress: caller.clientAddress,
      identity: caller.identity,
    };
    // What the audit record says about the call; a body fills it in as it learns (also when it fails).
    const auditDetail: Record<string, unknown> = {};
    try {
      const out = await withSlot(caller.identity, async () => {
        const { kind, release } = await releaseFor(caller.identity);
        mcp.kind = kind;
        mcp.phi = release.level;
        const r = await body(caller.identity, release, auditDetail, caller);
        Object.assign(auditDetail, r.audit ?? {});
        const own = new Set(r.ownIds ?? []);
        release.assertClean(Object.fromEntries(Object.entries(r.structured).filter(([k]) => !own.has(k))));
        release.assertClean(r.text);
        return r;
      });
      mcp.resultDigest = jsonDigest(out.structured);
      // Recorded before anything is released: no audit record, no result.
      await services.audit({
        ...base,
        type: 'data',
        outcome: 'ok',
        latencyMs: Math.round(performance.now() - started),
        detail: { action: `mcp ${tool}`, ...auditDetail, mcp },
      });
      return {
        content: [{ type: 'text', text: out.text }],
        structuredContent: out.structured,
      };
    } catch (err) {
      const refused = isAnalystError(err) && err.exitCode === 3;
      try {
        await services.audit({
          ...base,
          type: refused ? 'refusal' : 'data',
          outcome: refused ? 'refused' : 'error',
          latencyMs: Math.round(performance.now() - started),
          detail: {
            action: `mcp ${tool}`,
            ...auditDetail,
            error: isAnalystError(err) ? err.code : 'INTERNAL',
            mcp,
          },
        });
      } catch (auditErr) {
        return toolError(auditErr);
      }
      return toolError(err);
    }
  };

  const tableOutcome = (
    release: PhiRelease,
    columns: ReadonlyArray<{ name: string; type: string }>,
    rows: ReadonlyArray<ReadonlyArray<unknown>>,
  ) => {
    const t = release.table(columns, rows);
    const phi = {
      level: t.summary.phi,
      removedColumns: t.summary.removedColumns,
      suppressedCells: t.summary.suppressedCells,
    };
    return { columns: t.columns, rows: t.rows, phi };
  };

  server.registerTool(
    'search_model',
    {
      title: 'Search the semantic model',
      description:
        'Find the cubes, views, measures, dimensions, segments and verified queries you may use, by words in their names, titles, descriptions and synonyms.',
      inputSchema: searchModelInput,
      outputSchema: searchModelOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      runTool('search_model', args, extra, async (identity) => {
        const matches = searchModel(await visibleModel(identity), args);
        return {
          structured: { matches },
          text: matches.length
            ? matches.map((m) => `${m.kind} ${m.name}: ${m.title}`).join('\n')
            : 'No member of the model you may see matches.',
          audit: { question: args.query },
        };
      }),
  );

  server.registerTool(
    'semantic_query',
    {
      title: 'Query governed metrics',
      description:
        'Run a query in Cube’s format (measures, dimensions, filters, timeDimensions, segments, order, limit) under your access policies. Returns columns, rows, whether rows were cut off, and the SQL that ran.',
      inputSchema: semanticQueryInput,
      outputSchema: semanticQueryOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      runTool('semantic_query', args, extra, async (identity, release) => {
        const ctx = securityContextOf(identity);
        const limit = args.limit ?? DEFAULT_QUERY_LIMIT;
        // One row more than asked tells whether the result was cut off.
        const query = { ...args, limit: Math.min(limit + 1, 50_000) } as CubeQuery;
        const load = (await cube().load(query, ctx, { multi: false })) as LoadLike;
        const shaped = shapeResult(query, load);
        const truncated = shaped.rows.length > limit;
        const rows = shaped.rows.slice(0, limit);
        const compiled = (await cube().sql({ ...query, limit }, ctx)) as {
          sql?: { sql?: [string, unknown[]] };
        };
        const sqlText = compiled.sql?.sql?.[0] ?? null;
        const t = tableOutcome(
          release,
          shaped.columns.map((c) => ({ name: c.key, type: c.type })),
          rows,
        );
        return {
          structured: { ...t, truncated, sql: sqlText === null ? null : release.text(sqlText) },
          text: `${summaryLine(t.rows.length, truncated, t.phi.removedColumns)}\n${textTable(t.columns, t.rows)}`,
          audit: { semanticQuery: { ...args }, sql: sqlText ?? undefined, rowsReturned: rows.length },
        };
      }),
  );

  server.registerTool(
    'governed_sql',
    {
      title: 'Run governed SQL',
      description:
        'Run one read-only SELECT over governed relations (the cubes you may see) through the SQL gate: your row policies and masks apply, with the same timeout and row cap as the API.',
      inputSchema: governedSqlInput,
      outputSchema: governedSqlOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      runTool('governed_sql', args, extra, async (identity, release, audit) => {
        // The refusal's record names the statement, as /v1/sql's does.
        audit.question = args.sql;
        const r = await services.governedSql(args.sql, securityContextOf(identity));
        const t = tableOutcome(release, r.columns, r.rows);
        return {
          structured: { ...t, truncated: r.truncated },
          text: `${summaryLine(t.rows.length, r.truncated, t.phi.removedColumns)}\n${textTable(t.columns, t.rows)}`,
          audit: { sql: r.sqlExecuted, relations: r.relations ?? [], rowsReturned: r.rows.length },
        };
      }),
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask a question',
      description:
        'Ask a question in plain language; the analyst answers from the semantic layer under your policies. Returns the same object as `analyst ask --json`. Follow up with conversationId.',
      inputSchema: askInput,
      outputSchema: askOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      runTool('ask', args, extra, async (identity, release, _audit, caller) => {
        const events = services.ask(args.question, securityContextOf(identity), {
          conversationId: args.conversationId,
          request: {
            requestId: caller.requestId,
            clientAddress: caller.clientAddress,
            route: options.transport === 'http' ? 'POST /mcp' : 'analyst mcp',
          },
        });
        for await (const e of events) {
          if (e.type !== 'result') continue;
          const r = e.result;
          const t = tableOutcome(release, r.columns, r.rows);
          const allowed = release.level === 'allowed';
          const structured: Record<string, unknown> = {
            status: r.status,
            answer: release.text(r.answer),
            interpretation: r.interpretation === null ? null : release.text(r.interpretation),
            columns: t.columns,
            rows: t.rows,
            sql: r.sql === null ? null : release.text(r.sql),
            semanticQuery:
              r.semanticQuery === null ? null : release.deep(r.semanticQuery as Record<string, unknown>),
            // A chart spec carries the rows as they were; below `allowed` a client draws its own from `rows`.
            chart: allowed ? r.chart : null,
            conversationId: r.conversationId,
            auditId: r.auditId,
            ...(r.options ? { options: release.deep(r.options) } : {}),
            ...(r.suppressed ? { suppressed: r.suppressed } : {}),
            ...(r.fallback ? { fallback: r.fallback, fallbackReason: r.fallbackReason } : {}),
            phi: t.phi,
          };
          const table = t.rows.length ? `\n\n${textTable(t.columns, t.rows)}` : '';
          return {
            structured,
            text: `${structured.answer as string}${table}`,
            audit: {
              question: args.question,
              rowsReturned: t.rows.length,
              semanticQuery: r.semanticQuery ?? undefined,
            },
            ownIds: ['conversationId', 'auditId'],
          };
        }
        throw new Error('the agent produced no result');
      }),
  );

  server.registerTool(
    'list_dashboards',
    {
      title: 'List dashboards',
      description:
        'The dashboards of this workspace: their tiles and filters (run a tile with dashboard_tile).',
      inputSchema: {},
      outputSchema: listDashboardsOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, extra) =>
      runTool('list_dashboards', {}, extra, async () => {
        const store = dashboards();
        const out = [];
        for (const summary of await store.list()) {
          if (summary.problem) continue;
          const d = await store.get(summary.id);
          out.push({
            id: d.id,
            title: d.title,
            ...(d.description ? { description: d.description } : {}),
            tiles: d.tiles.map((t) => ({ id: t.id, title: t.title, chart: t.chart })),
            filters: d.filters.map((f) => ({ id: f.id, type: f.type, label: f.label })),
          });
        }
        return {
          structured: { dashboards: out },
          text: out.length
            ? out.map((d) => `${d.id}: ${d.title} (tiles: ${d.tiles.map((t) => t.id).join(', ')})`).join('\n')
            : 'No dashboards.',
        };
      }),
  );

  server.registerTool(
    'dashboard_tile',
    {
      title: 'Run a dashboard tile',
      description:
        'A tile’s rows with the dashboard’s filters applied (filter values by filter id), under your policies.',
      inputSchema: dashboardTileInput,
      outputSchema: dashboardTileOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      runTool('dashboard_tile', args, extra, async (identity, release) => {
        const dashboard = await dashboards().get(args.dashboard);
        const tile = dashboard.tiles.find((t) => t.id === args.tile);
        if (!tile)
          throw new DashboardError(
            'TILE_NOT_FOUND',
            `Dashboard "${dashboard.id}" has no tile "${args.tile}".`,
          );
        const values = filterValuesSchema.safeParse(args.filters ?? {});
        if (!values.success)
          throw new DashboardError(
            'FILTER_INVALID',
            'Filter values are a date range as two dates, or one value.',
          );
        const resolved = tileQuery(dashboard, tile, values.data);
        const load = (await cube().load(resolved.query, securityContextOf(identity), {
          multi: false,
        })) as LoadLike;
        const shaped = shapeResult(resolved.query, load);
        const t = tableOutcome(
          release,
          shaped.columns.map((c) => ({ name: c.key, type: c.type })),
          shaped.rows,
        );
        const titles = new Map(shaped.columns.map((c) => [c.key, c.title]));
        return {
          structured: {
            ...t,
            columns: t.columns.map((c: ReleasedColumn) => ({ ...c, title: titles.get(c.name) })),
            applied: resolved.applied,
            notApplied: resolved.notApplied,
          },
          text: `${tile.title}: ${summaryLine(t.rows.length, false, t.phi.removedColumns)}\n${textTable(t.columns, t.rows)}`,
          audit: { semanticQuery: resolved.query, rowsReturned: shaped.rows.length },
        };
      }),
  );

  server.registerPrompt(
    'analyse_metric',
    {
      title: 'Analyse a metric',
      description: 'Find a governed metric, look at its trend and its breakdown, and say what was computed.',
      argsSchema: {
        metric: z.string().min(1).max(200).describe('The metric in your words, e.g. "readmission rate"'),
        by: z.string().max(200).optional().describe('A breakdown, e.g. "encounter class"'),
      },
    },
    ({ metric, by }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Analyse the metric "${metric}"${by ? ` by ${by}` : ''} with the governed tools.`,
              '1. search_model for the measure (prefer a verified query or a KPI measure that already names it) and, if asked, the dimension to break it down by.',
              '2. semantic_query the measure by year (timeDimensions with granularity year), then by the breakdown.',
              '3. Report what was computed (measure, filters, period), the figures, and any cells shown as "<11" or columns withheld; do not guess withheld values.',
            ].join('\n'),
          },
        },
      ],
    }),
  );

  registerResources(server, { services, callerOf, clientLevel, visibleModel, dashboards });
  return server;
}

/** A refusal or failure as a tool result: our code and a plain message, never a stack or SQL values. */
function toolError(err: unknown): CallToolResult {
  const { code, message } = toClientError(err);
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }] };
}

function registerResources(
  server: McpServer,
  deps: {
    services: ServerServices;
    callerOf: (extra: { authInfo?: { extra?: Record<string, unknown> } | undefined }) => McpCaller;
    clientLevel: () => unknown;
    visibleModel: (identity: Identity) => Promise<MetaCube[]>;
    dashboards: () => NonNullable<ServerServices['dashboards']>;
  },
): void {
  const json = (uri: URL, value: unknown) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  });
  const compact = (c: MetaCube) => ({
    name: c.name,
    type: c.type,
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
    measures: c.measures.map((m) => ({
      name: m.name,
      title: m.title,
      type: m.aggType ?? m.type,
      description: m.description,
    })),
    dimensions: c.dimensions.map((d) => ({
      name: d.name,
      title: d.title,
      type: d.type,
      description: d.description,
      ...(d.meta?.masked ? { masked: true } : {}),
    })),
    segments: c.segments.map((s) => ({ name: s.name, title: s.title })),
  });
  const identityFor = (extra: Parameters<typeof deps.callerOf>[0]) => {
    deps.clientLevel();
    return deps.callerOf(extra).identity;
  };

  server.registerResource(
    'model',
    'analyst://model',
    {
      title: 'Your semantic model',
      description: 'The cubes and views you may query, with their members',
      mimeType: 'application/json',
    },
    async (uri, extra) => json(uri, { cubes: (await deps.visibleModel(identityFor(extra))).map(compact) }),
  );

  server.registerResource(
    'cube',
    new ResourceTemplate('analyst://model/{cube}', {
      list: async (extra) => ({
        resources: (await deps.visibleModel(identityFor(extra))).map((c) => ({
          uri: `analyst://model/${encodeURIComponent(c.name)}`,
          name: c.name,
          title: c.title,
          mimeType: 'application/json',
        })),
      }),
    }),
    { title: 'A cube or view', description: 'One cube or view of your model', mimeType: 'application/json' },
    async (uri, variables, extra) => {
      const name = decodeURIComponent(String(variables.cube));
      const c = (await deps.visibleModel(identityFor(extra))).find((x) => x.name === name);
      if (!c) throw new ServerError('NOT_FOUND', `No cube or view "${name.slice(0, 100)}" that you may see.`);
      return json(uri, compact(c));
    },
  );

  server.registerResource(
    'dashboard',
    new ResourceTemplate('analyst://dashboards/{id}', {
      list: async (extra) => {
        identityFor(extra);
        return {
          resources: (await deps.dashboards().list())
            .filter((d) => !d.problem)
            .map((d) => ({
              uri: `analyst://dashboards/${encodeURIComponent(d.id)}`,
              name: d.id,
              title: d.title,
              mimeType: 'application/json',
            })),
        };
      },
    }),
    {
      title: 'A dashboard definition',
      description: 'Filters, tiles and their semantic queries',
      mimeType: 'application/json',
    },
    async (uri, variables, extra) => {
      identityFor(extra);
      const d: Dashboard = await deps.dashboards().get(decodeURIComponent(String(variables.id)));
      return json(uri, d);
    },
  );
}
