// `analyst eval` as CI runs it: the JSON summary's exact shape, the markdown report, the exit code
// below thresholds (a model too small for the questions), the data taken from the workspace's synthea connector (or --data, never from
// outside both), and a clear error for an endpoint that is not configured.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_SYNTHEA_MODEL } from '../../semantic/index.ts';
import { SYNTHEA_CSV_DIR } from '../../semantic/testing/index.ts';

const BIN = fileURLToPath(new URL('../../bin/analyst.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cli-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// A workspace whose synthea connector reads the Synthea export: analyst eval's default data.
const ws = join(root, 'ws');
mkdirSync(ws);
writeFileSync(
  join(ws, 'analyst.yaml'),
  `version: 1\nlake: { catalog: duckdb }\nconnectors:\n  synthea: { type: synthea, options: { path: ${JSON.stringify(SYNTHEA_CSV_DIR)} } }\n`,
);

function analyst(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, ANALYST_WORKSPACE: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('analyst eval', () => {
  it('prints exactly the summary, writes the report, and exits 1 below the thresholds', () => {
    // A model holding only the patients cube: what needs encounters or conditions is asked back.
    const model = join(root, 'patients-only');
    mkdirSync(model);
    copyFileSync(join(BUNDLED_SYNTHEA_MODEL, 'patients.yml'), join(model, 'patients.yml'));
    const report = join(root, 'report.md');
    const r = analyst(
      '--workspace',
      ws,
      'eval',
      '--suite',
      'accuracy-hard',
      '--model',
      model,
      '--json',
      '--report',
      report,
    );
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary)).toEqual([
      'cases',
      'accuracy',
      'categories',
      'byKind',
      'confidentlyWrong',
      'failures',
    ]);
    expect(summary.cases).toBe(9);
    expect(summary.categories.accuracy.cases).toBe(9);
    expect(summary.accuracy).toBeCloseTo(summary.categories.accuracy.passed / 9, 4);
    expect(summary.failures.length).toBe(9 - summary.categories.accuracy.passed);
    expect(summary.categories.accuracy.passed).toBeLessThan(9);
    // What the model cannot answer is asked back, never a wrong number.
    expect(summary.byKind.cohort).toMatchObject({ cases: 2, passed: 0 });
    expect(summary.failures.map((f: { actual: { status: string } }) => f.actual.status)).not.toContain('ok');
    expect(summary.confidentlyWrong).toEqual({ cases: 0, rate: 0, ids: [] });
    expect(summary.failures[0]).toMatchObject({ category: 'accuracy', expected: { status: 'ok' } });
    const md = readFileSync(report, 'utf8');
    expect(md).toContain('# Eval report — offline');
    expect(md).toContain('| accuracy | 9 |');
    expect(md).toContain('**Below threshold:**');
    expect(md).toContain('| | Expected | Actual |');
    expect(md).toContain(SYNTHEA_CSV_DIR);
  });

  it('takes its data from --data or the workspace, never from outside both', () => {
    const r = analyst('eval', '--suite', 'accuracy-hard', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'DATA_MISSING' });
    expect(JSON.parse(r.stderr).error.message).toContain('--data');
  });

  it('refuses an endpoint that is not configured, naming the configured ones', () => {
    const r = analyst('eval', '--endpoint', 'claude', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'ENDPOINT_NOT_CONFIGURED' });
    expect(JSON.parse(r.stderr).error.message).toContain('offline');
  });
});
