import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import { loadEnvironmentSpec, loadSuites } from './load-suites.ts';

const root = mkdtempSync(join(tmpdir(), 'evals-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string, suites: Record<string, string>): string {
  const d = join(root, name);
  mkdirSync(join(d, 'suites'), { recursive: true });
  for (const [file, text] of Object.entries(suites)) writeFileSync(join(d, 'suites', file), text);
  return d;
}

const ok = `suite: s
cases:
  - id: a-1
    category: accuracy
    question: how many patients?
    expect: { sql: "SELECT count(*) FROM patients" }
  - id: a-2
    category: rls
    as: clinician
    turns: ["how many visits?", "by year"]
    expect: { query: { measures: [encounters.count] }, gold_as: clinician }
`;

describe('loading suites', () => {
  it('reads suites with defaults, and only the ones asked for', async () => {
    const d = dir('ok', { 's.yaml': ok, 't.yaml': ok.replace(/a-/g, 'b-').replace('suite: s', 'suite: t') });
    const all = await loadSuites(d);
    expect(all.map((s) => s.suite)).toEqual(['s', 't']);
    expect(all[0]?.cases[0]).toMatchObject({
      as: 'analyst',
      tolerance: 0.001,
      tags: [],
      expect: { status: 'ok' },
    });
    expect((await loadSuites(d, ['t'])).map((s) => s.suite)).toEqual(['t']);
    expect(hasCode(await loadSuites(d, ['nope']).catch((e: unknown) => e), 'SUITE_NOT_FOUND')).toBe(true);
  });

  it('rejects duplicate ids, unknown keys and ok cases without a gold', async () => {
    const dup = dir('dup', { 's.yaml': ok, 't.yaml': ok.replace('suite: s', 'suite: t') });
    const err = await loadSuites(dup).catch((e: unknown) => e);
    expect(hasCode(err, 'SUITE_INVALID')).toBe(true);
    expect((err as Error).message).toContain('a-1');
    const bad = dir('bad', {
      's.yaml': ok.replace('category: accuracy', 'category: accuracy\n    colour: red'),
    });
    expect(hasCode(await loadSuites(bad).catch((e: unknown) => e), 'SUITE_INVALID')).toBe(true);
    const noGold = dir('nogold', {
      's.yaml': ok.replace('expect: { sql: "SELECT count(*) FROM patients" }', 'expect: {}'),
    });
    expect(((await loadSuites(noGold).catch((e: unknown) => e)) as Error).message).toContain(
      'exactly one of',
    );
  });

  it('the shipped suites and environment load', async () => {
    const suites = await loadSuites();
    expect(suites.flatMap((s) => s.cases).length).toBeGreaterThanOrEqual(150);
    const env = await loadEnvironmentSpec();
    expect(env.users.map((u) => u.id)).toEqual(
      expect.arrayContaining(['admin', 'analyst', 'clinician', 'auditor']),
    );
    expect(env.plant.some((p) => p.purpose === 'canary' && p.watch.length > 0)).toBe(true);
    expect(env.plant.some((p) => p.purpose === 'injection' && p.watch.length > 0)).toBe(true);
  });
});
