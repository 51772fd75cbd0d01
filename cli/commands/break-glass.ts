import type { Command } from 'commander';
import { grantBreakGlass } from '../../app/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, printData } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

interface BreakGlassOptions {
  user: string;
  reason: string;
  minutes: string;
  role?: string[];
}

/**
 * `analyst break-glass --user U --reason "…" --minutes N [--role R…]`: emergency access. The grant
 * is recorded in the audit trail before it takes effect (no record, no grant), pages on-call, and
 * ends by itself. Refused (exit 3, and audited) without a real reason or beyond
 * incident.break_glass.max_minutes.
 */
export function registerBreakGlass(program: Command, run: Run): void {
  program
    .command('break-glass')
    .description('grant a user emergency roles for a few minutes, for a stated reason (audited, paged)')
    .requiredOption('--user <id>', 'the user to elevate (their id as the server sees it)')
    .requiredOption('--reason <text>', 'why: kept encrypted in the audit trail, never in the page')
    .requiredOption('--minutes <n>', 'how long the grant lasts')
    .option('--role <role...>', 'roles to add (default: incident.break_glass.roles)')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<BreakGlassOptions>(cmd);
        const minutes = Number(opts.minutes);
        if (!Number.isInteger(minutes) || minutes < 1) {
          process.stderr.write('analyst: --minutes must be a whole number of minutes.\n');
          return EXIT.usage;
        }
        const ws = await loadWorkspace(opts);
        const operator = process.env.USER ? `cli (${process.env.USER})` : 'cli';
        const grant = await grantBreakGlass(ws, {
          userId: opts.user,
          reason: opts.reason,
          minutes,
          roles: opts.role,
          grantedBy: operator,
        });
        printData(
          grant,
          Boolean(opts.json),
          () =>
            `Break-glass: ${grant.userId} holds ${grant.roles.join(', ')} until ${grant.expiresAt} (audit record ${grant.auditId}).`,
        );
        return EXIT.ok;
      }),
    );
}
