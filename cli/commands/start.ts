import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Workspace } from '../../workspace/index.ts';
import { progress } from '../output.ts';
import { createSyntheaWorkspace } from '../synthea-setup.ts';

/**
 * `analyst start` (what `npm start` runs): make a demo workspace in ./demo-workspace when there is
 * none (Synthea-format demo data, loaded), then show what is in it. `npm start` then serves it.
 */
export function registerStart(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('start')
    .description('create (if needed) and open the demo workspace in ./demo-workspace')
    .option('--dir <dir>', 'demo workspace folder', 'demo-workspace')
    .option('--patients <n>', 'demo patients when the workspace is created', '1000')
    .option('--seed <s>', 'demo random seed', '1')
    .action((opts: { dir: string; patients: string; seed: string }) =>
      run(async () => {
        const dir = resolve(opts.dir);
        const exists = await access(resolve(dir, 'analyst.yaml')).then(
          () => true,
          () => false,
        );
        const ws = exists
          ? await Workspace.load(dir)
          : (
              await createSyntheaWorkspace(
                dir,
                { demo: { patients: Number(opts.patients), seed: Number(opts.seed) } },
                progress,
                Boolean(process.stderr.isTTY),
              )
            ).workspace;
        const lake = await ws.openLake();
        try {
          const status = await lake.status();
          progress(`demo workspace ${ws.dir}: ${status.tables.length} tables, ${status.snapshots} snapshots`);
          progress(
            `ask:   npx analyst ask --workspace ${opts.dir} --as analyst "how many encounters by encounter class"`,
          );
          progress(
            `token: npx analyst token --workspace ${opts.dir} --user analyst   (for the HTTP API and the web app)`,
          );
        } finally {
          await lake.close();
        }
        return 0;
      }),
    );
}
