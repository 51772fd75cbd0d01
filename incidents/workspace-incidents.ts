import type { AuditLog } from '../audit/index.ts';
import { resolveSecret, type Workspace } from '../workspace/index.ts';
import { BreakGlass } from './break-glass.ts';
import { EndpointMonitor, thresholdsFromConfig } from './endpoint-monitor.ts';
import { IncidentReporter } from './incident-reporter.ts';
import { PagerWebhook } from './pager-webhook.ts';

/** The incident path a workspace describes, wired to its audit log. */
export interface IncidentPath {
  reporter: IncidentReporter;
  /** Null when incident.endpoint_health.watch is off. */
  monitor: EndpointMonitor | null;
  breakGlass: BreakGlass;
  /** What a grant adds when it names no roles (analyst.yaml → incident.break_glass.roles). */
  breakGlassRoles: string[];
}

/**
 * Build the reporter (audit + pager webhook from analyst.yaml → incident), the endpoint monitor
 * and break-glass for a workspace. The server and agent call this once at start.
 *
 * @example const { monitor, breakGlass } = createIncidentPath(ws, auditLog);
 */
export function createIncidentPath(
  ws: Workspace,
  audit: AuditLog,
  options: { cacheMs?: number } = {},
): IncidentPath {
  const inc = ws.config.incident;
  const reporter = new IncidentReporter({
    audit,
    webhook: inc.webhook ? new PagerWebhook(resolveSecret(inc.webhook, ws.dir)) : null,
    deployment: ws.config.name,
    onCall: inc.on_call,
    notify: inc.notify,
  });
  return {
    reporter,
    breakGlassRoles: inc.break_glass.roles,
    monitor: inc.endpoint_health.watch ? new EndpointMonitor(thresholdsFromConfig(inc), reporter) : null,
    breakGlass: new BreakGlass({
      audit,
      reporter,
      maxMinutes: inc.break_glass.max_minutes,
      cacheMs: options.cacheMs,
    }),
  };
}
