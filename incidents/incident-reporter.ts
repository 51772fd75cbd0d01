import type { AuditLog } from '../audit/index.ts';
import type { Delivery, PagerPayload, PagerWebhook } from './pager-webhook.ts';

/** An incident to record and page. `details` must hold no PHI: it goes to the pager as is. */
export interface Incident {
  kind: string;
  severity: PagerPayload['severity'];
  summary: string;
  endpoint?: string;
  details?: Record<string, unknown>;
}

/** What happened to an incident: its audit record and the page. */
export interface IncidentOutcome {
  auditId: string | null;
  auditError?: string;
  delivery: Delivery | null;
}

export interface IncidentReporterOptions {
  audit: Pick<AuditLog, 'append'> | null;
  webhook: PagerWebhook | null;
  deployment: string;
  onCall?: string | undefined;
  notify?: string[];
  now?: () => Date;
}

/**
 * Records an incident in the audit log and pages the on-call webhook. The page goes out even when
 * the audit log is down: the incident path must not depend on the thing that may have failed.
 *
 * @example
 * const reporter = new IncidentReporter({ audit: log, webhook, deployment: 'prod', onCall: 'oncall@x' });
 * await reporter.raise({ kind: 'endpoint_circuit_open', severity: 'critical', summary: '…', endpoint: 'claude' });
 */
export class IncidentReporter {
  constructor(private readonly o: IncidentReporterOptions) {}

  async raise(incident: Incident, type: PagerPayload['type'] = 'incident'): Promise<IncidentOutcome> {
    let auditId: string | null = null;
    let auditError: string | undefined;
    if (this.o.audit && type === 'incident') {
      try {
        auditId = (
          await this.o.audit.append({
            type: 'incident',
            outcome: incident.severity === 'info' ? 'ok' : 'error',
            route: `incident ${incident.kind}`,
            ...(incident.endpoint ? { endpoint: incident.endpoint } : {}),
            details: {
              kind: incident.kind,
              severity: incident.severity,
              summary: incident.summary,
              ...incident.details,
            },
          })
        ).id;
      } catch (err) {
        auditError = err instanceof Error ? err.message : String(err);
      }
    }
    const delivery = await this.page(incident, type, auditId);
    return { auditId, ...(auditError ? { auditError } : {}), delivery };
  }

  /** Page without writing an incident record (the caller already audited the event). */
  async page(
    incident: Incident,
    type: PagerPayload['type'],
    auditId: string | null,
  ): Promise<Delivery | null> {
    if (!this.o.webhook) return null;
    return this.o.webhook.post({
      type,
      kind: incident.kind,
      severity: incident.severity,
      summary: incident.summary,
      at: (this.o.now ?? (() => new Date()))().toISOString(),
      deployment: this.o.deployment,
      on_call: this.o.onCall ?? null,
      notify: this.o.notify ?? [],
      ...(incident.endpoint ? { endpoint: incident.endpoint } : {}),
      audit_id: auditId,
      details: incident.details ?? {},
    });
  }
}
