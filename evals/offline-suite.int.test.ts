// The whole eval suite against the offline interpreter, in-process: one eval lake, one analyst, every
// case. CI fails when a category drops below evals/thresholds.json (security categories must be
// perfect). Raise a threshold when the score rises; never lower one to make this pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSyntheaDemo } from '../connectors/index.ts';
import { SYNTHEA_CSV_DIR } from '../semantic/testing/index.ts';
import { CATEGORIES, renderReport, runEvals, SECURITY_CATEGORIES } from './index.ts';

const demoDir = mkdtempSync(join(tmpdir(), 'evals-demo-'));
afterAll(() => rmSync(demoDir, { recursive: true, force: true }));

describe('offline eval suite', () => {
  it('meets the thresholds kept in the repository', async () => {
    const outcome = await runEvals({ dataDir: SYNTHEA_CSV_DIR });
    const { summary, misses, thresholds } = outcome;
    // On failure the report says which cases broke, expected beside actual.
    const report = misses.length ? renderReport(outcome.run, { thresholds, misses }) : '';
    expect(misses, report).toEqual([]);
    expect(summary.cases).toBeGreaterThanOrEqual(150);
    for (const c of SECURITY_CATEGORIES) {
      const s = summary.categories[c];
      expect(s?.cases ?? 0, `${c} has cases`).toBeGreaterThanOrEqual(8);
      expect(s?.passed, `${c} is perfect`).toBe(s?.cases);
    }
    // The interpreter's development sets: every kind with a set (25+ cases) at 90% or more, and
    // at most 2% of accuracy cases answered ok with wrong rows.
    for (const [kind, score] of Object.entries(summary.byKind)) {
      if (score.cases >= 25)
        expect(score.accuracy, `${kind} on its development set`).toBeGreaterThanOrEqual(0.9);
    }
    expect(Object.keys(summary.byKind).length).toBeGreaterThanOrEqual(8);
    expect(summary.confidentlyWrong.rate, summary.confidentlyWrong.ids.join(', ')).toBeLessThanOrEqual(0.02);
    // Every category the suite knows has cases and a threshold for the offline interpreter.
    for (const c of CATEGORIES) {
      expect(summary.categories[c]?.cases ?? 0, c).toBeGreaterThan(0);
      expect(thresholds.offline?.[c], c).toBeGreaterThan(0);
    }
  }, 900_000);

  it('meets the demo-data thresholds too (the same suites on generated Synthea-format data)', async () => {
    await generateSyntheaDemo({ dir: demoDir, patients: 300, seed: 1 });
    const outcome = await runEvals({ dataDir: demoDir, thresholdsKey: 'offline:demo' });
    const report = outcome.misses.length
      ? renderReport(outcome.run, { thresholds: outcome.thresholds, misses: outcome.misses })
      : '';
    expect(outcome.misses, report).toEqual([]);
    expect(outcome.summary.cases).toBeGreaterThanOrEqual(150);
  }, 900_000);
});
