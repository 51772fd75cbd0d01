import { z } from 'zod';

/** What kind of event a record is. `request`: anything that touched data or a model. */
export const AUDIT_EVENT_TYPES = [
  'request',
  'auth_failure',
  'policy_refusal',
  'admin',
  'config_change',
  'export',
  'break_glass',
  'incident',
  'retention',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_OUTCOMES = ['ok', 'error', 'refused', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * The fields that may hold PHI. They are encrypted at rest (AES-256-GCM) and chained by the
 * digest of their ciphertext, so retention can delete them and the chain still verifies.
 */
export const BODY_FIELDS = [
  'question',
  'semanticQuery',
  'sql',
  'prompt',
  'response',
  'result',
  'reason',
] as const;
export type BodyField = (typeof BODY_FIELDS)[number];

/**
 * Retention kind of each body field: `queries` (what was asked, and why: the break-glass or admin
 * reason, which may name a patient) or `bodies` (what was exchanged).
 */
export const BODY_KIND: Record<BodyField, 'queries' | 'bodies'> = {
  question: 'queries',
  semanticQuery: 'queries',
  sql: 'queries',
  prompt: 'bodies',
  response: 'bodies',
  result: 'bodies',
  reason: 'queries',
};

const columnSchema = z
  .object({ name: z.string().min(1), phi: z.enum(['direct', 'quasi']).nullable().optional() })
  .strict();
const relationSchema = z.object({ name: z.string().min(1), columns: z.array(columnSchema) }).strict();
/** A relation touched: with its columns (PHI flagged), or just its name when that is all the caller knows. */
const touchedSchema = z.union([
  relationSchema,
  z
    .string()
    .min(1)
    .transform((name) => ({ name, columns: [] })),
]);

/** What a caller hands to `AuditLog.append`. Validated at the boundary; unknown keys are refused. */
export const auditRecordInputSchema = z
  .object({
    type: z.enum(AUDIT_EVENT_TYPES),
    outcome: z.enum(AUDIT_OUTCOMES),
    requestId: z.string().min(1).optional(),
    userId: z.string().min(1).optional(),
    roles: z.array(z.string()).optional(),
    clientAddress: z.string().optional(),
    /** The HTTP route (`POST /v1/chat`) or CLI command (`analyst ask`). */
    route: z.string().optional(),
    question: z.string().optional(),
    semanticQuery: z.unknown().optional(),
    /** The SQL executed: one statement, or each try in order. */
    sql: z.union([z.string(), z.array(z.string())]).optional(),
    relations: z.array(touchedSchema).optional(),
    rowsReturned: z.number().int().nonnegative().optional(),
    endpoint: z.string().optional(),
    modelId: z.string().optional(),
    region: z.string().optional(),
    /** The request body exactly as sent to the model endpoint. */
    prompt: z.string().optional(),
    /** The response body exactly as received. */
    response: z.string().optional(),
    /** The result returned to the caller (columns and rows). */
    result: z.unknown().optional(),
    latencyMs: z.number().nonnegative().optional(),
    /** Why (break-glass, admin action): free text that may name a patient, so encrypted. */
    reason: z.string().optional(),
    error: z
      .object({ code: z.string().min(1), message: z.string().optional() })
      .strict()
      .optional(),
    /** Event-specific facts (admin action, break-glass grant, incident). No PHI here: not encrypted. */
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type AuditRecordInput = z.input<typeof auditRecordInputSchema>;
export type TouchedRelation = z.infer<typeof relationSchema>;

/**
 * The metadata of a record kept as canonical JSON (the `entry` column). The indexed columns
 * (id, time, type, outcome, user, request) and the body digests are hashed beside it (see
 * `recordHash`); `seq` is repeated here so verify can tell a moved record from an altered one.
 */
export interface AuditEntry {
  v: 1;
  seq: number;
  /** The process that wrote it. */
  writer: string;
  roles?: string[];
  clientAddress?: string;
  route?: string;
  relations?: TouchedRelation[];
  rowsReturned?: number;
  endpoint?: string;
  modelId?: string;
  region?: string;
  latencyMs?: number;
  error?: { code: string; message?: string };
  details?: Record<string, unknown>;
}

/** A record as search returns it: metadata, bodies decrypted, and which bodies retention purged. */
export interface AuditRecord extends Omit<AuditEntry, 'v'> {
  id: string;
  /** ISO 8601, UTC, milliseconds. */
  time: string;
  type: AuditEventType;
  outcome: AuditOutcome;
  userId?: string;
  requestId?: string;
  question?: string;
  semanticQuery?: unknown;
  sql?: string | string[];
  prompt?: string;
  response?: string;
  result?: unknown;
  reason?: string;
  /** Bodies that existed but were removed by retention (their digests stay in the chain). */
  purged: BodyField[];
  hash: string;
}
