/** What `FairSlots.acquire` resolves to: call it once when the work is done. */
export type ReleaseSlot = () => void;

/** Why a caller did not get a slot: it waited `waitMs` in vain, its own queue was full, or it left. */
export class SlotUnavailable extends Error {
  constructor(readonly reason: 'wait' | 'queue-full' | 'aborted') {
    super(`no query slot (${reason})`);
    this.name = 'SlotUnavailable';
  }
}

interface Waiter {
  cap: number;
  grant: (release: ReleaseSlot) => void;
}

/**
 * Query slots shared fairly between callers: at most `max` in use at once, at most `cap` per key
 * (an identity, an embed token), and when all are taken a caller waits in its key's queue. A
 * freed slot goes round-robin to the next key that has a waiter and is under its cap, so one
 * key's many queued requests cannot starve another key's single one. A wait is bounded
 * (`waitMs`), and so is each key's queue (`maxQueuedPerKey`).
 *
 * @example
 * const slots = new FairSlots({ max: 8, maxQueuedPerKey: 16 });
 * const release = await slots.acquire('user:alice', { cap: 2, waitMs: 10_000 });
 * try { await runQuery(); } finally { release(); }
 */
export class FairSlots {
  readonly #max: number;
  readonly #maxQueuedPerKey: number;
  #running = 0;
  readonly #runningByKey = new Map<string, number>();
  /** Keys with waiters, in round-robin order (a key joins at the back when its queue starts). */
  readonly #queues = new Map<string, Waiter[]>();

  constructor(options: { max: number; maxQueuedPerKey: number }) {
    this.#max = options.max;
    this.#maxQueuedPerKey = options.maxQueuedPerKey;
  }

  /** Slots in use now, in all and for one key. */
  inUse(key?: string): number {
    return key === undefined ? this.#running : (this.#runningByKey.get(key) ?? 0);
  }

  /** Callers waiting now, in all or for one key. */
  waiting(key?: string): number {
    if (key !== undefined) return this.#queues.get(key)?.length ?? 0;
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** A slot for `key`, at once if one is free for it, else after a fair wait of at most `waitMs`. */
  acquire(key: string, options: { cap: number; waitMs: number; signal?: AbortSignal }): Promise<ReleaseSlot> {
    const { cap, waitMs, signal } = options;
    if (signal?.aborted) return Promise.reject(new SlotUnavailable('aborted'));
    const queue = this.#queues.get(key);
    // Only when nobody of this key is already waiting: a newcomer does not overtake its own queue.
    if (!queue && this.#running < this.#max && this.inUse(key) < cap) return Promise.resolve(this.#take(key));
    if ((queue?.length ?? 0) >= this.#maxQueuedPerKey)
      return Promise.reject(new SlotUnavailable('queue-full'));
    if (waitMs <= 0) return Promise.reject(new SlotUnavailable('wait'));
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const leave = (reason: 'wait' | 'aborted') => {
        const q = this.#queues.get(key);
        const i = q?.indexOf(waiter) ?? -1;
        if (q && i >= 0) {
          q.splice(i, 1);
          if (q.length === 0) this.#queues.delete(key);
        }
        reject(new SlotUnavailable(reason));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        leave('wait');
      }, waitMs);
      const onAbort = () => {
        clearTimeout(timer);
        leave('aborted');
      };
      const waiter: Waiter = {
        cap,
        grant: (release) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const q = this.#queues.get(key);
      if (q) q.push(waiter);
      else this.#queues.set(key, [waiter]);
    });
  }

  #take(key: string): ReleaseSlot {
    this.#running++;
    this.#runningByKey.set(key, this.inUse(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      const n = this.inUse(key) - 1;
      if (n > 0) this.#runningByKey.set(key, n);
      else this.#runningByKey.delete(key);
      this.#dispatch();
    };
  }

  /** Hand free slots to waiting keys in turn: the first eligible key is served, then moves to the back. */
  #dispatch(): void {
    while (this.#running < this.#max) {
      let served = false;
      for (const [key, q] of this.#queues) {
        const first = q[0];
        if (!first || this.inUse(key) >= first.cap) continue;
        q.shift();
        this.#queues.delete(key);
        if (q.length > 0) this.#queues.set(key, q); // to the back of the round
        first.grant(this.#take(key));
        served = true;
        break;
      }
      if (!served) return;
    }
  }
}
