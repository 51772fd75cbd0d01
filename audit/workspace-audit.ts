import { resolveSecret, type Workspace } from '../workspace/index.ts';
import type { AuditLogConfig } from './config.ts';

/**
 * The audit log configuration analyst.yaml describes: SQLite at `audit.path` or the PostgreSQL
 * URL in `audit.store`, the signing key in keys/, bodies under the workspace key.
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
    signingKeyPath: ws.path(a.signing_key),
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
