import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OFFLINE } from '../../agent/index.ts';
import { hasCode } from '../../core/index.ts';
import { EvalSuiteError, renderReport, runEvals } from '../../evals/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, progress } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

interface EvalOptions {
  suite?: string[];
  endpoint?: string;
  data?: string;
  model?: string;
  report?: string;
}

/** The endpoint must be configured in the workspace's analyst.yaml (llm.endpoints), or be `offline`. */
async function checkEndpoint(name: string, opts: Parameters<typeof loadWorkspace>[0]): Promise<void> {
  if (name === OFFLINE) return;
  let configured: string[] = [];
  try {
    configured = Object.keys((await loadWorkspace(opts)).config.llm.endpoints);
  } catch (err) {
    if (!hasCode(err, 'CONFIG_MISSING')) throw err;
  }
  if (!configured.includes(name)) {
    throw new EvalSuiteError(
      'ENDPOINT_NOT_CONFIGURED',
      `No model endpoint "${name}" in analyst.yaml (llm.endpoints). Configured: ${[OFFLINE, ...configured].join(', ')}.`,
    );
  }
}

/**
 * `analyst eval [--suite S] [--endpoint NAME] [--data DIR] [--model DIR] [--json] [--report FILE]`.
 * Runs the eval suites in-process on a throwaway lake built from the data folder. With --json it
 * prints exactly {"cases","accuracy","categories","failures"}; --report writes the markdown report.
 * Exits 1 when a category is below its threshold in evals/thresholds.json.
 */
export function registerEval(program: Command, run: Run): void {
  program
    .command('eval')
    .description(
      'run the eval suites (accuracy, clarification, refusal, RLS, PHI egress, injection) and score them',
    )
    .option('--suite <name...>', 'suite file name(s) under evals/suites, without .yaml (default: all)')
    .option('--endpoint <name>', 'model endpoint from analyst.yaml llm.endpoints, or offline', OFFLINE)
    .option(
      '--data <dir>',
      'folder of Synthea-layout CSV files to evaluate on (default: the Synthea fixture)',
    )
    .option('--model <dir>', 'semantic model folder (default: the bundled Synthea model)')
    .option('--report <file>', 'write the markdown report here')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<EvalOptions>(cmd);
        const endpoint = opts.endpoint ?? OFFLINE;
        await checkEndpoint(endpoint, opts);
        const verbose = !opts.json && process.stderr.isTTY;
        const outcome = await runEvals({
          suites: opts.suite,
          endpoint,
          dataDir: opts.data ? resolve(opts.data) : undefined,
          modelDir: opts.model ? resolve(opts.model) : undefined,
          onCase: verbose ? (r) => progress(`${r.passed ? 'pass' : 'FAIL'} ${r.id}`) : undefined,
        });
        const report = renderReport(outcome.run, {
          thresholds: outcome.thresholds,
          misses: outcome.misses,
          data: outcome.dataDir,
        });
        if (opts.report) await writeFile(resolve(opts.report), report);
        if (opts.json) process.stdout.write(`${JSON.stringify(outcome.summary)}\n`);
        else
          process.stdout.write(
            opts.report ? `${report.split('\n## Failures')[0]}\nreport: ${opts.report}\n` : report,
          );
        return outcome.misses.length ? EXIT.error : EXIT.ok;
      }),
    );
}
