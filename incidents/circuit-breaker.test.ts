import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

const thresholds = {
  window: 10,
  minCalls: 4,
  errorRate: 0.5,
  latencyMs: 1000,
  slowRate: 0.5,
  cooldownMs: 60_000,
};

function breaker() {
  let now = 0;
  const b = new CircuitBreaker(thresholds, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed below the minimum number of calls, then opens on the error rate', () => {
    const { b } = breaker();
    expect(b.record({ ok: false, latencyMs: 10 })).toBeNull();
    expect(b.record({ ok: false, latencyMs: 10 })).toBeNull();
    expect(b.record({ ok: true, latencyMs: 10 })).toBeNull();
    const t = b.record({ ok: false, latencyMs: 10 });
    expect(t).toMatchObject({ from: 'closed', to: 'open', stats: { calls: 4, errors: 3 } });
    expect(t?.reason).toBe('3 of the last 4 calls failed');
    expect(b.tryAcquire()).toBe(false);
  });

  it('opens on the share of slow calls even when they succeed', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) b.record({ ok: true, latencyMs: 10 });
    for (let i = 0; i < 2; i++) b.record({ ok: true, latencyMs: 5000 });
    expect(b.state).toBe('closed');
    const t = b.record({ ok: true, latencyMs: 5000 });
    expect(t?.to).toBe('open');
    expect(t?.reason).toMatch(/3 of the last 6 calls took longer than 1000 ms/);
  });

  it('forgets calls that slid out of the window', () => {
    const { b } = breaker();
    for (let i = 0; i < 10; i++) b.record({ ok: true, latencyMs: 1 });
    for (let i = 0; i < 4; i++) b.record({ ok: false, latencyMs: 1 });
    expect(b.state).toBe('closed');
    expect(b.stats()).toMatchObject({ calls: 10, errors: 4 });
    expect(b.record({ ok: false, latencyMs: 1 })?.to).toBe('open');
  });

  it('lets one trial through after the cooldown; success closes, failure re-opens', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 4; i++) b.record({ ok: false, latencyMs: 1 });
    advance(59_999);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.tryAcquire()).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(false);
    expect(b.record({ ok: false, latencyMs: 1 })).toMatchObject({ from: 'half-open', to: 'open' });
    expect(b.tryAcquire()).toBe(false);
    advance(60_000);
    expect(b.tryAcquire()).toBe(true);
    expect(b.record({ ok: true, latencyMs: 1 })).toMatchObject({ from: 'half-open', to: 'closed' });
    expect(b.tryAcquire()).toBe(true);
    expect(b.stats().calls).toBe(0);
  });
});
