import type { Command } from 'commander';
import { borrowLake } from '../../app/index.ts';
import type { Lakehouse } from '../../lakehouse/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

async function withLake<T>(cmd: Command, fn: (lake: Lakehouse) => Promise<T>): Promise<T> {
  const ws = await loadWorkspace(optionsOf(cmd));
  // The server's lake when the server runs this command for a CLI (the control socket).
  const { lake, release } = await borrowLake(ws);
  try {
    return await fn(lake);
  } finally {
    await release();
  }
}

/** `analyst lake status|snapshots|maintain`. */
export function registerLake(program: Command, run: Run): void {
  const lake = program.command('lake').description('inspect and maintain the lakehouse');

  lake
    .command('status')
    .description('format, catalog, encryption, tables with row counts, snapshot count')
    .action((_o, cmd: Command) =>
      run(async () => {
        const status = await withLake(cmd, (l) => l.status());
        printData(status, Boolean(optionsOf(cmd).json), () =>
          [
            `format     ${status.format}`,
            `catalog    ${status.catalog}${status.catalogEncrypted ? ' (encrypted)' : ''}`,
            `data path  ${status.dataPath}`,
            `encrypted  ${status.encrypted}`,
            `snapshots  ${status.snapshots}`,
            '',
            status.tables.length
              ? table(
                  ['table', 'rows'],
                  status.tables.map((t) => [t.name, t.rows]),
                )
              : '(no tables)',
          ].join('\n'),
        );
        return 0;
      }),
    );

  lake
    .command('snapshots')
    .description('every snapshot with time, author and commit message')
    .action((_o, cmd: Command) =>
      run(async () => {
        const snaps = await withLake(cmd, (l) => l.snapshots());
        printData(snaps, Boolean(optionsOf(cmd).json), () =>
          table(
            ['id', 'time', 'author', 'message'],
            snaps.map((s) => [s.id, s.time, s.author, s.message]),
          ),
        );
        return 0;
      }),
    );

  lake
    .command('maintain')
    .description('expire old snapshots, merge small files, delete unreferenced files')
    .option('--expire-days <n>', 'expire snapshots older than N days', '30')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ expireDays: string }>(cmd);
        const days = Number(opts.expireDays);
        const result = await withLake(cmd, (l) => l.maintain({ expireOlderThanDays: days }));
        printData(result, Boolean(opts.json), () =>
          [
            `expired snapshots  ${result.expiredSnapshots}`,
            `merged tables      ${result.mergedTables}`,
            `deleted files      ${result.deletedFiles}`,
          ].join('\n'),
        );
        return 0;
      }),
    );
}
