/**
 * The incident path: the model endpoint's circuit breaker and monitor, the pager webhook, incident
 * records in the audit trail, and break-glass (time-limited emergency access). Imports audit/ and
 * workspace/; the compliance doctor reads its state.
 */
export {
  BreakGlass,
  type BreakGlassGrant,
  type BreakGlassOptions,
  type BreakGlassRequest,
} from './break-glass.ts';
export {
  type BreakerState,
  type BreakerThresholds,
  type BreakerTransition,
  CircuitBreaker,
} from './circuit-breaker.ts';
export { EndpointMonitor, thresholdsFromConfig } from './endpoint-monitor.ts';
export { IncidentError, type IncidentErrorCode } from './errors.ts';
export {
  type Incident,
  type IncidentOutcome,
  IncidentReporter,
  type IncidentReporterOptions,
} from './incident-reporter.ts';
export { type Delivery, type PagerPayload, PagerWebhook } from './pager-webhook.ts';
export type { EndpointHealthState } from './types.ts';
export { createIncidentPath, type IncidentPath } from './workspace-incidents.ts';
