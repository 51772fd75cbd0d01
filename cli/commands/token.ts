import { join } from 'node:path';
import type { Command } from 'commander';
import { issueDevToken, ServerError } from '../../server/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/** `analyst token --user ID`: a dev-mode bearer token for a users.yaml identity. */
export function registerToken(program: Command, run: Run): void {
  program
    .command('token')
    .description('print a dev-mode bearer token for a user in users.yaml')
    .requiredOption('--user <id>', 'a user id from users.yaml')
    .option('--hours <n>', 'lifetime in hours (default server.auth.dev_token_hours)')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ user: string; hours?: string }>(cmd);
        const ws = await loadWorkspace(opts);
        if (ws.config.server.auth.mode !== 'dev') {
          throw new ServerError(
            'FORBIDDEN',
            'Dev tokens exist only in dev mode (server.auth.mode: dev); sign in through your IdP.',
          );
        }
        const u = ws.user(opts.user);
        const hours = opts.hours ? Number(opts.hours) : ws.config.server.auth.dev_token_hours;
        const token = await issueDevToken(
          join(ws.dir, 'keys'),
          { id: u.id, roles: u.roles, attributes: u.attributes },
          hours,
        );
        process.stdout.write(
          opts.json ? `${JSON.stringify({ token, user: u.id, expiresInHours: hours })}\n` : `${token}\n`,
        );
        return 0;
      }),
    );
}
