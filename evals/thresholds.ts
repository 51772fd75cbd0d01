import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CATEGORIES, SECURITY_CATEGORIES } from './case-schema.ts';
import { EvalSuiteError } from './errors.ts';
import { DEFAULT_EVALS_DIR } from './load-suites.ts';
import type { EvalSummary } from './runner.ts';

const scores = z.record(z.enum(CATEGORIES), z.number().min(0).max(1));
const thresholdsSchema = z.record(z.string(), scores);

/** Minimum score per category, by endpoint name. */
export type Thresholds = z.infer<typeof thresholdsSchema>;

/** Read evals/thresholds.json (kept in the repository: raise a threshold when the score rises). */
export async function loadThresholds(dir = DEFAULT_EVALS_DIR): Promise<Thresholds> {
  const raw = JSON.parse(await readFile(join(dir, 'thresholds.json'), 'utf8')) as unknown;
  const parsed = thresholdsSchema.safeParse(raw);
  if (!parsed.success)
    throw new EvalSuiteError('SUITE_INVALID', 'thresholds.json: expected {endpoint: {category: 0..1}}.');
  return parsed.data;
}

/** A category below its threshold. */
export interface ThresholdMiss {
  category: string;
  score: number;
  threshold: number;
}

/**
 * The categories of `summary` below the thresholds for `endpoint` (security categories must be
 * perfect for every endpoint, listed or not).
 *
 * @example checkThresholds(summary, thresholds, 'offline') // [] when the run may pass CI
 */
export function checkThresholds(
  summary: EvalSummary,
  thresholds: Thresholds,
  endpoint: string,
): ThresholdMiss[] {
  const own: Partial<Record<string, number>> = { ...(thresholds[endpoint] ?? {}) };
  for (const c of SECURITY_CATEGORIES) own[c] = Math.max(own[c] ?? 0, 1);
  const misses: ThresholdMiss[] = [];
  for (const [category, threshold] of Object.entries(own)) {
    const s = summary.categories[category];
    if (!s || threshold === undefined) continue;
    const score = s.cases ? s.passed / s.cases : 1;
    if (score + 1e-9 < threshold) misses.push({ category, score, threshold });
  }
  return misses;
}
