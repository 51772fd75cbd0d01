/** Thresholds of one endpoint's breaker (analyst.yaml → incident.endpoint_health). */
export interface BreakerThresholds {
  /** Calls remembered. */
  window: number;
  /** Fewest calls in the window before the breaker may open. */
  minCalls: number;
  /** Share of failed calls that opens it. */
  errorRate: number;
  /** A call slower than this counts as slow. */
  latencyMs: number;
  /** Share of slow calls that opens it. */
  slowRate: number;
  /** How long it stays open before one trial call is let through. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What the window looked like when the state changed. */
export interface BreakerStats {
  calls: number;
  errors: number;
  slow: number;
  errorRate: number;
  slowRate: number;
}

/** A change of state and why. */
export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  reason: string;
  stats: BreakerStats;
}

/**
 * A circuit breaker over a sliding window of calls. Closed: calls go through and are counted;
 * past the error-rate or slow-call-rate threshold it opens. Open: calls are refused (the agent
 * falls back to the offline planner) until the cooldown passes; then one trial call goes
 * through (half-open) and its outcome closes or re-opens it.
 *
 * @example
 * const b = new CircuitBreaker(thresholds);
 * if (b.tryAcquire()) { const t = b.record({ ok: false, latencyMs: 120 }); if (t?.to === 'open') page(t); }
 */
export class CircuitBreaker {
  private outcomes: { ok: boolean; slow: boolean }[] = [];
  private current: BreakerState = 'closed';
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly t: BreakerThresholds,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go out now. In half-open, only one trial at a time. */
  tryAcquire(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.t.cooldownMs) return false;
      this.current = 'half-open';
      this.trialInFlight = false;
    }
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Count a finished call; returns the transition when the state changed. */
  record(outcome: { ok: boolean; latencyMs: number }): BreakerTransition | null {
    const slow = outcome.latencyMs > this.t.latencyMs;
    if (this.current === 'half-open') {
      this.trialInFlight = false;
      if (outcome.ok && !slow) {
        this.outcomes = [];
        return this.move('closed', 'a trial call succeeded after the cooldown');
      }
      this.openedAt = this.now();
      return this.move('open', outcome.ok ? 'the trial call was slow' : 'the trial call failed');
    }
    if (this.current === 'open') return null;
    this.outcomes.push({ ok: outcome.ok, slow });
    if (this.outcomes.length > this.t.window) this.outcomes.shift();
    const s = this.stats();
    if (s.calls < this.t.minCalls) return null;
    if (s.errorRate >= this.t.errorRate) return this.open(`${s.errors} of the last ${s.calls} calls failed`);
    if (s.slowRate >= this.t.slowRate)
      return this.open(`${s.slow} of the last ${s.calls} calls took longer than ${this.t.latencyMs} ms`);
    return null;
  }

  /** The window as it stands. */
  stats(): BreakerStats {
    const calls = this.outcomes.length;
    const errors = this.outcomes.filter((o) => !o.ok).length;
    const slow = this.outcomes.filter((o) => o.slow).length;
    return { calls, errors, slow, errorRate: calls ? errors / calls : 0, slowRate: calls ? slow / calls : 0 };
  }

  private open(reason: string): BreakerTransition {
    this.openedAt = this.now();
    return this.move('open', reason);
  }

  private move(to: BreakerState, reason: string): BreakerTransition {
    const from = this.current;
    this.current = to;
    return { from, to, reason, stats: this.stats() };
  }
}
