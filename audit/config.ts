import type { KeyProvider } from '../lakehouse/index.ts';
import type { AnchorConfig } from './anchors.ts';
import type { AuditError } from './errors.ts';

/** Where the records go: SQLite in the workspace (default) or a PostgreSQL schema. */
export type AuditStoreConfig =
  | { kind: 'sqlite'; path: string; busyTimeoutMs?: number }
  | { kind: 'postgres'; url: string; schema: string };

/** Days each kind of data is kept. */
export interface RetentionPolicy {
  /** Prompt, response and result bodies. */
  bodiesDays: number;
  /** Question, semantic query and SQL. */
  queriesDays: number;
  /** The rest of each record; HIPAA's documentation retention is six years. */
  metadataDays: number;
}

/** Everything `AuditLog.open` needs; `auditLogConfig(ws)` builds it from analyst.yaml. */
export interface AuditLogConfig {
  store: AuditStoreConfig;
  /**
   * Ed25519 private key (PKCS#8 PEM, mode 0600); created when missing and nothing was signed yet.
   * Not read when `signingKey` is given.
   */
  signingKeyPath: string;
  /** The signing key (PEM) from a KMS, environment variable or command instead of the file. */
  signingKey?: KeyProvider;
  /** The pinned `sha256:` fingerprint: the log refuses to open under any other signing key. */
  keyFingerprint?: string;
  /** Where every checkpoint is also written, outside the store; verify fails when the store is behind. */
  anchors?: AnchorConfig[];
  /** The workspace key; bodies are encrypted under a key derived from it. */
  key: KeyProvider;
  checkpointEvery?: number;
  checkpointMinutes?: number;
  retention?: RetentionPolicy;
  legalHold?: boolean;
  /** On (default): `append` throws AUDIT_UNAVAILABLE when it cannot write. Off: it reports and resolves. */
  failClosed?: boolean;
  /** Names this process in the records it writes; default host:pid:random. */
  writerId?: string;
  /** The clock (tests move it to exercise retention). */
  clock?: () => Date;
  /** Told about a failed write when fail-closed is off. */
  onUnavailable?: (err: AuditError) => void;
  /** Most records per group commit. */
  maxBatch?: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { bodiesDays: 365, queriesDays: 2190, metadataDays: 2190 };
