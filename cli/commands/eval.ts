import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type CoveredChatModel, checkEndpoint, createChatModel, OFFLINE } from '../../agent/index.ts';
import { syntheaSource } from '../../app/index.ts';
import { generateSyntheaDemo } from '../../connectors/index.ts';
import { hasCode } from '../../core/index.ts';
import { EvalSuiteError, renderReport, runEvals } from '../../evals/index.ts';
import { resolveSecret, type Workspace } from '../../workspace/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, progress } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

interface EvalOptions {
  suite?: string[];
  endpoint?: string;
  data?: string;
  demo?: string;
  model?: string;
  report?: string;
}

/**
 * The covered chat model for `--endpoint NAME` from the workspace's analyst.yaml (llm.endpoints);
 * `offline` needs none. An endpoint that is not configured is a usage error naming those that are.
 */
async function endpointModel(
  name: string,
  opts: Parameters<typeof loadWorkspace>[0],
): Promise<CoveredChatModel | undefined> {
  if (name === OFFLINE) return undefined;
  let ws: Workspace | undefined;
  try {
    ws = await loadWorkspace(opts);
  } catch (err) {
    if (!hasCode(err, 'CONFIG_MISSING')) throw err;
  }
  const configured = ws ? Object.keys(ws.config.llm.endpoints) : [];
  const raw = ws?.config.llm.endpoints[name];
  if (!ws || raw === undefined) {
    throw new EvalSuiteError(
      'ENDPOINT_NOT_CONFIGURED',
      `No model endpoint "${name}" in analyst.yaml (llm.endpoints). Configured: ${[OFFLINE, ...configured].join(', ')}.`,
    );
  }
  const checked = checkEndpoint(name, raw);
  if (!checked.ok) {
    throw new EvalSuiteError(
      'ENDPOINT_NOT_CONFIGURED',
      `Model endpoint "${name}" cannot be called: ${checked.findings.map((f) => `${f.path}: ${f.reason}`).join('; ')}.`,
    );
  }
  const dir = ws.dir;
  return createChatModel(name, checked.endpoint, { resolveSecret: (ref) => resolveSecret(ref, dir) });
}

/**
 * The data to evaluate on: `--data`, else the folder the workspace's synthea connector reads.
 * Never a folder outside both (the repository's test fixture is for its own tests).
 */
async function evalData(opts: EvalOptions & Parameters<typeof loadWorkspace>[0]): Promise<string> {
  if (opts.data) return resolve(opts.data);
  let ws: Workspace | undefined;
  try {
    ws = await loadWorkspace(opts);
  } catch (err) {
    if (!hasCode(err, 'CONFIG_MISSING')) throw err;
  }
  const source = ws ? syntheaSource(ws) : undefined;
  if (!source)
    throw new EvalSuiteError(
      'DATA_MISSING',
      'No eval data: pass --data DIR (Synthea-layout CSV files) or --demo N, or run in a workspace with a synthea connector.',
      { exitCode: 2 },
    );
  return source;
}

/**
 * The workspace's model folder when `--suite verified` asks for its verified queries (and no
 * --model names another); otherwise the bundled model the shipped suites are written against.
 */
async function verifiedModelDir(
  opts: EvalOptions & Parameters<typeof loadWorkspace>[0],
): Promise<string | undefined> {
  if (!opts.suite?.includes('verified')) return undefined;
  const ws = await loadWorkspace(opts);
  return ws.path(ws.config.semantic.model_dir);
}

/**
 * `analyst eval [--suite S] [--endpoint NAME] [--data DIR | --demo N] [--model DIR] [--json] [--report FILE]`.
 * Runs the eval suites in-process on a throwaway lake built from the data folder (or generated demo
 * data), answering offline or with a configured model endpoint (no offline fallback). With --json it
 * prints exactly {"cases","accuracy","categories","failures"}; --report writes the markdown report.
 * Exits 1 when a category is below its threshold in evals/thresholds.json.
 */
export function registerEval(program: Command, run: Run): void {
  program
    .command('eval')
    .description(
      'run the eval suites (accuracy, clarification, refusal, RLS, PHI egress, injection) and score them',
    )
    .option(
      '--suite <name...>',
      'suite file name(s) under evals/suites, without .yaml (default: all); "verified" runs the model\'s verified queries',
    )
    .option('--endpoint <name>', 'model endpoint from analyst.yaml llm.endpoints, or offline', OFFLINE)
    .option(
      '--data <dir>',
      "folder of Synthea-layout CSV files to evaluate on (default: the workspace's synthea connector data)",
    )
    .option(
      '--demo <patients>',
      'evaluate on freshly generated Synthea-format demo data of this many patients',
    )
    .option('--model <dir>', 'semantic model folder (default: the bundled Synthea model)')
    .option('--report <file>', 'write the markdown report here')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<EvalOptions>(cmd);
        const model = await endpointModel(opts.endpoint ?? OFFLINE, opts);
        const verbose = !opts.json && process.stderr.isTTY;
        let demoDir: string | undefined;
        try {
          if (opts.demo) {
            // Demo data: a Synthea-format export generated for this run (same seed, same data).
            demoDir = await mkdtemp(join(tmpdir(), 'analyst-eval-demo-'));
            await generateSyntheaDemo({ dir: demoDir, patients: Number(opts.demo), seed: 1 });
          }
          const outcome = await runEvals({
            suites: opts.suite,
            model,
            dataDir: demoDir ?? (await evalData(opts)),
            modelDir: opts.model ? resolve(opts.model) : await verifiedModelDir(opts),
            thresholdsKey: opts.demo ? `${opts.endpoint ?? OFFLINE}:demo` : undefined,
            onCase: verbose ? (r) => progress(`${r.passed ? 'pass' : 'FAIL'} ${r.id}`) : undefined,
          });
          const report = renderReport(outcome.run, {
            thresholds: outcome.thresholds,
            thresholdsKey: outcome.thresholdsKey,
            misses: outcome.misses,
            data: opts.demo ? `demo data (${opts.demo} patients, seed 1)` : outcome.dataDir,
          });
          if (opts.report) await writeFile(resolve(opts.report), report);
          if (opts.json) process.stdout.write(`${JSON.stringify(outcome.summary)}\n`);
          else
            process.stdout.write(
              opts.report ? `${report.split('\n## Failures')[0]}\nreport: ${opts.report}\n` : report,
            );
          return outcome.misses.length ? EXIT.error : EXIT.ok;
        } finally {
          await model?.close();
          if (demoDir) await rm(demoDir, { recursive: true, force: true });
        }
      }),
    );
}
