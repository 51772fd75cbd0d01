import { Cron } from 'croner';
import { z } from 'zod';
import { auditConfigSchema } from './audit-config.ts';
import { complianceConfigSchema } from './compliance-config.ts';
import { conversationsConfigSchema } from './conversations-config.ts';
import { incidentConfigSchema } from './incident-config.ts';
import { keySourceSchema } from './key-source.ts';
import { llmConfigSchema } from './llm-config.ts';
import { mcpConfigSchema } from './mcp-config.ts';
import { serverConfigSchema } from './server-config.ts';

const s3Schema = z
  .object({
    endpoint: z.string().optional(),
    region: z.string().optional(),
    url_style: z.enum(['path', 'vhost']).optional(),
    use_ssl: z.boolean().optional(),
    access_key_id: z.string().optional(),
    secret_access_key: z.string().optional(),
  })
  .strict();

export const lakeConfigSchema = z
  .object({
    /** `duckdb` (an embedded catalog file) or a postgres:// URL. */
    catalog: z.union([
      z.literal('duckdb'),
      z.string().regex(/^postgres(ql)?:\/\//, 'duckdb or a postgres:// URL'),
    ]),
    catalog_path: z.string().default('lake/catalog.ducklake'),
    catalog_schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    data_path: z.string().default('lake/data'),
    encrypted: z.boolean().default(true),
    /** Where the lake key comes from. A file (0600) by default; env or a command for KMS set-ups. */
    key: keySourceSchema.default({ source: 'file', path: 'keys/workspace.key' }),
    threads: z.number().int().positive().optional(),
    memory_limit: z.string().optional(),
    read_connections: z.number().int().min(1).max(64).default(4),
    query_timeout_ms: z.number().int().positive().default(30_000),
    s3: s3Schema.optional(),
  })
  .strict();

/** The semantic layer: where the workspace's Cube-format model files live. */
/**
 * analyst.yaml → `semantic.result_cache`: results of the semantic layer's compiled statements kept
 * in memory (never on disk), keyed by the compiled SQL with its policies, its parameters and the
 * lake snapshot, so a sync commit invalidates them by construction. Entries live `ttl_seconds` at
 * most, and never longer than the shortest retention in the workspace (conversations, audit bodies).
 */
export const resultCacheConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Upper bound on the cached results' estimated size in memory. */
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    ttl_seconds: z.number().int().positive().default(3600),
  })
  .strict();

export type ResultCacheConfig = z.infer<typeof resultCacheConfigSchema>;

export const semanticConfigSchema = z
  .object({
    model_dir: z.string().min(1).default('model'),
    result_cache: resultCacheConfigSchema.prefault({}),
  })
  .strict();

const syncModeSchema = z.enum(['full_refresh', 'incremental_append', 'incremental_dedupe']);

/** One source under `connectors:`; `options` are validated by the connector's own spec at sync time. */
export const connectorEntrySchema = z
  .object({
    type: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    streams: z
      .array(
        z.union([
          z.string().min(1),
          z
            .object({
              name: z.string().min(1),
              mode: syncModeSchema.optional(),
              cursor_field: z.string().optional(),
              primary_key: z.array(z.string()).optional(),
              table: z
                .string()
                .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
                .optional(),
            })
            .strict(),
        ]),
      )
      .optional(),
    mode: syncModeSchema.default('full_refresh'),
    on_reject: z.enum(['skip', 'fail']).default('skip'),
    table_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_]*$/)
      .optional(),
    phi_rules: z
      .array(z.object({ match: z.string().min(1), phi: z.enum(['direct', 'quasi', 'none']) }).strict())
      .optional(),
    /** A cron expression (`0 2 * * *`: 02:00 every day): `analyst serve` syncs this connector then. */
    schedule: z
      .string()
      .refine(
        isCron,
        'a cron expression: minute hour day-of-month month day-of-week (an optional seconds field first)',
      )
      .optional(),
    /** The IANA time zone the schedule is read in (default: the server's). */
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/London').optional(),
    /** Further attempts after a scheduled run fails, before an incident is raised. */
    retries: z.number().int().min(0).max(10).default(3),
    /** Wait before the first retry; each further retry waits twice as long. */
    retry_backoff_seconds: z.number().positive().max(86_400).default(60),
  })
  .strict();

function isCron(expr: string): boolean {
  try {
    new Cron(expr, { paused: true });
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * analyst.yaml. Strict: an unknown key is an error naming it, so a typo never silently turns a
 * control off. Later subsystems add their sections here.
 */
export const analystConfigSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1).default('analyst'),
    lake: lakeConfigSchema,
    server: serverConfigSchema.prefault({}),
    semantic: semanticConfigSchema.prefault({}),
    // Compliance sections (issue 8); each defaults to the compliant choice.
    audit: auditConfigSchema.prefault({}),
    llm: llmConfigSchema.prefault({}),
    incident: incidentConfigSchema.prefault({}),
    conversations: conversationsConfigSchema.prefault({}),
    compliance: complianceConfigSchema.prefault({}),
    /** The MCP server and the client kinds allowed to use it (issue 17). */
    mcp: mcpConfigSchema.prefault({}),
    /** Sources to sync into the lake: name → connector entry. */
    connectors: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'letters, digits, _ and -'), connectorEntrySchema)
      .default({}),
  })
  .strict();

export type AnalystConfig = z.infer<typeof analystConfigSchema>;
export type LakeConfig = z.infer<typeof lakeConfigSchema>;
export type ConnectorEntry = z.infer<typeof connectorEntrySchema>;

/** users.yaml: development identities (production identities come from the IdP). */
export const usersFileSchema = z
  .object({
    users: z.array(
      z
        .object({
          id: z.string().min(1),
          name: z.string().optional(),
          roles: z.array(z.string()).default([]),
          attributes: z
            .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
            .default({}),
        })
        .strict(),
    ),
  })
  .strict();

export type UsersFile = z.infer<typeof usersFileSchema>;
export type DevUser = UsersFile['users'][number];

/** Turn zod issues into one line per problem, each naming its key path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        const keys = (issue as { keys: string[] }).keys;
        return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}`;
      }
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
