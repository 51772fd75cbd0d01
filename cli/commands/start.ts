import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { initWorkspace, Workspace } from '../../workspace/index.ts';
import { progress } from '../output.ts';

/**
 * `analyst start` (what `npm start` runs): make a demo workspace in ./demo-workspace when there is
 * none, then show what is in it. Later it serves the demo.
 */
export function registerStart(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('start')
    .description('create (if needed) and open the demo workspace in ./demo-workspace')
    .option('--dir <dir>', 'demo workspace folder', 'demo-workspace')
    .action((opts: { dir: string }) =>
      run(async () => {
        const dir = resolve(opts.dir);
        const exists = await access(resolve(dir, 'analyst.yaml')).then(
          () => true,
          () => false,
        );
        const ws = exists ? await Workspace.load(dir) : await initWorkspace(dir, { onProgress: progress });
        const lake = await ws.openLake();
        try {
          const status = await lake.status();
          progress(`demo workspace ${ws.dir}: ${status.tables.length} tables, ${status.snapshots} snapshots`);
        } finally {
          await lake.close();
        }
        return 0;
      }),
    );
}
