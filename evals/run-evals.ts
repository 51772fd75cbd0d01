import { type CoveredChatModel, OFFLINE } from '../agent/index.ts';
import { BUNDLED_SYNTHEA_MODEL } from '../semantic/index.ts';
import { EvalEnvironment } from './environment.ts';
import {
  DEFAULT_EVALS_DIR,
  loadEnvironmentSpec,
  loadSuites,
  loadVerifiedSuite,
  VERIFIED_SUITE,
} from './load-suites.ts';
import type { CaseResult } from './run-case.ts';
import { type EvalRun, type EvalSummary, runSuites, summarize } from './runner.ts';
import { checkThresholds, loadThresholds, type ThresholdMiss, type Thresholds } from './thresholds.ts';

/** The bundled Synthea model the suites are written against. */
export const DEFAULT_EVAL_MODEL = BUNDLED_SYNTHEA_MODEL;

export interface RunEvalsOptions {
  /** Folder holding suites/, environment.yaml and thresholds.json (default: the shipped evals). */
  dir?: string | undefined;
  /** Suite names (file names without .yaml); all when empty. */
  suites?: readonly string[] | undefined;
  /** Folder of Synthea-layout CSV files to build the eval lake from (the workspace's, or one named). */
  dataDir: string;
  /** Semantic model folder (default: the bundled Synthea model). */
  modelDir?: string | undefined;
  /** A covered model endpoint to answer with (its name labels the run); offline without one. */
  model?: CoveredChatModel | undefined;
  onCase?: ((r: CaseResult) => void) | undefined;
  /** Which thresholds.json entry applies (default: the endpoint's name; "offline:demo" for demo data). */
  thresholdsKey?: string | undefined;
}

export interface EvalOutcome {
  run: EvalRun;
  summary: EvalSummary;
  thresholds: Thresholds;
  misses: ThresholdMiss[];
  /** The thresholds.json entry the run was checked against. */
  thresholdsKey: string;
  dataDir: string;
}

/**
 * Load the suites, build the eval environment, run every case in-process, score it and check the
 * thresholds kept in the repository.
 *
 * @example const { summary, misses } = await runEvals({ dataDir: '/data/synthea/csv', suites: ['rls'] });
 */
export async function runEvals(options: RunEvalsOptions): Promise<EvalOutcome> {
  const endpoint = options.model?.info.endpoint ?? OFFLINE;
  const dir = options.dir ?? DEFAULT_EVALS_DIR;
  // `verified` is not a file: it is the model folder's verified queries, asked as the analyst.
  const named = options.suites ?? [];
  const files = named.filter((s) => s !== VERIFIED_SUITE);
  const modelDir = options.modelDir ?? DEFAULT_EVAL_MODEL;
  const suites = [
    ...(files.length || !named.length ? await loadSuites(dir, files) : []),
    ...(named.includes(VERIFIED_SUITE) ? [await loadVerifiedSuite(modelDir)] : []),
  ];
  const spec = await loadEnvironmentSpec(dir);
  const thresholds = await loadThresholds(dir);
  const { dataDir } = options;
  const env = await EvalEnvironment.create({
    dataDir,
    modelDir,
    spec,
    model: options.model,
  });
  try {
    const run = await runSuites(suites, env, { endpoint, onCase: options.onCase });
    const summary = summarize(run);
    const key = options.thresholdsKey ?? endpoint;
    return {
      run,
      summary,
      thresholds,
      misses: checkThresholds(summary, thresholds, key),
      thresholdsKey: key,
      dataDir,
    };
  } finally {
    await env.close();
  }
}
