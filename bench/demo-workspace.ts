// A throw-away workspace with the Synthea-format demo data (`analyst init --demo`), made by the
// real CLI so benchmarks measure what a user would run.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ANALYST_BIN = resolve(import.meta.dirname, '../bin/analyst.mjs');

/** Questions the offline interpreter answers over the demo model (counts, breakdowns, a series, an average). */
export const DEMO_QUESTIONS = [
  'how many patients by gender',
  'encounters by encounter class',
  'how many patients',
  'number of encounters by year',
  'average age of patients',
  'conditions by description',
  'number of patients by race',
];

/** Run the analyst CLI to completion and return its stdout. */
export async function analystCli(args: string[]): Promise<string> {
  const r = await promisify(execFile)(process.execPath, [ANALYST_BIN, ...args], {
    env: { ...process.env, ANALYST_WORKSPACE: '' },
    maxBuffer: 1 << 26,
  });
  return r.stdout;
}

/** A demo workspace in a temp folder; call `remove` when done. */
export async function demoWorkspace(patients = 1000): Promise<{ dir: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'bench-demo-'));
  const dir = join(root, 'ws');
  await analystCli(['init', dir, '--demo', '--patients', String(patients), '--json']);
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}
