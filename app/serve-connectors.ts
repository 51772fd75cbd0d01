import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createConnectorRegistry, SYNC_HISTORY, syncConnector } from '../connectors/index.ts';
import { type ConnectorAdmin, ServerError, type StreamSyncSummary } from '../server/index.ts';
import type { Workspace } from '../workspace/index.ts';
import { connectorStatus } from './connector-status.ts';
import type { Runtime } from './runtime.ts';
import { exclusiveSync } from './sync-lock.ts';
import { checkConnectors, connectorConfig, workspaceSyncEnv } from './sync-runner.ts';

/** Connector types that read local folders: the server's sandboxed lake must be allowed to read them. */
const FILE_CONNECTORS = new Set(['files', 'synthea', 'fhir']);

/**
 * The folders file-based connectors read from, for `openRuntime`'s `readDirectories`: serve opens
 * the lake sandboxed (external access limited to these and the lake's own paths), and a sync run
 * from the server loads files through that same lake. A glob or file path allows its folder.
 *
 * @example const rt = await openRuntime(ws, { readDirectories: connectorReadDirectories(ws) });
 */
export function connectorReadDirectories(ws: Workspace): string[] {
  const dirs = new Set<string>();
  for (const entry of Object.values(ws.config.connectors)) {
    if (!FILE_CONNECTORS.has(entry.type)) continue;
    const path = (entry.options as { path?: unknown }).path;
    if (typeof path !== 'string' || !path) continue;
    const abs = resolve(ws.dir, path);
    const glob = abs.search(/[*?[{]/);
    // A glob allows the folder holding its first wildcard; a file its folder; a folder itself.
    if (glob >= 0) dirs.add(dirname(`${abs.slice(0, glob)}x`));
    else dirs.add(isFile(abs) ? dirname(abs) : abs);
  }
  return [...dirs];
}

/**
 * The admin API's connector services over a running server's runtime: list and check read
 * analyst.yaml, sync loads through the server's own lake (one sync at a time) and then reloads
 * the semantic layer and the agent so answers see the new data, history reads the sync table.
 */
export function connectorAdmin(rt: Runtime): ConnectorAdmin {
  const ws = rt.workspace;
  const known = (names: string[]) => {
    const configured = Object.keys(ws.config.connectors);
    const unknown = names.filter((n) => !configured.includes(n));
    if (unknown.length)
      throw new ServerError('NOT_FOUND', `No connector named ${unknown.join(', ')} in analyst.yaml.`);
    return names.length ? names : configured;
  };
  const syncNamed = async (selected: string[]): Promise<StreamSyncSummary[]> => {
    try {
      const out: StreamSyncSummary[] = [];
      for (const name of selected) {
        const run = await syncConnector(connectorConfig(ws, name), {
          ...workspaceSyncEnv(ws),
          author: 'analyst-serve',
          lake: rt.lake,
        });
        for (const s of run.streams)
          out.push({
            connector: run.connector,
            stream: s.stream,
            table: s.table,
            mode: s.mode,
            rows: s.rows,
            rejects: s.rejects,
            durationMs: Math.round(s.durationMs),
            status: s.status,
            errorCode: s.error?.code ?? null,
            runId: run.runId,
          });
      }
      return out;
    } finally {
      // New tables or changed columns: check the model against the lake again (which also
      // starts the agent with an empty context cache), so the next answer sees the new data.
      await rt.reload();
    }
  };
  return {
    list: async () => ({
      connectors: Object.entries(ws.config.connectors).map(([name, e]) => ({
        name,
        type: e.type,
        mode: e.mode,
        streams: e.streams?.map((s) => (typeof s === 'string' ? s : s.name)) ?? 'all',
      })),
      types: [...createConnectorRegistry().values()].map((x) => ({
        type: x.type,
        description: x.description,
      })),
    }),
    check: async (names) => {
      const results = await checkConnectors(ws, known(names));
      return results;
    },
    sync: async (names) => {
      const selected = known(names);
      const result = await exclusiveSync(rt, () => syncNamed(selected), { wait: false });
      if (!result)
        throw new ServerError('SYNC_RUNNING', 'A sync is already running; try again when it ends.');
      return result;
    },
    status: () => connectorStatus(ws, rt.lake),
    history: async ({ connector, limit }) => {
      if (connector) known([connector]);
      const exists = await rt.lake.query(
        `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = '_analyst'
         AND table_name = 'sync_history'`,
      );
      if (Number(exists.rows[0]?.[0]) === 0) return [];
      const r = await rt.lake.query(
        `SELECT run_id, connector, stream, table_name, mode, epoch_ms(started_at), rows, rejects, duration_ms, status, error
         FROM ${SYNC_HISTORY} ${connector ? 'WHERE connector = $2' : ''}
         ORDER BY started_at DESC, stream LIMIT $1`,
        connector ? [limit, connector] : [limit],
      );
      return r.rows.map((row) => ({
        runId: String(row[0]),
        connector: String(row[1]),
        stream: String(row[2]),
        table: String(row[3]),
        mode: String(row[4]),
        startedAt: new Date(Number(row[5])).toISOString(),
        rows: Number(row[6]),
        rejects: Number(row[7]),
        durationMs: Number(row[8]),
        status: String(row[9]),
        // Stored as "CODE: message"; the message can quote source values, so only the code leaves.
        errorCode: typeof row[10] === 'string' ? (/^[A-Z_]+/.exec(row[10])?.[0] ?? 'SYNC_FAILED') : null,
      }));
    },
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
