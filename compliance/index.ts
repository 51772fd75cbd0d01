/**
 * The compliance doctor (`analyst doctor`, `GET /v1/compliance`): six obligations checked against
 * the workspace's configuration, the audit trail and the semantic model's access policies, each
 * with evidence and gaps. Imports audit/, incidents/ and workspace/.
 */
export { readCubeAccess } from './cube-policies.ts';
export { runDoctor, workspaceDoctorInputs } from './doctor.ts';
export { residency } from './obligations/residency.ts';
export type { AuditStatus, CubeAccess, DoctorCheck, DoctorInputs, DoctorReport } from './types.ts';
