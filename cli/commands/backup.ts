import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createBackup, restoreBackup, verifyBackup } from '../../app/index.ts';
import { AuditLog, auditLogConfig } from '../../audit/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/**
 * `analyst backup create DIR | verify DIR | restore DIR --into NEWDIR`: a consistent copy of the
 * workspace at one lake snapshot (catalog, data files, audit store, conversations, configuration;
 * keys by reference only), checked by hash and by opening it, restored into a new folder.
 */
export function registerBackup(program: Command, run: Run): void {
  const backup = program.command('backup').description('back up, verify and restore a workspace');

  backup
    .command('create')
    .description(
      'copy the workspace at one lake snapshot into DIR (a new folder); keys are referenced, not copied',
    )
    .argument('<dir>', 'a new folder for the backup')
    .action((dir: string, _o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf(cmd);
        const ws = await loadWorkspace(opts);
        const m = await createBackup(ws, dir);
        // A backup is a copy of every record: it is recorded in the audit trail like an export.
        const log = await AuditLog.open(auditLogConfig(ws));
        try {
          await log.append({
            type: 'export',
            outcome: 'ok',
            userId: `os:${userInfo().username}`,
            route: 'analyst backup create',
            details: {
              action: 'backup.create',
              dir: resolve(dir),
              snapshot: m.lake.snapshot,
              files: m.files.length,
            },
          });
        } finally {
          await log.close();
        }
        const summary = {
          dir,
          snapshot: m.lake.snapshot,
          tables: m.lake.tables.length,
          rows: m.lake.tables.reduce((n, t) => n + t.rows, 0),
          files: m.files.length,
          bytes: m.files.reduce((n, f) => n + f.bytes, 0),
          keys: m.keys.map((k) => k.from),
        };
        printData(summary, Boolean(opts.json), () =>
          [
            `backup of ${ws.dir} at lake snapshot ${m.lake.snapshot}`,
            `${summary.tables} tables, ${summary.rows} rows, ${summary.files} files (${summary.bytes} bytes)`,
            'keys (not in the backup; keep them safe separately):',
            ...m.keys.map((k) => `  ${k.from}`),
          ].join('\n'),
        );
        return 0;
      }),
    );

  backup
    .command('verify')
    .description('check every file against its hash and open the lake from the backup')
    .argument('<dir>', 'the backup folder')
    .option('--keys-from <dir>', 'where the keys are, when not where the backup recorded them')
    .action((dir: string, _o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ keysFrom?: string }>(cmd);
        const check = await verifyBackup(dir, { keysFrom: opts.keysFrom });
        printData(check, Boolean(opts.json), () =>
          check.ok
            ? `backup intact: snapshot ${check.snapshot}, ${check.files} files\n${table(
                ['table', 'rows'],
                check.tables.map((t) => [t.name, t.rows]),
              )}`
            : `BACKUP NOT INTACT\n${check.problems.map((p) => `  ${p}`).join('\n')}`,
        );
        return check.ok ? 0 : 1;
      }),
    );

  backup
    .command('restore')
    .description('restore a backup into a new workspace folder (keys read from where they are)')
    .argument('<dir>', 'the backup folder')
    .requiredOption('--into <newdir>', 'a new folder for the restored workspace')
    .option('--keys-from <dir>', 'where the keys are, when not where the backup recorded them')
    .action((dir: string, _o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ into: string; keysFrom?: string }>(cmd);
        const r = await restoreBackup(dir, opts.into, { keysFrom: opts.keysFrom });
        printData(r, Boolean(opts.json), () =>
          [
            `restored into ${r.into} at lake snapshot ${r.snapshot}`,
            `${r.tables.length} tables, ${r.tables.reduce((n, t) => n + t.rows, 0)} rows`,
            `check it: analyst audit verify --workspace ${r.into}`,
          ].join('\n'),
        );
        return 0;
      }),
    );
}
