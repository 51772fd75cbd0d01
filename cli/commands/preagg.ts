import type { Command } from 'commander';
import { buildPreAggregations, preAggregationStatus } from '../../app/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, printData, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** `analyst preagg status|build`: the model's rollups (Cube's pre_aggregations) in the lake. */
export function registerPreagg(program: Command, run: Run): void {
  const preagg = program
    .command('preagg')
    .description('rollups (pre-aggregations) of the model: status and build');

  preagg
    .command('status')
    .description("each rollup's partitions, freshness and size")
    .option('--partitions', 'list every partition')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ partitions?: boolean }>(cmd);
        const ws = await loadWorkspace(opts);
        const status = await preAggregationStatus(ws);
        printData(status, Boolean(opts.json), () => {
          if (status.length === 0) return '(the model defines no pre_aggregations)';
          const lines = [
            table(
              ['rollup', 'state', 'refresh', 'partitions', 'rows', 'size', 'refreshed', 'snapshot'],
              status.map((s) => [
                s.id,
                s.problem ? 'not built' : !s.built ? 'not built yet' : s.current ? 'current' : 'stale',
                s.refresh,
                s.partitions.filter((p) => p.partition !== null).length || (s.built ? 1 : 0),
                s.rows,
                bytes(s.bytes),
                s.refreshedAt ?? '',
                s.snapshot ?? '',
              ]),
            ),
          ];
          for (const s of status.filter((x) => x.problem)) lines.push(`${s.id}: ${s.problem}`);
          if (opts.partitions)
            for (const s of status.filter((x) => x.partitions.some((p) => p.partition !== null)))
              lines.push(
                '',
                s.id,
                table(
                  ['partition', 'rows', 'refreshed'],
                  s.partitions.map((p) => [p.partition, p.rows, p.refreshedAt]),
                ),
              );
          return lines.join('\n');
        });
        return EXIT.ok;
      }),
    );

  preagg
    .command('build')
    .description('build or refresh rollups: only partitions whose rows changed, or all with --force')
    .option('--force', 'rebuild every rollup in full')
    .option('--only <ids...>', 'only these rollups (cube.name)')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ force?: boolean; only?: string[] }>(cmd);
        const ws = await loadWorkspace(opts);
        const report = await buildPreAggregations(ws, { force: Boolean(opts.force), only: opts.only });
        printData(report, Boolean(opts.json), () =>
          report.length
            ? table(
                ['rollup', 'action', 'partitions', 'rows', 'detail'],
                report.map((r) => [
                  r.id,
                  r.action,
                  r.partitions === 'all' ? 'all' : r.partitions.length,
                  r.rows,
                  r.detail ?? '',
                ]),
              )
            : '(the model defines no pre_aggregations)',
        );
        return report.some((r) => r.action === 'failed') ? EXIT.error : EXIT.ok;
      }),
    );
}
