import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createAdaptorServer, serve } from '@hono/node-server';
import type { Command } from 'commander';
import { pino } from 'pino';
import {
  connectorReadDirectories,
  duckdbLimitWithin,
  limitProcessMemory,
  openRuntime,
  parseByteSize,
  SERVE_CHILD_ENV,
  serveHandedConnections,
  serveServices,
  sqlWireServices,
  startScheduler,
  superviseServe,
  watchSnapshots,
} from '../../app/index.ts';
import { runDoctor, workspaceDoctorInputs } from '../../compliance/index.ts';
import { compileModelPartial, formatDiagnostic, readModelFiles } from '../../semantic/index.ts';
import {
  createApp,
  createSharedLimits,
  isLoopback,
  ServerError,
  type SqlListener,
  startSqlListener,
} from '../../server/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { openControlSocket } from '../control/server.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const DAY = 86_400_000;

interface ServeOpts {
  host?: string;
  port?: string;
  insecureHttp?: boolean;
  strict?: boolean;
  sqlPort?: string;
}

/**
 * `analyst serve [--host 127.0.0.1] [--port 8787] [--insecure-http] [--strict]`: the HTTP API.
 * HTTPS (TLS 1.2+, HSTS) when server.tls is configured; plain HTTP only on loopback unless
 * --insecure-http. --strict refuses to start while the compliance doctor lists gaps.
 */
