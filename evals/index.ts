/**
 * The eval suite: question → answer cases over the Synthea model, scored by execution accuracy,
 * with security categories (refusal, row-level security, PHI egress, prompt injection) that must
 * be perfect. Runs in-process for `npm test` and behind `analyst eval`.
 */
export {
  CATEGORIES,
  type Category,
  type EvalCase,
  type EvalEnvironmentSpec,
  type Expectation,
  SECURITY_CATEGORIES,
  type Suite,
} from './case-schema.ts';
export { type Cell, type CompareOptions, type Comparison, compareResults, normalizeCell } from './compare.ts';
export { EvalEnvironment, type EvalEnvironmentOptions } from './environment.ts';
export { EvalSuiteError, type EvalSuiteErrorCode } from './errors.ts';
export { DEFAULT_EVALS_DIR, loadEnvironmentSpec, loadSuites } from './load-suites.ts';
export { renderReport } from './report.ts';
export { type CaseResult, type Observed, runCase } from './run-case.ts';
export {
  DEFAULT_EVAL_MODEL,
  type EvalOutcome,
  type RunEvalsOptions,
  runEvals,
} from './run-evals.ts';
export { type CategoryScore, type EvalRun, type EvalSummary, runSuites, summarize } from './runner.ts';
export { checkThresholds, loadThresholds, type ThresholdMiss, type Thresholds } from './thresholds.ts';
