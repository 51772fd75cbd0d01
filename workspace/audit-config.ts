import { z } from 'zod';
import { keySourceSchema } from './key-source.ts';

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const SECRET_REF = /^\$\{(env|file):[^}]+\}$/;
/** `sha256:` and the hex SHA-256 of the Ed25519 public key (SPKI DER). */
export const KEY_FINGERPRINT = /^sha256:[0-9a-f]{64}$/;
/** Where `analyst init` anchors the audit log's signed heads; move it out of the workspace. */
export const DEFAULT_ANCHOR_FILE = 'audit/anchors.log';

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
    /**
     * Ed25519 private key (PKCS#8 PEM) that signs checkpoints: a path (mode 0600, created when
     * missing and nothing was signed yet) or, like `lake.key`, `{ source: env | command | file }`
     * for a key held by a KMS or a key broker.
     */
    signing_key: z.union([z.string().min(1), keySourceSchema]).default('keys/audit-signing.key'),
    /**
     * The signing key's pinned fingerprint (`sha256:<hex>`, written by `analyst init`), or a
     * `${file:…}` / `${env:…}` reference to a trust file holding it outside the workspace.
     * The log refuses to open (and verify fails) under any other key.
     */
    signing_key_fingerprint: z
      .string()
      .refine((s) => KEY_FINGERPRINT.test(s) || SECRET_REF.test(s), {
        message: `sha256:<64 hex digits>, or \${env:NAME} / \${file:path} holding one`,
      })
      .optional(),
    /**
     * Places outside the audit store where every checkpoint's signed head is also written, so a
     * store rolled back to an earlier copy is found by verify. Files are opened append-only; put
     * them where the store's administrator cannot rewrite them (another host's mount, a file with
     * `chattr +a`).
     */
    anchors: z.array(z.object({ file: z.string().min(1) }).strict()).default([{ file: DEFAULT_ANCHOR_FILE }]),
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
