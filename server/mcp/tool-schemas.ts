import { z } from 'zod';

/**
 * The MCP tools' input and output schemas (zod; the SDK turns them into the JSON Schema clients
 * see). Tool names are a contract: search_model, semantic_query, governed_sql, ask,
 * list_dashboards, dashboard_tile.
 */
export const MCP_TOOL_NAMES = [
  'search_model',
  'semantic_query',
  'governed_sql',
  'ask',
  'list_dashboards',
  'dashboard_tile',
] as const;
export type McpToolName = (typeof MCP_TOOL_NAMES)[number];

const member = z.string().min(3).max(300).describe('A member as cube.member, e.g. encounters.count');
const cell = z.unknown();
const rows = z.array(z.array(cell)).describe('Rows, each an array in column order');
const column = z.object({
  name: z.string(),
  type: z.string(),
  deidentified: z
    .enum(['year', 'birth_year', 'zip3', 'age', 'count'])
    .optional()
    .describe('The Safe Harbor treatment the PHI boundary applied to this column'),
});
/** What the PHI boundary did before the result left (the client's `phi` level). */
const phi = z.object({
  level: z.enum(['none', 'deidentified', 'allowed']),
  removedColumns: z.array(z.string()),
  suppressedCells: z.number().int(),
});

export const searchModelInput = {
  query: z.string().min(1).max(500).describe('Words to look for in names, titles, descriptions and synonyms'),
  kinds: z
    .array(z.enum(['cube', 'view', 'measure', 'dimension', 'segment', 'verified_query']))
    .optional()
    .describe('Only these kinds (default: all)'),
  limit: z.number().int().min(1).max(100).optional().describe('At most this many matches (default 20)'),
};
export const searchModelOutput = {
  matches: z.array(
    z.object({
      kind: z.enum(['cube', 'view', 'measure', 'dimension', 'segment', 'verified_query']),
      name: z.string(),
      title: z.string(),
      description: z.string().optional(),
      type: z.string().optional(),
      cube: z.string().optional(),
      /** A verified query's semantic query (run it with semantic_query). */
      query: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
};

const dateRange = z.union([z.string().min(1).max(100), z.array(z.string().min(1).max(100)).length(2)]);
export const semanticQueryInput = {
  measures: z.array(member).max(50).optional(),
  dimensions: z.array(member).max(50).optional(),
  filters: z
    .array(z.record(z.string(), z.unknown()))
    .max(50)
    .optional()
    .describe('Cube filters: {member, operator, values}, or {and: [...]} / {or: [...]}'),
  timeDimensions: z
    .array(
      z.object({
        dimension: member,
        granularity: z.string().max(64).optional().describe('day, week, month, quarter, year, …'),
        dateRange: dateRange.optional().describe('"last year" or ["2019-01-01", "2019-12-31"]'),
      }),
    )
    .max(10)
    .optional(),
  segments: z.array(member).max(20).optional(),
  order: z
    .union([z.record(z.string(), z.enum(['asc', 'desc'])), z.array(z.array(z.string()).length(2)).max(20)])
    .optional()
    .describe('{"member": "asc"|"desc"} or [["member", "desc"], …]'),
  limit: z.number().int().min(1).max(50_000).optional().describe('Rows at most (default 10000)'),
};
export const semanticQueryOutput = {
  columns: z.array(column),
  rows,
  truncated: z.boolean(),
  sql: z.string().nullable().describe('The SQL the semantic layer ran under the caller’s policies'),
  phi,
};

export const governedSqlInput = {
  sql: z.string().min(1).max(100_000).describe('One read-only SELECT over governed relations (cubes)'),
};
export const governedSqlOutput = {
  columns: z.array(column),
  rows,
  truncated: z.boolean(),
  phi,
};

export const askInput = {
  question: z.string().min(1).max(4000).describe('A question in plain language'),
  conversationId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional()
    .describe('Continue a conversation (from an earlier answer)'),
};
export const askOutput = {
  status: z.enum(['ok', 'clarify', 'refused', 'error']),
  answer: z.string(),
  interpretation: z.string().nullable(),
  columns: z.array(column),
  rows,
  sql: z.string().nullable(),
  semanticQuery: z.record(z.string(), z.unknown()).nullable(),
  chart: z.record(z.string(), z.unknown()).nullable(),
  conversationId: z.string(),
  auditId: z.string().nullable(),
  options: z.array(z.object({ label: z.string(), question: z.string() })).optional(),
  suppressed: z.object({ minGroupSize: z.number().int(), rows: z.array(z.number().int()) }).optional(),
  fallback: z.literal(true).optional(),
  fallbackReason: z.string().optional(),
  phi,
};

export const listDashboardsOutput = {
  dashboards: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      description: z.string().optional(),
      tiles: z.array(z.object({ id: z.string(), title: z.string(), chart: z.string().optional() })),
      filters: z.array(z.object({ id: z.string(), type: z.string(), label: z.string().optional() })),
    }),
  ),
};

export const dashboardTileInput = {
  dashboard: z.string().min(1).max(100).describe('A dashboard id (list_dashboards)'),
  tile: z.string().min(1).max(100).describe('A tile id of that dashboard'),
  filters: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Dashboard filter values by filter id, as the dashboard defines them'),
};
export const dashboardTileOutput = {
  columns: z.array(column.extend({ title: z.string().optional() })),
  rows,
  applied: z.array(z.string()),
  notApplied: z.array(z.string()),
  phi,
};
