import { Cron } from 'croner';
import { SYNC_HISTORY } from '../connectors/index.ts';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { ConnectorStatus } from '../server/index.ts';
import type { Workspace } from '../workspace/index.ts';
import { schedulerOf } from './scheduler.ts';

/**
 * Each configured connector's schedule, next run, last run and last error: what
 * `GET /v1/connectors/status` and `analyst connectors status` show. Runs come from the sync history
 * in the lake (shared by replicas), joined with what this process's scheduler saw (a skipped slot,
 * a failure before any stream loaded). Errors are codes only: sync messages can quote source values.
 *
 * @example const status = await connectorStatus(ws, rt.lake);
 */
export async function connectorStatus(ws: Workspace, lake: Lakehouse): Promise<ConnectorStatus[]> {
  const scheduler = schedulerOf({ lake });
  const runs = await lastRuns(lake);
  return Object.entries(ws.config.connectors).map(([name, entry]) => {
    const history = runs.get(name);
    const scheduled = scheduler?.lastRun(name);
    let lastRun: ConnectorStatus['lastRun'] = history?.last ?? null;
    if (scheduled && (!lastRun || scheduled.startedAt > lastRun.startedAt) && scheduled.outcome !== 'ok')
      lastRun = { runId: null, startedAt: scheduled.startedAt, status: scheduled.outcome, rows: null };
    // A run in progress has loaded some streams so far: say so rather than show a partial total.
    if (lastRun && scheduler?.isRunning(name)) lastRun = { ...lastRun, status: 'running' };
    let lastError = history?.error ?? null;
    const seen = scheduler?.lastError(name);
    if (seen && (!lastError || seen.at > lastError.at)) lastError = seen;
    return {
      name,
      type: entry.type,
      schedule: entry.schedule ?? null,
      timezone: entry.timezone ?? null,
      nextRun: entry.schedule ? nextRun(entry.schedule, entry.timezone) : null,
      lastRun,
      lastError,
    };
  });
}

function nextRun(schedule: string, timezone: string | undefined): string | null {
  const job = new Cron(schedule, { timezone, paused: true });
  return job.nextRun()?.toISOString() ?? null;
}

interface HistoryFacts {
  last: NonNullable<ConnectorStatus['lastRun']>;
  error: ConnectorStatus['lastError'];
}

async function lastRuns(lake: Lakehouse): Promise<Map<string, HistoryFacts>> {
  const out = new Map<string, HistoryFacts>();
  const exists = await lake.query(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = '_analyst'
     AND table_name = 'sync_history'`,
  );
  if (Number(exists.rows[0]?.[0]) === 0) return out;
  const r = await lake.query(
    `SELECT connector, run_id, epoch_ms(min(started_at)) AS t, sum(rows), bool_and(status = 'ok'),
            min(error) FILTER (WHERE status <> 'ok')
     FROM ${SYNC_HISTORY} GROUP BY connector, run_id ORDER BY t DESC`,
  );
  for (const [connector, runId, t, rows, ok, error] of r.rows) {
    const name = String(connector);
    const startedAt = new Date(Number(t)).toISOString();
    const code = typeof error === 'string' ? (/^[A-Z_]+/.exec(error)?.[0] ?? 'SYNC_FAILED') : 'SYNC_FAILED';
    const facts = out.get(name);
    if (!facts) {
      out.set(name, {
        last: { runId: String(runId), startedAt, status: ok ? 'ok' : 'failed', rows: Number(rows) },
        error: ok ? null : { at: startedAt, code },
      });
    } else if (!facts.error && !ok) facts.error = { at: startedAt, code };
  }
  return out;
}
