import { z } from 'zod';

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const SECRET_REF = /^\$\{(env|file):[^}]+\}$/;

/**
 * analyst.yaml → `audit`: where the tamper-evident audit log lives and how long each kind of data
 * is kept. Every default is the compliant choice, so a workspace without the section is audited,
 * fail-closed, with HIPAA's six-year documentation retention for metadata.
 *
 * @example
 * audit:
 *   store: ${env:AUDIT_DATABASE_URL}   # or "workspace" (default)
 *   retention: { bodies_days: 90 }
 */
export const auditConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** `workspace` (an SQLite file in the workspace) or a postgres:// URL / secret reference to one. */
    store: z
      .string()
      .refine((s) => s === 'workspace' || POSTGRES_URL.test(s) || SECRET_REF.test(s), {
        message: `workspace, a postgres:// URL, or \${env:NAME} / \${file:path} holding one`,
      })
      .default('workspace'),
    /** The SQLite file when store is `workspace`. */
    path: z.string().default('audit/audit.db'),
    /** The PostgreSQL schema when store is a URL. */
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('analyst_audit'),
    /** Ed25519 private key (PKCS#8 PEM, mode 0600) that signs checkpoints; created when missing. */
    signing_key: z.string().default('keys/audit-signing.key'),
    checkpoint_every: z.number().int().positive().default(1000),
    checkpoint_minutes: z.number().positive().default(5),
    retention: z
      .object({
        /** Prompt, response and result bodies. */
        bodies_days: z.number().int().positive().default(365),
        /** The question, semantic query and SQL. */
        queries_days: z.number().int().positive().default(2190),
        /** Everything else (who, when, what was touched): HIPAA keeps documentation six years. */
        metadata_days: z.number().int().positive().default(2190),
      })
      .strict()
      .prefault({}),
    /** While on, retention purges nothing. */
    legal_hold: z.boolean().default(false),
    /** A request whose audit record cannot be written fails (503) and returns nothing. */
    fail_closed: z.boolean().default(true),
  })
  .strict();

export type AuditConfig = z.infer<typeof auditConfigSchema>;