export function registerServe(program: Command, run: Run): void {
  program
    .command('serve')
    .description('serve the HTTP API (chat, Cube API, governed SQL, audit)')
    .option('--host <host>', 'address to listen on (default from analyst.yaml, else 127.0.0.1)')
    .option('--port <port>', 'port (default from analyst.yaml, else 8787; 0 picks a free one)')
    .option('--insecure-http', 'allow plain HTTP on a non-loopback address (not for PHI)')
    .option('--strict', 'refuse to start while the compliance doctor reports gaps')
    .option('--sql-port <port>', 'also serve the SQL API over the PostgreSQL wire protocol on this port')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<ServeOpts>(cmd);
        const ws = await loadWorkspace(opts);
        const config = ws.config.server;
        const host = opts.host ?? config.host;
        const port = opts.port !== undefined ? Number(opts.port) : config.port;
        const logger = pino({ level: process.env.ANALYST_LOG_LEVEL ?? 'info' }, pino.destination(2));
        // A supervised child: the supervisor ran the checks and holds the port; this one serves.
        const supervisedChild = process.env[SERVE_CHILD_ENV] === '1';
        if (opts.strict && !supervisedChild) {
          const report = await runDoctor(workspaceDoctorInputs(ws));
          if (!report.ok) {
            const gaps = report.checks.flatMap((c) => c.gaps.map((g) => `  ${c.id}. ${c.title}: ${g}`));
            throw new ServerError(
              'FORBIDDEN',
              `Not starting (--strict): the compliance doctor found gaps:\n${gaps.join('\n')}`,
            );
          }
          // A partial model serves what works; --strict wants all of it.
          const model = compileModelPartial(await readModelFiles(ws.path(ws.config.semantic.model_dir)));
          if (model.diagnostics.length)
            throw new ServerError(
              'FORBIDDEN',
              `Not starting (--strict): the model has problems (analyst model validate lists them):\n${model.diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`,
            );
        }
        const tls = config.tls;
        if (!tls && !LOOPBACK.has(host) && !opts.insecureHttp) {
          throw new ServerError(
            'INSECURE_LISTEN',
            `Refusing plain HTTP on ${host}: configure server.tls (cert, key) or pass --insecure-http (never for PHI).`,
          );
        }
        if (!tls && !LOOPBACK.has(host))
          logger.warn({ host }, 'serving plain HTTP on a non-loopback address (--insecure-http)');
        const sqlPort = opts.sqlPort !== undefined ? Number(opts.sqlPort) : config.sql.port;
        const sqlHost = config.sql.host ?? host;
        if (sqlPort !== undefined && !tls && !isLoopback(sqlHost)) {
          throw new ServerError(
            'INSECURE_LISTEN',
            `Refusing the SQL API on ${sqlHost} without TLS: configure server.tls (cert, key); clients then connect with sslmode=require.`,
          );
        }

        if (config.supervise && !supervisedChild) {
          const supervisor = await superviseServe({
            host,
            port,
            tls: Boolean(tls),
            entry: process.argv[1] ?? '',
            args: process.argv.slice(2),
            logger,
          });
          logger.info({ url: supervisor.url, auth: config.auth.mode, supervised: true }, 'listening');
          process.stdout.write(`${JSON.stringify({ status: 'listening', url: supervisor.url })}\n`);
          await stopSignal();
          await supervisor.stop();
          logger.info('stopped');
          return 0;
        }

        // Before the lake opens: every statement a caller runs is then under the OS limit.
        const memory = await limitProcessMemory(config.limits.process_memory);
        // DuckDB spills its buffer pool to disk at its own memory_limit: keep that well inside the
        // process limit, so ordinary large queries spill instead of failing, and the rest of the
        // process (V8, other operators' state) keeps room.
        const lakeMemoryLimit = memory.applied && memory.bytes ? duckdbLimitWithin(memory.bytes) : undefined;
        if (memory.applied)
          logger.info(
            { bytes: memory.bytes, lakeMemoryLimit: ws.config.lake.memory_limit ?? lakeMemoryLimit },
            'process memory limit applied',
          );
        else if (memory.reason !== 'off')
          logger.warn(
            { reason: memory.reason },
            'process memory limit not applied (server.limits.process_memory)',
          );
        const configured = ws.config.lake.memory_limit && parseByteSize(ws.config.lake.memory_limit);
        if (memory.applied && memory.bytes && configured && configured > memory.bytes * 0.8)
          logger.warn(
            { lakeMemoryLimit: ws.config.lake.memory_limit, processMemory: memory.bytes },
            'lake.memory_limit is close to or above server.limits.process_memory; keep it well below',
          );

        const rt = await openRuntime(ws, {
          ...(lakeMemoryLimit ? { lakeMemoryLimit } : {}),
          route: 'analyst serve',
          readDirectories: connectorReadDirectories(ws),
        });
        for (const x of rt.semantic.modelProblems().excluded)
          logger.warn(
            { kind: x.kind, name: x.name, reason: x.reason },
            'model: left out, the rest is served',
          );
        const services = await serveServices(rt);
        // CLI commands typed beside this server run here, on its lake (DuckDB-file catalog).
        const control = await openControlSocket(rt, logger);
        // Connectors with a `schedule`, and other replicas' syncs followed through the catalog.
        const scheduler = startScheduler(rt, { log: (level, fields, msg) => logger[level](fields, msg) });
        const watch = watchSnapshots(rt, {
          everyMs: Number(process.env.ANALYST_SNAPSHOT_WATCH_MS ?? 5000),
          onReload: (snapshot) => logger.info({ snapshot }, 'lake changed: model reloaded'),
          onError: (err) => logger.warn({ err: (err as Error).name }, 'snapshot watch failed'),
        });
        const limits = createSharedLimits(config);
        const app = createApp(services, { logger, tls: Boolean(tls), limits });
        let sqlListener: SqlListener | undefined;
        if (sqlPort !== undefined) {
          sqlListener = await startSqlListener({
            services: sqlWireServices(rt, services),
            limits,
            logger,
            options: {
              host: sqlHost,
              port: sqlPort,
              tls: tls
                ? { cert: readFileSync(ws.path(tls.cert)), key: readFileSync(ws.path(tls.key)) }
                : undefined,
              requireTls: !isLoopback(sqlHost),
              maxConnections: config.sql.max_connections,
              idleTimeoutMs: Math.round(config.sql.idle_timeout_minutes * 60_000),
              statementTimeoutMs: config.limits.request_timeout_ms,
              maxRows: config.sql.max_rows,
              perIdentity: config.limits.concurrent_queries_per_identity,
              queueWaitMs: config.limits.queue_wait_ms,
              serverVersion: '15.0',
              database: config.sql.database,
            },
          });
          logger.info({ url: sqlListener.url }, 'SQL API listening');
        }
        const adaptor = {
          fetch: app.fetch,
          hostname: host,
          port,
          ...(tls
            ? {
                createServer: createHttpsServer,
                serverOptions: {
                  cert: readFileSync(ws.path(tls.cert)),
                  key: readFileSync(ws.path(tls.key)),
                  minVersion: 'TLSv1.2' as const,
                },
              }
            : {}),
        };
        let server: ReturnType<typeof serve>;
        let handed: { close(): void } | undefined;
        if (supervisedChild) {
          server = createAdaptorServer(adaptor);
          handed = serveHandedConnections(server);
        } else {
          server = serve(adaptor);
          await new Promise<void>((resolve, reject) => {
            server.once('listening', resolve);
            server.once('error', reject);
          });
          const address = server.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
          logger.info({ url, auth: config.auth.mode }, 'listening');
          // Scripts and tests read this line to find the server.
          process.stdout.write(
            `${JSON.stringify({ status: 'listening', url, ...(sqlListener ? { sql: sqlListener.url } : {}) })}\n`,
          );
        }

        // Retention on a schedule: audit bodies per policy, conversations per their setting.
        const retention = setInterval(() => {
          rt.audit
            .retention()
            .catch((err: unknown) => logger.error({ err: (err as Error).name }, 'audit retention failed'));
          rt.conversations.purgeOlderThan(ws.config.conversations.retention_days).catch(() => {});
        }, DAY);
        retention.unref();

        await stopSignal();
        clearInterval(retention);
        // Each step of the shutdown runs even when one before it failed (logged); one that outlasts
        // the deadline is named and the process exits anyway (an orchestrator would kill it; this
        // says where it hung).
        let current = '';
        let failed = false;
        const deadline = config.shutdown_timeout_seconds;
        const hung = setTimeout(() => {
          logger.error({ step: current, seconds: deadline }, 'shutdown did not finish in time: exiting');
          process.exit(1);
        }, deadline * 1000);
        hung.unref();
        const step = async (name: string, run: () => unknown) => {
          current = name;
          try {
            await run();
          } catch (err) {
            failed = true;
            logger.error({ step: name, err: (err as Error).message }, 'shutdown step failed');
          }
        };
        logger.info('stopping');
        await step('sql listener', () => sqlListener?.close());
        await step('http server', async () => {
          if (handed) {
            handed.close();
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            return;
          }
          // Idle keep-alive connections close now; requests in flight finish first.
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          await closed;
        });
        await step('snapshot watch', () => watch.stop());
        await step('scheduled syncs', () => scheduler.stop());
        await step('control socket', () => control?.close());
        await step('runtime (chat, caches, conversations, audit, lake)', () => rt.close());
        // The deadline stays armed (unref'd): it fires only if something still holds the process open.
        current = 'exit (a handle still open after every step finished)';
        logger.info('stopped');
        return failed ? 1 : 0;
      }),
    );
}

function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
