import type { Category, Suite } from './case-schema.ts';
import type { EvalEnvironment } from './environment.ts';
import { type CaseResult, runCase } from './run-case.ts';

/** Every case's outcome, and what the run was. */
export interface EvalRun {
  endpoint: string;
  startedAt: string;
  durationMs: number;
  results: CaseResult[];
  /** Cases whose `requires` premise does not hold on this data (not scored). */
  notApplicable?: string[];
}

/** Per-category counts. */
export interface CategoryScore {
  cases: number;
  passed: number;
}

/** The machine-readable summary `analyst eval --json` prints, exactly these keys. */
export interface EvalSummary {
  cases: number;
  accuracy: number;
  categories: Record<string, CategoryScore>;
  /** Accuracy per kind of question (cases that name a kind). */
  byKind: Record<string, CategoryScore & { accuracy: number }>;
  /**
   * Accuracy cases answered with status ok whose rows are wrong: the worst outcome, a number that
   * looks right and answers another question. `rate` is over all accuracy cases.
   */
  confidentlyWrong: { cases: number; rate: number; ids: string[] };
  failures: Array<{
    id: string;
    category: Category;
    as: string;
    question: string;
    reason: string;
    expected: { status: string; rows: unknown[][] } | null;
    actual: { status: string; rows: unknown[][]; semanticQuery: unknown } | null;
  }>;
}

/**
 * Run suites case by case in one environment (in-process: one lake, one analyst). Cases are
 * independent conversations; a failing case never stops the run.
 *
 * @example const run = await runSuites(suites, env, { endpoint: 'offline' });
 */
export async function runSuites(
  suites: readonly Suite[],
  env: EvalEnvironment,
  options: { endpoint: string; onCase?: (r: CaseResult) => void },
): Promise<EvalRun> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const results: CaseResult[] = [];
  const notApplicable: string[] = [];
  for (const suite of suites) {
    for (const c of suite.cases) {
      if (c.requires && !holds(await env.goldSql(c.requires))) {
        notApplicable.push(c.id);
        continue;
      }
      const r = await runCase(c, suite.suite, env);
      results.push(r);
      options.onCase?.(r);
    }
  }
  return {
    endpoint: options.endpoint,
    startedAt,
    durationMs: performance.now() - started,
    results,
    notApplicable,
  };
}

/** Whether a premise query's first cell holds: not 0, false, null or missing. */
function holds(rows: unknown[][]): boolean {
  const v = rows[0]?.[0];
  return v !== undefined && v !== null && v !== false && Number(v) !== 0;
}

const MAX_ROWS = 10;

/** Scores per category and overall, with each failure's expected and actual side by side. */
export function summarize(run: EvalRun): EvalSummary {
  const categories: Record<string, CategoryScore> = {};
  for (const r of run.results) {
    const s = categories[r.category] ?? { cases: 0, passed: 0 };
    categories[r.category] = s;
    s.cases++;
    if (r.passed) s.passed++;
  }
  const passed = run.results.filter((r) => r.passed).length;
  const byKind: EvalSummary['byKind'] = {};
  for (const r of run.results) {
    if (!r.kind) continue;
    const s = byKind[r.kind] ?? { cases: 0, passed: 0, accuracy: 0 };
    byKind[r.kind] = s;
    s.cases++;
    if (r.passed) s.passed++;
    s.accuracy = round(s.passed / s.cases);
  }
  const accuracyCases = run.results.filter((r) => r.category === 'accuracy');
  const wrong = accuracyCases.filter(
    (r) => !r.passed && r.actual?.status === 'ok' && r.expected?.status === 'ok',
  );
  return {
    cases: run.results.length,
    accuracy: run.results.length ? round(passed / run.results.length) : 0,
    categories,
    byKind,
    confidentlyWrong: {
      cases: wrong.length,
      rate: accuracyCases.length ? round(wrong.length / accuracyCases.length) : 0,
      ids: wrong.map((r) => r.id),
    },
    failures: run.results
      .filter((r) => !r.passed)
      .map((r) => ({
        id: r.id,
        category: r.category,
        as: r.as,
        question: r.question,
        reason: r.reason ?? 'failed',
        expected: r.expected ? { status: r.expected.status, rows: r.expected.rows.slice(0, MAX_ROWS) } : null,
        actual: r.actual
          ? {
              status: r.actual.status,
              rows: r.actual.rows.slice(0, MAX_ROWS),
              semanticQuery: r.actual.semanticQuery,
            }
          : null,
      })),
  };
}

export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
