/**
 * Audit trail and compliance controls: the tamper-evident audit log, retention, the compliance
 * doctor, endpoint health with incidents, and break-glass access. agent/ and server/ import this;
 * it imports only core/, lakehouse/ and workspace/.
 */
export type { AppendReceipt } from './append-plan.ts';
export { type AuditFilter, AuditLog, type AuditPage } from './audit-log.ts';
export { canonicalJson } from './canonical.ts';
export {
  type AuditLogConfig,
  type AuditStoreConfig,
  DEFAULT_RETENTION,
  type RetentionPolicy,
} from './config.ts';
export { readCubeAccess } from './doctor/cube-policies.ts';
export { runDoctor, workspaceDoctorInputs } from './doctor/doctor.ts';
export { residency } from './doctor/obligations/residency.ts';
export type {
  AuditStatus,
  CubeAccess,
  DoctorCheck,
  DoctorInputs,
  DoctorReport,
  EndpointHealthState,
} from './doctor/types.ts';
export { AUDIT_UNAVAILABLE, AuditError, type AuditErrorCode } from './errors.ts';
export { CSV_COLUMNS, type ExportFormat } from './export.ts';
export {
  BreakGlass,
  type BreakGlassGrant,
  type BreakGlassOptions,
  type BreakGlassRequest,
} from './incidents/break-glass.ts';
export {
  type BreakerState,
  type BreakerThresholds,
  type BreakerTransition,
  CircuitBreaker,
} from './incidents/circuit-breaker.ts';
export { EndpointMonitor, thresholdsFromConfig } from './incidents/endpoint-monitor.ts';
export {
  type Incident,
  type IncidentOutcome,
  IncidentReporter,
  type IncidentReporterOptions,
} from './incidents/incident-reporter.ts';
export { type Delivery, type PagerPayload, PagerWebhook } from './incidents/pager-webhook.ts';
export { createIncidentPath, type IncidentPath } from './incidents/workspace-incidents.ts';
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
export type { VerifyProblem, VerifyReport } from './verify.ts';
export { auditLogConfig } from './workspace-audit.ts';
