import { KEY_FINGERPRINT, resolveSecret, type Workspace } from '../workspace/index.ts';
import type { AuditLogConfig } from './config.ts';
import { AuditError } from './errors.ts';

/**
 * The audit log configuration analyst.yaml describes: SQLite at `audit.path` or the PostgreSQL
 * URL in `audit.store`, the signing key in keys/ (or from a KMS command) and its pinned
 * fingerprint, the anchor files, bodies under the workspace key.
 *
 * @example const log = await AuditLog.open(auditLogConfig(ws));
 */
export function auditLogConfig(ws: Workspace, overrides: Partial<AuditLogConfig> = {}): AuditLogConfig {
  const a = ws.config.audit;
  return {
    store:
      a.store === 'workspace'
        ? { kind: 'sqlite', path: ws.path(a.path) }
        : { kind: 'postgres', url: resolveSecret(a.store, ws.dir), schema: a.schema },
    ...signingKeyConfig(ws),
    ...(a.signing_key_fingerprint
      ? { keyFingerprint: pinnedFingerprint(a.signing_key_fingerprint, ws) }
      : {}),
    anchors: a.anchors.map((x) => ({ kind: 'file' as const, path: ws.path(x.file) })),
    key: ws.keyProvider(),
    checkpointEvery: a.checkpoint_every,
    checkpointMinutes: a.checkpoint_minutes,
    retention: {
      bodiesDays: a.retention.bodies_days,
      queriesDays: a.retention.queries_days,
      metadataDays: a.retention.metadata_days,
    },
    legalHold: a.legal_hold,
    failClosed: a.fail_closed,
    ...overrides,
  };
}

/** A key file (created on first use) or, for `{ source: env | command }`, a provider. */
function signingKeyConfig(ws: Workspace): Pick<AuditLogConfig, 'signingKeyPath' | 'signingKey'> {
  const k = ws.config.audit.signing_key;
  if (typeof k === 'string') return { signingKeyPath: ws.path(k) };
  if (k.source === 'file') return { signingKeyPath: ws.path(k.path) };
  const signingKey = ws.keyProviderFor(k, 'audit signing key');
  return { signingKeyPath: signingKey.description, signingKey };
}

/** The pinned fingerprint, read from its trust file or variable when it is a reference. */
function pinnedFingerprint(value: string, ws: Workspace): string {
  const pin = resolveSecret(value, ws.dir).trim();
  if (!KEY_FINGERPRINT.test(pin))
    throw new AuditError(
      'AUDIT_CONFIG_INVALID',
      `audit.signing_key_fingerprint (${value}) does not hold a key fingerprint: expected sha256: and 64 hex digits.`,
    );
  return pin;
}
