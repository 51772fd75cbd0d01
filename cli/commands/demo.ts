import type { Command } from 'commander';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, progress } from '../output.ts';
import { type SyntheaSetupResult, setUpSynthea } from '../synthea-setup.ts';

/** Summary lines shared by `analyst demo`, `init --demo` and `init --preset synthea`. */
export function describeSetup(r: SyntheaSetupResult): string {
  const streams = r.runs.flatMap((x) => x.streams);
  const failed = streams.filter((s) => s.status !== 'ok');
  return [
    `workspace ${r.workspace.dir}`,
    `loaded ${streams.length - failed.length} Synthea tables, ${streams.reduce((n, s) => n + s.rows, 0)} rows`,
    ...failed.map((s) => `FAILED ${s.stream}: ${s.error?.code}: ${s.error?.message}`),
    r.modelInstalled ? 'semantic model: installed in model/' : 'semantic model: not bundled in this build',
    `clinician dev user scoped to organization ${r.clinicianOrganization ?? '(none)'}`,
  ].join('\n');
}

/** `analyst demo`: generate Synthea-format demo data into the workspace and load it. */
export function registerDemo(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('demo')
    .description('generate a Synthea-format demo export in the workspace and load it into the lake')
    .option('--patients <n>', 'number of patients', '1000')
    .option('--seed <s>', 'random seed (same seed, same data)', '1')
    .action((_o, c: Command) =>
      run(async () => {
        const opts = optionsOf<{ patients: string; seed: string }>(c);
        const ws = await loadWorkspace(opts);
        const say = opts.json ? () => {} : progress;
        const r = await setUpSynthea(
          ws,
          { demo: { patients: Number(opts.patients), seed: Number(opts.seed) } },
          say,
          !opts.json,
        );
        printData(
          { workspace: r.workspace.dir, demo: r.demo, runs: r.runs, modelInstalled: r.modelInstalled },
          Boolean(opts.json),
          () => describeSetup(r),
        );
        return r.runs.every((x) => x.streams.every((s) => s.status === 'ok')) ? 0 : 1;
      }),
    );
}
