import type { Command } from 'commander';
import {
  borrowLake,
  checkConnectors,
  connectorConfig,
  connectorStatus,
  workspaceSyncEnv,
} from '../../app/index.ts';
import { createConnectorRegistry, guarded, openConnector } from '../../connectors/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/** `analyst connectors list|check|discover`: what is configured, whether it is reachable, what it offers. */
export function registerConnectors(program: Command, run: Run): void {
  const cmd = program.command('connectors').description('configured sources: list, check, discover');

  cmd
    .command('list')
    .description('configured connectors and the connector types this build has')
    .action((_o, c: Command) =>
      run(async () => {
        const ws = await loadWorkspace(optionsOf(c));
        const configured = Object.entries(ws.config.connectors).map(([name, e]) => ({
          name,
          type: e.type,
          mode: e.mode,
          on_reject: e.on_reject,
          streams: e.streams?.map((s) => (typeof s === 'string' ? s : s.name)) ?? 'all',
        }));
        const types = [...createConnectorRegistry().values()].map((x) => ({
          type: x.type,
          description: x.description,
        }));
        printData({ connectors: configured, types }, Boolean(optionsOf(c).json), () =>
          [
            configured.length
              ? table(
                  ['name', 'type', 'mode', 'on_reject', 'streams'],
                  configured.map((x) => [
                    x.name,
                    x.type,
                    x.mode,
                    x.on_reject,
                    Array.isArray(x.streams) ? x.streams.join(',') : x.streams,
                  ]),
                )
              : '(no connectors configured in analyst.yaml)',
            '',
            'available types:',
            table(
              ['type', 'description'],
              types.map((t) => [t.type, t.description]),
            ),
          ].join('\n'),
        );
        return 0;
      }),
    );

  cmd
    .command('check')
    .description('check that each connector (default: all) can reach its source')
    .argument('[names...]', 'connector names')
    .action((names: string[], _o, c: Command) =>
      run(async () => {
        const ws = await loadWorkspace(optionsOf(c));
        const selected = names.length ? names : Object.keys(ws.config.connectors);
        const results = await checkConnectors(ws, selected);
        printData(results, Boolean(optionsOf(c).json), () =>
          table(
            ['connector', 'status', 'reason'],
            results.map((r) => [r.name, r.ok ? 'ok' : 'FAILED', r.reason ?? '']),
          ),
        );
        return results.every((r) => r.ok) ? 0 : 1;
      }),
    );

  cmd
    .command('status')
    .description("each connector's schedule, next run, last run and last error")
    .action((_o, c: Command) =>
      run(async () => {
        const ws = await loadWorkspace(optionsOf(c));
        // Beside a running server: its lake and what its scheduler saw (the control socket).
        const { lake, release } = await borrowLake(ws);
        const connectors = await connectorStatus(ws, lake).finally(release);
        printData({ connectors }, Boolean(optionsOf(c).json), () =>
          table(
            ['connector', 'schedule', 'next run', 'last run', 'status', 'last error'],
            connectors.map((x) => [
              x.name,
              x.schedule ? `${x.schedule}${x.timezone ? ` (${x.timezone})` : ''}` : '(on demand)',
              x.nextRun ?? '',
              x.lastRun?.startedAt ?? '(never)',
              x.lastRun?.status ?? '',
              x.lastError ? `${x.lastError.code} at ${x.lastError.at}` : '',
            ]),
          ),
        );
        return 0;
      }),
    );

  cmd
    .command('discover')
    .description("a connector's streams with columns, types, primary keys and cursors")
    .argument('<name>', 'connector name')
    .action((name: string, _o, c: Command) =>
      run(async () => {
        const ws = await loadWorkspace(optionsOf(c));
        const opened = await openConnector(connectorConfig(ws, name), workspaceSyncEnv(ws));
        const streams = await guarded(opened, `${name}: discover`, () =>
          opened.connector.discover(opened.options, opened.ctx),
        ).finally(() => opened.close());
        printData(streams, Boolean(optionsOf(c).json), () =>
          streams
            .map((s) =>
              [
                `${s.name}${s.primaryKey.length ? `  primary key (${s.primaryKey.join(', ')})` : ''}${s.cursorField ? `  cursor ${s.cursorField}` : ''}`,
                table(
                  ['  column', 'type', 'phi'],
                  s.columns.map((col) => [`  ${col.name}`, col.type, col.phi ?? '']),
                ),
              ].join('\n'),
            )
            .join('\n\n'),
        );
        return 0;
      }),
    );
}
