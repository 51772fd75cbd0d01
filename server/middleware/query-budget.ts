/**
 * A per-key budget of query time: `msPerMinute` of slot time per minute, refilled continuously
 * (a token bucket whose tokens are milliseconds). Time is charged after the work, so one long
 * query may overdraw the balance; the key then waits until it is positive again.
 *
 * @example
 * const budget = new QueryBudget({ msPerMinute: 60_000 });
 * const wait = budget.retryAfterMs('user:alice'); // 0: go ahead
 * budget.charge('user:alice', 1234);
 */
export class QueryBudget {
  readonly #msPerMinute: number;
  readonly #now: () => number;
  readonly #balances = new Map<string, { ms: number; at: number }>();

  constructor(options: { msPerMinute: number; now?: () => number }) {
    this.#msPerMinute = options.msPerMinute;
    this.#now = options.now ?? Date.now;
  }

  /** 0 when `key` may start a query now, else how long until its balance is positive again. */
  retryAfterMs(key: string): number {
    const b = this.#refill(key);
    return b.ms > 0 ? 0 : Math.ceil(((1 - b.ms) * 60_000) / this.#msPerMinute);
  }

  /** Charge `ms` of query time to `key`. */
  charge(key: string, ms: number): void {
    const b = this.#refill(key);
    b.ms -= ms;
    // A full bucket is the default: forget it, so idle callers cost no memory.
    if (b.ms >= this.#msPerMinute) this.#balances.delete(key);
    else this.#balances.set(key, b);
  }

  #refill(key: string): { ms: number; at: number } {
    const t = this.#now();
    const b = this.#balances.get(key) ?? { ms: this.#msPerMinute, at: t };
    b.ms = Math.min(this.#msPerMinute, b.ms + ((t - b.at) / 60_000) * this.#msPerMinute);
    b.at = t;
    return b;
  }
}
