import { z } from 'zod';

/** How callers prove who they are. `dev` signs tokens locally for users.yaml; `oidc` trusts an IdP. */
const authSchema = z
  .object({
    mode: z.enum(['dev', 'oidc']).default('dev'),
    oidc: z
      .object({
        issuer: z.string().url(),
        audience: z.string().min(1),
        /** Defaults to the issuer's /.well-known/jwks.json. */
        jwks_url: z.string().url().optional(),
        algorithms: z
          .array(
            z.enum([
              'RS256',
              'RS384',
              'RS512',
              'PS256',
              'PS384',
              'PS512',
              'ES256',
              'ES384',
              'ES512',
              'EdDSA',
            ]),
          )
          .default(['RS256', 'ES256']),
        /** Claim holding roles or groups (dot path), and claims copied into attributes. */
        roles_claim: z.string().default('roles'),
        attribute_claims: z.record(z.string(), z.string()).default({}),
        /** Browser sign-in (authorization code + PKCE). */
        client_id: z.string().optional(),
        authorization_endpoint: z.string().url().optional(),
        token_endpoint: z.string().url().optional(),
      })
      .strict()
      .optional(),
    require_mfa: z.boolean().default(false),
    idle_timeout_minutes: z.number().int().positive().default(15),
    max_session_hours: z.number().positive().default(12),
    dev_token_hours: z.number().positive().default(8),
  })
  .strict();

const limitsSchema = z
  .object({
    body_bytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024),
    requests_per_minute: z.number().int().positive().default(120),
    /** Query slots in this process (SQL, Cube load/sql, chat, dashboard and embed data). */
    concurrent_queries: z.number().int().positive().default(8),
    /** Slots one identity may hold at once, and one embed token. */
    concurrent_queries_per_identity: z.number().int().positive().default(2),
    concurrent_queries_per_embed_token: z.number().int().positive().default(2),
    /** How long a request may wait for a slot (fair, round-robin across identities) before 503. */
    queue_wait_ms: z.number().int().min(0).default(10_000),
    /** Seconds of query-slot time each identity (or embed token) may use per minute; then 429. */
    query_seconds_per_minute: z.number().positive().default(60),
    /** A request body must arrive whole within this, before a slot is taken; else 408. */
    body_timeout_ms: z.number().int().positive().default(10_000),
    request_timeout_ms: z.number().int().positive().default(60_000),
    /**
     * An OS memory limit (RLIMIT_DATA) on the server process, so a statement whose memory grows
     * past DuckDB's memory_limit fails alone instead of bringing in the kernel's OOM killer:
     * `auto` (75% of the memory available), `off`, or a size such as `6GB`.
     */
    process_memory: z
      .string()
      .regex(/^(auto|off|\s*\d+(\.\d+)?\s*[kmgtKMGT]i?[bB]\s*)$/, 'auto, off or a size such as 6GB')
      .default('auto'),
  })
  .strict()
  .refine((l) => l.concurrent_queries_per_identity <= l.concurrent_queries, {
    message: 'concurrent_queries_per_identity cannot exceed concurrent_queries',
    path: ['concurrent_queries_per_identity'],
  })
  .refine((l) => l.concurrent_queries_per_embed_token <= l.concurrent_queries, {
    message: 'concurrent_queries_per_embed_token cannot exceed concurrent_queries',
    path: ['concurrent_queries_per_embed_token'],
  });

/** `server.sql`: the SQL API over the PostgreSQL wire protocol (off unless a port is set). */
const sqlSchema = z
  .object({
    /** Listen for PostgreSQL clients on this port (0 picks a free one); absent: off. */
    port: z.number().int().min(0).max(65535).optional(),
    /** Defaults to server.host; off loopback server.tls is required. */
    host: z.string().optional(),
    max_connections: z.number().int().positive().default(64),
    /** A session idle this long is closed. */
    idle_timeout_minutes: z.number().positive().default(30),
    /** Rows one statement returns at most (the rest is cut off). */
    max_rows: z.number().int().positive().default(100_000),
    /** The database name clients see (any name connects). */
    database: z.string().min(1).default('analyst'),
  })
  .strict();

/** The `server:` section of analyst.yaml. */
export const serverConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8787),
    tls: z.object({ cert: z.string(), key: z.string() }).strict().optional(),
    auth: authSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    /**
     * Serve from a child process that a small supervisor replaces if it dies (the kernel's OOM
     * killer, a crash), while the supervisor keeps the port open.
     */
    supervise: z.boolean().default(false),
    /** Origins allowed to frame the app (embedding); none by default. */
    frame_ancestors: z.array(z.string()).default([]),
    /** The SQL API over the PostgreSQL wire protocol (`docs/sql-api.md`). */
    sql: sqlSchema.prefault({}),
    /**
     * On SIGTERM, how long to finish in-flight work (requests, a running sync, queued lake writes)
     * before exiting anyway with status 1, naming the step that did not finish.
     */
    shutdown_timeout_seconds: z.number().int().min(1).max(3600).default(120),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverConfigSchema>;
