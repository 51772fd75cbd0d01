// `analyst eval --suite verified`: the workspace's verified queries as a suite. Each question is
// asked (the planner answers, not the verified file) and compared with the verified query's own
// result under the same user's policies; a verified answer the planner gets wrong is a failure.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNTHEA_CSV_DIR, SYNTHEA_MODEL_DIR } from '../../semantic/testing/index.ts';

const BIN = fileURLToPath(new URL('../../bin/analyst.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cli-eval-verified-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ws = join(root, 'ws');
mkdirSync(ws);
writeFileSync(
  join(ws, 'analyst.yaml'),
  `version: 1\nlake: { catalog: duckdb }\nconnectors:\n  synthea: { type: synthea, options: { path: ${JSON.stringify(SYNTHEA_CSV_DIR)} } }\n`,
);
cpSync(SYNTHEA_MODEL_DIR, join(ws, 'model'), { recursive: true });
const vq = join(ws, 'model', 'verified_queries');

function analyst(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, ANALYST_WORKSPACE: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('analyst eval --suite verified', () => {
  it('says clearly when the workspace has no verified queries', () => {
    const r = analyst('--workspace', ws, 'eval', '--suite', 'verified', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('No verified queries in');
  }, 300_000);

  it('asks each verified question and scores the answer against the verified result', () => {
    mkdirSync(vq, { recursive: true });
    writeFileSync(
      join(vq, 'patients.yaml'),
      'question: How many patients are there?\nquery:\n  measures: [patients.count]\nauthor: alice\ndate: 2026-03-01\n',
    );
    writeFileSync(
      join(vq, 'encounters-by-class.yaml'),
      'question: Encounters by encounter class\nsql: SELECT encounterclass, count(*) AS encounters FROM encounters GROUP BY 1\nauthor: bob\ndate: 2026-03-02\n',
    );
    // Verified wrongly on purpose: the question asks for patients, the SQL counts encounters.
    writeFileSync(
      join(vq, 'wrong.yaml'),
      'question: How many patients do we have?\nsql: SELECT count(*) AS n FROM encounters\nauthor: carol\ndate: 2026-03-03\n',
    );
    const r = analyst('--workspace', ws, 'eval', '--suite', 'verified', '--json');
    const summary = JSON.parse(r.stdout) as {
      cases: number;
      categories: { accuracy: { cases: number; passed: number } };
      failures: Array<{ id: string }>;
    };
    expect(summary.cases, r.stderr).toBe(3);
    expect(summary.categories.accuracy).toEqual(expect.objectContaining({ cases: 3, passed: 2 }));
    expect(summary.failures.map((f) => f.id)).toEqual(['verified.wrong']);
    // A whole eval lake is built from the CSV files in a child process: slow on a shared machine.
  }, 300_000);

  it('names a broken verified query file and what is wrong with it', () => {
    writeFileSync(join(vq, 'broken.yaml'), 'question: Visits?\nauthor: dan\ndate: March\n');
    const r = analyst('--workspace', ws, 'eval', '--suite', 'verified', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('verified_queries/broken.yaml');
    expect(r.stderr).toMatch(/date: a date as YYYY-MM-DD/);
  }, 300_000);
});
