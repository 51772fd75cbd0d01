import { AuditLog, auditLogConfig } from '../audit/index.ts';
import { type BreakGlassGrant, createIncidentPath } from '../incidents/index.ts';
import type { Workspace } from '../workspace/index.ts';

/**
 * Grant break-glass from the command line: the workspace's audit trail records the grant (reason
 * encrypted) before it exists, the on-call webhook is paged, and a running server applies it to
 * the user's next request. Roles default to analyst.yaml → incident.break_glass.roles.
 *
 * @example const grant = await grantBreakGlass(ws, { userId: 'dr-lee', reason: 'Unconscious patient in ED', minutes: 30, grantedBy: 'cli' });
 */
export async function grantBreakGlass(
  ws: Workspace,
  request: { userId: string; reason: string; minutes: number; roles?: string[]; grantedBy: string },
): Promise<Omit<BreakGlassGrant, 'reason'>> {
  const audit = await AuditLog.open(auditLogConfig(ws));
  try {
    const incidents = createIncidentPath(ws, audit);
    const { reason: _reason, ...grant } = await incidents.breakGlass.elevate({
      userId: request.userId,
      roles: request.roles?.length ? request.roles : incidents.breakGlassRoles,
      reason: request.reason,
      minutes: request.minutes,
      grantedBy: request.grantedBy,
    });
    return grant;
  } finally {
    await audit.close();
  }
}
