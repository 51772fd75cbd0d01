import { describe, expect, it } from 'vitest';
import { FairSlots, SlotUnavailable } from './fair-slots.ts';
import { QueryBudget } from './query-budget.ts';

describe('FairSlots', () => {
  it('caps one key below the global cap, so another key still gets a slot at once', async () => {
    const slots = new FairSlots({ max: 4, maxQueuedPerKey: 16 });
    const a1 = await slots.acquire('a', { cap: 2, waitMs: 0 });
    await slots.acquire('a', { cap: 2, waitMs: 0 });
    await expect(slots.acquire('a', { cap: 2, waitMs: 0 })).rejects.toBeInstanceOf(SlotUnavailable);
    await slots.acquire('b', { cap: 2, waitMs: 0 });
    expect(slots.inUse()).toBe(3);
    expect(slots.inUse('a')).toBe(2);
    a1();
    a1(); // releasing twice frees one slot only
    expect(slots.inUse('a')).toBe(1);
  });

  it('hands freed slots round-robin: a key with one waiter is served before another key’s long queue', async () => {
    const slots = new FairSlots({ max: 2, maxQueuedPerKey: 16 });
    const held = [
      await slots.acquire('a', { cap: 2, waitMs: 0 }),
      await slots.acquire('a', { cap: 2, waitMs: 0 }),
    ];
    const order: string[] = [];
    const waitFor = (key: string) =>
      slots.acquire(key, { cap: 2, waitMs: 60_000 }).then((release) => {
        order.push(key);
        return release;
      });
    const first = waitFor('a');
    const later = [waitFor('a'), waitFor('a')];
    const other = waitFor('b');
    expect(slots.waiting()).toBe(4);
    held[0]?.();
    held[1]?.();
    const releases = await Promise.all([first, other]);
    // 'a' queued first and gets the first slot; 'b' gets the next, ahead of a's two later requests.
    expect(order).toEqual(['a', 'b']);
    expect(slots.waiting('a')).toBe(2);
    for (const r of releases) r();
    await Promise.all(later);
    expect(order).toEqual(['a', 'b', 'a', 'a']);
  });

  it('bounds the wait and the queue, and lets a caller who left drop out', async () => {
    const slots = new FairSlots({ max: 1, maxQueuedPerKey: 1 });
    await slots.acquire('a', { cap: 1, waitMs: 0 });
    await expect(slots.acquire('b', { cap: 1, waitMs: 20 })).rejects.toMatchObject({ reason: 'wait' });
    const gone = new AbortController();
    const leaving = slots.acquire('b', { cap: 1, waitMs: 60_000, signal: gone.signal });
    await expect(slots.acquire('b', { cap: 1, waitMs: 60_000 })).rejects.toMatchObject({
      reason: 'queue-full',
    });
    gone.abort();
    await expect(leaving).rejects.toMatchObject({ reason: 'aborted' });
    expect(slots.waiting()).toBe(0);
  });
});

describe('QueryBudget', () => {
  it('refuses a key that spent its minute until the time is earned back, and only that key', () => {
    let now = 0;
    const budget = new QueryBudget({ msPerMinute: 10_000, now: () => now });
    expect(budget.retryAfterMs('a')).toBe(0);
    budget.charge('a', 25_000); // one long query overdraws: -15 s
    expect(budget.retryAfterMs('a')).toBeGreaterThan(60_000);
    expect(budget.retryAfterMs('b')).toBe(0);
    now += 91_000; // 15.2 s earned back
    expect(budget.retryAfterMs('a')).toBe(0);
  });
});
