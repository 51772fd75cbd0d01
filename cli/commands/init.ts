import type { Command } from 'commander';
import { AnalystError } from '../../core/index.ts';
import { initWorkspace } from '../../workspace/index.ts';
import { optionsOf } from '../context.ts';
import { printData, progress } from '../output.ts';
import { createSyntheaWorkspace } from '../synthea-setup.ts';
import { describeSetup } from './demo.ts';

interface InitOpts {
  catalog?: string;
  catalogSchema?: string;
  dataPath?: string;
  demo?: boolean;
  patients: string;
  seed: string;
  preset?: string;
  source?: string;
}

/** `analyst init DIR`: a new workspace with an encrypted lake; optionally loaded with Synthea data. */
export function registerInit(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('init')
    .description('create a workspace: analyst.yaml, users.yaml, keys/ and an encrypted lake')
    .argument('<dir>', 'folder to create (must not exist or be empty)')
    .option('--catalog <catalog>', 'lake catalog: duckdb (default) or a postgres:// URL')
    .option('--catalog-schema <schema>', 'PostgreSQL schema for the catalog tables')
    .option('--data-path <path>', 'lake data path: a folder (default lake/data) or s3:// URL')
    .option('--demo', 'generate Synthea-format demo data and load it')
    .option('--patients <n>', 'demo patients', '1000')
    .option('--seed <s>', 'demo random seed', '1')
    .option('--preset <preset>', 'a ready-made set-up: synthea (needs --source)')
    .option('--source <dir>', 'for --preset synthea: the Synthea CSV export folder')
    .action((dir: string, _o: InitOpts, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<InitOpts>(cmd);
        const say = opts.json ? () => {} : progress;
        if (opts.preset !== undefined || opts.demo) {
          if (opts.preset !== undefined && opts.preset !== 'synthea') {
            throw new AnalystError('USAGE', `Unknown preset "${opts.preset}"; the presets are: synthea.`, {
              exitCode: 2,
            });
          }
          if (opts.preset === 'synthea' && !opts.source && !opts.demo) {
            throw new AnalystError('USAGE', '--preset synthea needs --source CSV_DIR (or --demo).', {
              exitCode: 2,
            });
          }
          const from = opts.source
            ? { source: opts.source }
            : { demo: { patients: Number(opts.patients), seed: Number(opts.seed) } };
          const r = await createSyntheaWorkspace(dir, from, say, !opts.json);
          printData(
            {
              workspace: r.workspace.dir,
              status: 'created',
              runs: r.runs,
              modelInstalled: r.modelInstalled,
              demo: r.demo,
            },
            Boolean(opts.json),
            () => describeSetup(r),
          );
          return r.runs.every((x) => x.streams.every((s) => s.status === 'ok')) ? 0 : 1;
        }
        const ws = await initWorkspace(dir, {
          catalog: opts.catalog,
          catalogSchema: opts.catalogSchema,
          dataPath: opts.dataPath,
          onProgress: opts.json ? undefined : progress,
        } as Parameters<typeof initWorkspace>[1]);
        printData(
          { workspace: ws.dir, status: 'created' },
          Boolean(opts.json),
          () => `workspace created at ${ws.dir}`,
        );
        return 0;
      }),
    );
}
