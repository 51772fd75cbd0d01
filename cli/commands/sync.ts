import type { Command } from 'commander';
import { syncWorkspace } from '../../app/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, table } from '../output.ts';

/** `analyst sync [NAME…]`: load configured sources into the lake, each stream in one transaction. */
export function registerSync(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('sync')
    .description('sync connectors into the lake (default: every configured connector)')
    .argument('[names...]', 'connector names from analyst.yaml')
    .action((names: string[], _o, c: Command) =>
      run(async () => {
        const opts = optionsOf(c);
        const ws = await loadWorkspace(opts);
        const runs = await syncWorkspace(ws, names, { progress: !opts.json });
        const rows = runs.flatMap((r) => r.streams.map((s) => ({ connector: r.connector, ...s })));
        printData(runs, Boolean(opts.json), () =>
          table(
            ['connector', 'stream', 'table', 'mode', 'rows', 'rejects', 'seconds', 'status'],
            rows.map((s) => [
              s.connector,
              s.stream,
              s.table,
              s.mode,
              s.rows,
              s.rejects,
              (s.durationMs / 1000).toFixed(1),
              s.status === 'ok' ? 'ok' : `FAILED ${s.error?.code}: ${s.error?.message}`,
            ]),
          ),
        );
        return rows.every((s) => s.status === 'ok') ? 0 : 1;
      }),
    );
}
