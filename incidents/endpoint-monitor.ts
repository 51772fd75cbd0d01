import type { IncidentConfig } from '../workspace/index.ts';
import { type BreakerThresholds, type BreakerTransition, CircuitBreaker } from './circuit-breaker.ts';
import { IncidentError } from './errors.ts';
import type { IncidentOutcome, IncidentReporter } from './incident-reporter.ts';
import type { EndpointHealthState } from './types.ts';

/**
 * Watches every model endpoint's health with its own circuit breaker. When one opens, an incident
 * is recorded and paged; when it recovers, that is recorded and paged too. `run` refuses calls to
 * an open endpoint with ENDPOINT_CIRCUIT_OPEN, which the agent answers with the offline planner
 * where policy allows.
 *
 * @example
 * const monitor = new EndpointMonitor(thresholdsFromConfig(ws.config.incident), reporter);
 * const answer = await monitor.run('claude', () => model.invoke(messages));
 */
export class EndpointMonitor {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private pending: Promise<unknown>[] = [];

  constructor(
    private readonly thresholds: BreakerThresholds,
    private readonly reporter: IncidentReporter | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Call the endpoint through its breaker, timing and counting the call. */
  async run<T>(endpoint: string, call: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(endpoint);
    if (!breaker.tryAcquire()) {
      throw new IncidentError(
        'ENDPOINT_CIRCUIT_OPEN',
        `The model endpoint ${endpoint} is unhealthy (circuit open); try again later or use the offline planner.`,
      );
    }
    const started = performance.now();
    try {
      const result = await call();
      this.record(endpoint, { ok: true, latencyMs: performance.now() - started });
      return result;
    } catch (err) {
      this.record(endpoint, { ok: false, latencyMs: performance.now() - started });
      throw err;
    }
  }

  /** Count a call made elsewhere (streaming responses finish outside `run`). */
  record(endpoint: string, outcome: { ok: boolean; latencyMs: number }): void {
    const t = this.breaker(endpoint).record(outcome);
    if (t) this.notify(endpoint, t);
  }

  /** Each watched endpoint's state, for the doctor and health routes. */
  states(): EndpointHealthState[] {
    return [...this.breakers].map(([endpoint, b]) => ({ endpoint, state: b.state }));
  }

  /** Wait until every incident raised so far is recorded and paged. */
  async settled(): Promise<IncidentOutcome[]> {
    const all = this.pending;
    this.pending = [];
    return (await Promise.all(all)) as IncidentOutcome[];
  }

  private breaker(endpoint: string): CircuitBreaker {
    let b = this.breakers.get(endpoint);
    if (!b) {
      b = new CircuitBreaker(this.thresholds, this.now);
      this.breakers.set(endpoint, b);
    }
    return b;
  }

  private notify(endpoint: string, t: BreakerTransition): void {
    if (!this.reporter || t.to === 'half-open') return;
    const opened = t.to === 'open';
    // Not awaited: the failing request must not wait for the pager.
    this.pending.push(
      this.reporter.raise({
        kind: opened ? 'endpoint_circuit_open' : 'endpoint_recovered',
        severity: opened ? 'critical' : 'info',
        summary: opened
          ? `Model endpoint ${endpoint} is unhealthy: ${t.reason}. Calls are refused; answers fall back to the offline planner.`
          : `Model endpoint ${endpoint} recovered: ${t.reason}.`,
        endpoint,
        details: { from: t.from, to: t.to, reason: t.reason, ...t.stats },
      }),
    );
  }
}

/** The breaker thresholds in analyst.yaml → incident.endpoint_health. */
export function thresholdsFromConfig(incident: IncidentConfig): BreakerThresholds {
  const h = incident.endpoint_health;
  return {
    window: h.window,
    minCalls: h.min_calls,
    errorRate: h.error_rate,
    latencyMs: h.latency_ms,
    slowRate: h.slow_rate,
    cooldownMs: h.cooldown_seconds * 1000,
  };
}
