import { join } from 'node:path';
import type { Command } from 'commander';
import { API_KEY_SCOPES, ApiKeyStore } from '../../server/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/** `analyst apikey create|list|revoke`: service API keys (hashed at rest, scoped, revocable). */
export function registerApiKey(program: Command, run: Run): void {
  const cmd = program.command('apikey').description('manage service API keys');
  const store = async (c: Command) =>
    new ApiKeyStore(join((await loadWorkspace(optionsOf(c))).dir, 'state', 'api-keys.json'));
  cmd
    .command('create')
    .description('create a key; it is shown once')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--scopes <list>', `comma-separated: ${API_KEY_SCOPES.join(', ')}`)
    .option('--roles <list>', 'roles the key acts with', '')
    .action((_o, c: Command) =>
      run(async () => {
        const o = optionsOf<{ name: string; scopes: string; roles: string }>(c);
        const split = (s: string) =>
          s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
        const { key, record } = await (await store(c)).create({
          name: o.name,
          scopes: split(o.scopes),
          roles: split(o.roles),
        });
        printData(
          { key, id: record.id, name: record.name, scopes: record.scopes },
          Boolean(o.json),
          () => `${key}\n(shown once; id ${record.id})`,
        );
        return 0;
      }),
    );
  cmd.command('list').action((_o, c: Command) =>
    run(async () => {
      const keys = (await (await store(c)).list()).map(({ hash: _h, ...k }) => k);
      printData(keys, Boolean(optionsOf(c).json), () =>
        table(
          ['id', 'name', 'scopes', 'roles', 'created', 'revoked'],
          keys.map((k) => [
            k.id,
            k.name,
            k.scopes.join(','),
            k.roles.join(','),
            k.createdAt,
            k.revokedAt ?? '',
          ]),
        ),
      );
      return 0;
    }),
  );
  cmd
    .command('revoke')
    .argument('<id>')
    .action((id: string, _o, c: Command) =>
      run(async () => {
        const ok = await (await store(c)).revoke(id);
        printData({ id, revoked: ok }, Boolean(optionsOf(c).json), () =>
          ok ? `revoked ${id}` : `no active key ${id}`,
        );
        return ok ? 0 : 1;
      }),
    );
}
