import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAnalystError } from '../core/index.ts';
import type { Gate } from './index.ts';
import { type Attack, engineAttacks } from './testing/attacks-engine.ts';
import { inferenceAttacks } from './testing/attacks-inference.ts';
import { type FixtureVariant, gateFixture, type TestCtx } from './testing/fixture.ts';
import { findLeaks, type LeakRules, loadLeakRules } from './testing/leaks.ts';

// Every attack runs as a clinician of orgA and as the analyst, on the base lake and on that
// caller's twin — a lake that differs only in what the caller may not see. Each must be refused,
// or fail or answer without leaking: no forbidden value in the rows or the message, and the same
// outcome on base and twin (so nothing the caller cannot see changes what they get, not even
// whether an error happens).

const attacks: Attack[] = [...engineAttacks, ...inferenceAttacks];
const RUNAWAY_TIMEOUT_MS = 400;

type Outcome =
  | { status: 'ok'; columns: unknown; rows: string[]; truncated: boolean }
  | { status: 'refused' | 'failed' | 'timeout'; message: string; exitCode: number };

const gates = new Map<FixtureVariant, Gate<TestCtx>>();
const cleanups: Array<() => Promise<void>> = [];
let rules: LeakRules;
const tally = new Map<string, number>();

beforeAll(async () => {
  const variants: FixtureVariant[] = ['base', 'clinicianTwin', 'analystTwin'];
  const fixtures = await Promise.all(variants.map((v) => gateFixture(v)));
  fixtures.forEach((f, i) => {
    gates.set(variants[i] as FixtureVariant, f.gate);
    cleanups.push(f.cleanup);
  });
  rules = await loadLeakRules(fixtures[0]!.lake);
});
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
  console.info('attack corpus outcomes:', Object.fromEntries([...tally].sort()));
});

async function run(variant: FixtureVariant, attack: Attack, ctx: TestCtx): Promise<Outcome> {
  const gate = gates.get(variant)!;
  const limits = attack.runaway ? { timeoutMs: RUNAWAY_TIMEOUT_MS } : {};
  try {
    const r = await gate.governedSql(attack.sql, ctx, limits);
    // Row order is only meaningful with ORDER BY; compare as multisets.
    const rows = r.rows.map((row) => JSON.stringify(row)).sort();
    return { status: 'ok', columns: r.columns, rows, truncated: r.truncated };
  } catch (err) {
    if (!isAnalystError(err)) throw err;
    const status = err.code === 'SQL_REFUSED' ? 'refused' : err.code === 'SQL_TIMEOUT' ? 'timeout' : 'failed';
    expect(['SQL_REFUSED', 'SQL_FAILED', 'SQL_TIMEOUT']).toContain(err.code);
    return { status, message: err.message, exitCode: err.exitCode };
  }
}

const callers: Array<[string, TestCtx, FixtureVariant]> = [
  ['clinician of orgA', { role: 'clinician', org: 'orgA' }, 'clinicianTwin'],
  ['analyst', { role: 'analyst' }, 'analystTwin'],
];

it('holds at least 200 attack statements', () => {
  expect(attacks.length).toBeGreaterThanOrEqual(200);
  expect(new Set(attacks.map((a) => a.sql)).size).toBe(attacks.length);
});

describe.each(callers)('as %s', (_who, ctx, twin) => {
  it.each(attacks.map((a) => [`${a.category}: ${a.sql}`, a] as const))('%s', async (_name, attack) => {
    const base = await run('base', attack, ctx);
    tally.set(base.status, (tally.get(base.status) ?? 0) + 1);
    if (attack.expect === 'refused') {
      expect(base.status).toBe('refused');
    }
    if (base.status === 'refused') {
      expect(base.message.length).toBeGreaterThan(10);
      expect(base).toMatchObject({ exitCode: 3 });
    }
    if (base.status === 'ok') {
      expect(
        findLeaks(
          rules,
          ctx,
          base.rows.map((r) => JSON.parse(r) as unknown),
        ),
      ).toEqual([]);
    } else {
      expect(findLeaks(rules, ctx, base.message, attack.sql)).toEqual([]);
    }
    if (attack.runaway) {
      // It ended: by the timeout, by the row cap, by a sanitised engine error, or with a small answer.
      if (base.status === 'ok' && base.rows.length >= 1000) expect(base.truncated).toBe(true);
      return;
    }
    expect(base.status, 'only runaway statements may time out').not.toBe('timeout');
    if (!attack.volatile) {
      // Non-interference: what the caller cannot see does not change what they get.
      expect(await run(twin, attack, ctx)).toEqual(base);
    }
  });
});
