import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import {
  type ConnectorConfig,
  type ConnectorLogger,
  createConnectorRegistry,
  createProgressReporter,
  guarded,
  openConnector,
  type SyncRunResult,
  syncConnector,
} from '../connectors/index.ts';
import {
  CONFIG_FILE,
  type ConnectorEntry,
  resolveSecret,
  Workspace,
  WorkspaceError,
} from '../workspace/index.ts';
import { hostedFor } from './hosted.ts';
import { buildPreAggregations } from './preagg.ts';
import { exclusiveSync } from './sync-lock.ts';

/** The `connectors.<name>` entry of a workspace as the sync engine takes it. */
export function connectorConfig(ws: Workspace, name: string): ConnectorConfig {
  const entry = ws.config.connectors[name];
  if (!entry) {
    const known = Object.keys(ws.config.connectors);
    throw new WorkspaceError(
      'CONFIG_INVALID',
      `No connector "${name}" in ${CONFIG_FILE}. Configured: ${known.join(', ') || '(none)'}.`,
      { exitCode: 2 },
    );
  }
  return { name, ...entry };
}

/** Environment for connector calls made on behalf of a workspace (secrets from env/files, paths from the workspace). */
export function workspaceSyncEnv(ws: Workspace, log?: ConnectorLogger) {
  return {
    connectors: createConnectorRegistry(),
    resolveSecret: (v: string) => resolveSecret(v, ws.dir),
    requireSecretReferences: true,
    baseDir: ws.dir,
    log,
    author: process.env.USER ? `analyst-sync (${process.env.USER})` : 'analyst-sync',
  };
}

/**
 * Sync the named connectors (all configured ones when `names` is empty) into the workspace's lake,
 * with a progress bar on a terminal or plain lines otherwise (on stderr).
 *
 * @example const runs = await syncWorkspace(ws, [], { progress: true });
 */
export async function syncWorkspace(
  ws: Workspace,
  names: readonly string[],
  options: { progress: boolean },
): Promise<SyncRunResult[]> {
  const selected = names.length ? names : Object.keys(ws.config.connectors);
  const configs = selected.map((n) => connectorConfig(ws, n));
  // A CLI's sync sent to the running server: through the server's lake, after any sync it runs,
  // then the server's model is checked against the new tables.
  const host = hostedFor(ws);
  if (host) {
    const rt = host.runtime;
    const runs = await exclusiveSync(
      rt,
      async () => {
        try {
          const out: SyncRunResult[] = [];
          for (const config of configs)
            out.push(await syncConnector(config, { ...workspaceSyncEnv(ws), lake: rt.lake }));
          return out;
        } finally {
          await rt.reload();
        }
      },
      { wait: true },
    );
    return runs ?? [];
  }
  const lake = await ws.openLake();
  const reporter = options.progress ? createProgressReporter(process.stderr) : undefined;
  try {
    const runs: SyncRunResult[] = [];
    for (const config of configs) {
      runs.push(await syncConnector(config, { ...workspaceSyncEnv(ws), lake, onEvent: reporter?.onEvent }));
    }
    // The rollups of the changed tables, partition by partition, each in a commit of its own.
    // A rollup that cannot be refreshed stays stale and is not read; `analyst preagg status` shows it.
    await buildPreAggregations(ws, { afterSync: true, lake }).catch(() => []);
    return runs;
  } finally {
    reporter?.stop();
    await lake.close();
  }
}

/** Add (or replace) a connector entry in analyst.yaml, keeping the file's comments, and reload. */
export async function setConnector(
  ws: Workspace,
  name: string,
  entry: Partial<ConnectorEntry>,
): Promise<Workspace> {
  const path = join(ws.dir, CONFIG_FILE);
  const doc = parseDocument(await readFile(path, 'utf8'));
  if (!doc.has('connectors')) doc.set('connectors', doc.createNode({}));
  doc.setIn(['connectors', name], doc.createNode(entry));
  await writeFile(path, doc.toString());
  return Workspace.load(ws.dir);
}

/** Check each named connector's credentials and reach; reasons are redacted of its secrets. */
export async function checkConnectors(
  ws: Workspace,
  names: readonly string[],
): Promise<Array<{ name: string; ok: boolean; reason?: string }>> {
  const results: Array<{ name: string; ok: boolean; reason?: string }> = [];
  for (const name of names) {
    const opened = await openConnector(connectorConfig(ws, name), workspaceSyncEnv(ws));
    try {
      const verdict = await guarded(opened, `${name}: check`, () =>
        opened.connector.check(opened.options, opened.ctx),
      ).catch((e: Error) => ({ reason: e.message }));
      results.push(
        verdict === true ? { name, ok: true } : { name, ok: false, reason: opened.redact(verdict.reason) },
      );
    } finally {
      await opened.close();
    }
  }
  return results;
}

/**
 * The folder of Synthea CSV files the workspace syncs (its first `synthea` connector), for
 * `analyst eval`: the suites run on the workspace's own data unless told otherwise.
 *
 * @example const data = syntheaSource(ws) ?? fail('pass --data');
 */
export function syntheaSource(ws: Workspace): string | undefined {
  for (const entry of Object.values(ws.config.connectors)) {
    const path = (entry.options as { path?: unknown }).path;
    if (entry.type === 'synthea' && typeof path === 'string' && path) return resolve(ws.dir, path);
  }
  return undefined;
}
