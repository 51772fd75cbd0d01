/**
 * Automatic logoff: a session unused for longer than the idle timeout is refused until the user
 * signs in again. Kept per process; with several replicas, each enforces it for what it sees
 * (a stricter, shared store can replace this class behind the same two methods).
 */
export class SessionTracker {
  readonly #lastSeen = new Map<string, number>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record use; false when the session had been idle past the timeout (it stays logged off). */
  touch(sessionId: string): boolean {
    const t = this.now();
    const last = this.#lastSeen.get(sessionId);
    if (last !== undefined && t - last > this.idleMs) return false;
    this.#lastSeen.set(sessionId, t);
    if (this.#lastSeen.size > 50_000) this.#sweep(t);
    return true;
  }

  #sweep(t: number): void {
    for (const [id, last] of this.#lastSeen) if (t - last > this.idleMs * 4) this.#lastSeen.delete(id);
  }
}
