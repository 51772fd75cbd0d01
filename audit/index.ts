/**
 * The audit trail: the tamper-evident, encrypted audit log, its stores, verification, export and
 * retention. The compliance doctor (compliance/) and the incident path (incidents/) build on it;
 * it imports only core/, lakehouse/ and workspace/.
 */
export type { AnchorConfig } from './anchors.ts';
export type { AppendReceipt } from './append-plan.ts';
export { type AuditFilter, AuditLog, type AuditPage } from './audit-log.ts';
export { canonicalJson } from './canonical.ts';
export {
  type AuditLogConfig,
  type AuditStoreConfig,
  DEFAULT_RETENTION,
  type RetentionPolicy,
} from './config.ts';
export { AUDIT_UNAVAILABLE, AuditError, type AuditErrorCode } from './errors.ts';
export { CSV_COLUMNS, type ExportFormat } from './export.ts';
export {
  AUDIT_EVENT_TYPES,
  AUDIT_OUTCOMES,
  type AuditEventType,
  type AuditOutcome,
  type AuditRecord,
  type AuditRecordInput,
  BODY_FIELDS,
  type BodyField,
  type TouchedRelation,
} from './record.ts';
export type { RetentionReport } from './retention.ts';
export type { VerifyProblem } from './types.ts';
export type { VerifyReport } from './verify.ts';
export type { AnchorSummary } from './verify-anchors.ts';
export { auditLogConfig } from './workspace-audit.ts';
