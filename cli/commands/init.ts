import type { Command } from 'commander';
import { initWorkspace } from '../../workspace/index.ts';
import { optionsOf } from '../context.ts';
import { printData, progress } from '../output.ts';

interface InitOpts {
  catalog?: string;
  catalogSchema?: string;
  dataPath?: string;
}

/** `analyst init DIR`: a new workspace with an encrypted lake. */
export function registerInit(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('init')
    .description('create a workspace: analyst.yaml, users.yaml, keys/ and an encrypted lake')
    .argument('<dir>', 'folder to create (must not exist or be empty)')
    .option('--catalog <catalog>', 'lake catalog: duckdb (default) or a postgres:// URL')
    .option('--catalog-schema <schema>', 'PostgreSQL schema for the catalog tables')
    .option('--data-path <path>', 'lake data path: a folder (default lake/data) or s3:// URL')
    .action((dir: string, _o: InitOpts, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<InitOpts>(cmd);
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
