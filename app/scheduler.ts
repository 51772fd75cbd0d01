import { Cron } from 'croner';
import pg from 'pg';
import { syncConnector } from '../connectors/index.ts';
import { resolveSecret } from '../workspace/index.ts';
import type { Runtime } from './runtime.ts';
import { exclusiveSync } from './sync-lock.ts';
import { connectorConfig, workspaceSyncEnv } from './sync-runner.ts';

/** What this process's scheduler last did for one connector. */
export interface ScheduledRunState {
  startedAt: string;
  finishedAt: string;
  outcome: 'ok' | 'failed' | 'skipped';
  attempts: number;
  /** Why a run was skipped (another replica ran this slot). */
  reason?: string;
  /** A failure's code only: sync messages can quote source values. */
  errorCode?: string;
}

/** The scheduler `analyst serve` runs: connectors with a `schedule` synced at their times. */
export interface SyncScheduler {
  /** The next time each scheduled connector runs. */
  nextRun(name: string): Date | null;
  lastRun(name: string): ScheduledRunState | undefined;
  /** Whether this process is running the connector's scheduled sync now. */
  isRunning(name: string): boolean;
  /** The last failure, kept after later successes so status can show it. */
  lastError(name: string): { at: string; code: string } | undefined;
  /** Run one connector's scheduled sync now (what a tick does), resolving when it has ended. */
  runNow(name: string, slot?: Date): Promise<ScheduledRunState>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  log?: (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, msg: string) => void;
  /** Waits between retries (tests shorten nothing: the workspace's retry_backoff_seconds apply). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const schedulers = new WeakMap<object, SyncScheduler>();

/** The scheduler started for this runtime's lake, if any (for `analyst connectors status` run by the server). */
export function schedulerOf(rt: Pick<Runtime, 'lake'>): SyncScheduler | undefined {
  return schedulers.get(rt.lake);
}

/**
 * Start syncing every connector with `schedule: "<cron>"` (read in its `timezone`) at its times.
 * At most one run per connector and time slot across replicas: on a PostgreSQL catalog a
 * transaction-free advisory lock on the catalog database, held for the run, and a check of the
 * shared sync history for a run of this slot; on a DuckDB-file catalog the process holds the only
 * lake, so the in-process sync lock suffices. A failed run is retried `retries` times, waiting
 * `retry_backoff_seconds` and doubling; when the last attempt fails an incident is raised through
 * the workspace's incident path (audit record + pager).
 *
 * @example const scheduler = startScheduler(rt, { log }); … await scheduler.stop();
 */
export function startScheduler(rt: Runtime, options: SchedulerOptions = {}): SyncScheduler {
  const ws = rt.workspace;
  const log = options.log ?? (() => {});
  const stopping = new AbortController();
  const sleep = options.sleep ?? abortableSleep;
  const jobs = new Map<string, Cron>();
  const last = new Map<string, ScheduledRunState>();
  const errors = new Map<string, { at: string; code: string }>();
  const running = new Set<Promise<unknown>>();
  const active = new Set<string>();

  const lockKey = (name: string) => {
    const lake = ws.config.lake;
    return `analyst-sync:${lake.catalog === 'duckdb' ? ws.dir : lake.catalog_schema}:${name}`;
  };

  /** On a PG catalog: the advisory lock for this connector, or null when another replica holds it. */
  const acquireReplicaLock = async (name: string): Promise<{ release(): Promise<void> } | null> => {
    const lake = ws.config.lake;
    if (lake.catalog === 'duckdb') return { release: async () => {} };
    const client = new pg.Client({ connectionString: resolveSecret(lake.catalog, ws.dir) });
    await client.connect();
    const key = lockKey(name);
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
    if (!got.rows[0]?.ok) {
      await client.end();
      return null;
    }
    return {
      release: async () => {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
        await client.end();
      },
    };
  };

  /** Whether a replica already started this slot's run (the sync history is in the shared lake). */
  const slotTaken = async (name: string, slot: Date): Promise<boolean> => {
    const exists = await rt.lake.query(
      `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = '_analyst'
       AND table_name = 'sync_history'`,
    );
    if (Number(exists.rows[0]?.[0]) === 0) return false;
    const r = await rt.lake.query(
      'SELECT count(*) FROM lake._analyst.sync_history WHERE connector = $1 AND started_at >= $2::TIMESTAMPTZ',
      [name, slot.toISOString()],
    );
    return Number(r.rows[0]?.[0]) > 0;
  };

  const attemptOnce = async (name: string): Promise<string | undefined> => {
    try {
      const run = await syncConnector(connectorConfig(ws, name), {
        ...workspaceSyncEnv(ws),
        author: 'analyst-schedule',
        lake: rt.lake,
      });
      const failed = run.streams.find((s) => s.status !== 'ok');
      return failed ? (failed.error?.code ?? 'SYNC_FAILED') : undefined;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'SYNC_FAILED';
    }
  };

  const runNow = async (name: string, slot: Date = new Date()): Promise<ScheduledRunState> => {
    const entry = ws.config.connectors[name];
    if (!entry) throw new Error(`No connector "${name}" in analyst.yaml.`);
    const startedAt = new Date().toISOString();
    const finish = (s: Omit<ScheduledRunState, 'startedAt' | 'finishedAt'>): ScheduledRunState => {
      const state = { startedAt, finishedAt: new Date().toISOString(), ...s };
      last.set(name, state);
      return state;
    };
    const lock = await acquireReplicaLock(name);
    if (!lock) {
      log('info', { connector: name }, 'scheduled sync skipped: another replica is running it');
      return finish({ outcome: 'skipped', attempts: 0, reason: 'another replica is running it' });
    }
    try {
      const result = await exclusiveSync(
        rt,
        async (): Promise<ScheduledRunState> => {
          if (ws.config.lake.catalog !== 'duckdb' && (await slotTaken(name, slot))) {
            log('info', { connector: name }, 'scheduled sync skipped: another replica ran this slot');
            return finish({ outcome: 'skipped', attempts: 0, reason: 'another replica ran this slot' });
          }
          let code: string | undefined;
          let attempts = 0;
          active.add(name);
          try {
            for (let attempt = 0; attempt <= entry.retries; attempt++) {
              if (attempt > 0) {
                const wait = entry.retry_backoff_seconds * 1000 * 2 ** (attempt - 1);
                log(
                  'warn',
                  { connector: name, attempt, code, waitMs: wait },
                  'scheduled sync failed; retrying',
                );
                await sleep(wait, stopping.signal);
                if (stopping.signal.aborted) break;
              }
              attempts++;
              code = await attemptOnce(name);
              if (!code) break;
            }
          } finally {
            active.delete(name);
            // New tables or changed columns: this replica's model and agent see them at once.
            await rt.reload().catch(() => {});
          }
          if (!code) {
            log('info', { connector: name, attempts }, 'scheduled sync done');
            return finish({ outcome: 'ok', attempts });
          }
          errors.set(name, { at: new Date().toISOString(), code });
          log('error', { connector: name, attempts, code }, 'scheduled sync failed after its retries');
          await rt.incidents.reporter.raise({
            kind: 'scheduled_sync_failed',
            severity: 'critical',
            summary: `The scheduled sync of connector "${name}" failed after ${attempts} attempt(s) (${code}).`,
            details: { connector: name, attempts, code, schedule: entry.schedule },
          });
          return finish({ outcome: 'failed', attempts, errorCode: code });
        },
        { wait: true },
      );
      return result as ScheduledRunState;
    } finally {
      await lock.release();
    }
  };

  for (const [name, entry] of Object.entries(ws.config.connectors)) {
    if (!entry.schedule) continue;
    const job: Cron = new Cron(
      entry.schedule,
      { timezone: entry.timezone, protect: true },
      (): Promise<void> => {
        // The scheduled time this tick stands for (not when it fired): replicas agree on it. Croner
        // never fires early, so the last scheduled time up to a second from now is this tick's.
        const slot: Date = job.previousRuns(1, new Date(Date.now() + 1000))[0] ?? new Date();
        const p: Promise<unknown> = runNow(name, slot).catch((err: unknown) =>
          log('error', { connector: name, err: (err as Error).name }, 'scheduled sync could not run'),
        );
        running.add(p);
        void p.finally(() => running.delete(p));
        return p.then(() => {});
      },
    );
    jobs.set(name, job);
  }

  const scheduler: SyncScheduler = {
    nextRun: (name) => jobs.get(name)?.nextRun() ?? null,
    lastRun: (name) => last.get(name),
    isRunning: (name) => active.has(name),
    lastError: (name) => errors.get(name),
    runNow,
    stop: async () => {
      for (const job of jobs.values()) job.stop();
      stopping.abort();
      await Promise.allSettled([...running]);
      schedulers.delete(rt.lake);
    },
  };
  schedulers.set(rt.lake, scheduler);
  return scheduler;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
