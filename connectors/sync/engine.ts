import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lakehouse } from '../../lakehouse/index.ts';
import { ConnectorError, isConnectorErrorCode } from '../errors.ts';
import { createRedactor } from '../sdk/redact.ts';
import type {
  AnyConnector,
  ConnectorContext,
  ConnectorLogger,
  OnReject,
  StreamDef,
  SyncMode,
} from '../sdk/types.ts';
import { loadStream, type StreamResult, type SyncEvent } from './load-stream.ts';
import { prepareOptions, type SecretResolver } from './options.ts';
import type { PhiRule } from './phi-rules.ts';
import { ensureSyncTables, readState } from './system-tables.ts';

/** A stream selection with optional overrides, as analyst.yaml spells it. */
export interface StreamSelection {
  name: string;
  mode?: SyncMode | undefined;
  cursor_field?: string | undefined;
  primary_key?: string[] | undefined;
  /** Lake table name (default: the stream name, with the connector's table_prefix). */
  table?: string | undefined;
}

/** One configured connector: the `connectors.<name>` entry of analyst.yaml. */
export interface ConnectorConfig {
  name: string;
  type: string;
  options: Record<string, unknown>;
  streams?: Array<string | StreamSelection> | undefined;
  mode: SyncMode;
  on_reject: OnReject;
  phi_rules?: PhiRule[] | undefined;
  table_prefix?: string | undefined;
}

/** Everything a sync needs from its caller. */
export interface SyncEnvironment {
  lake: Lakehouse;
  connectors: ReadonlyMap<string, AnyConnector>;
  resolveSecret: SecretResolver;
  /** Refuse literal secrets in options (true for analyst.yaml; tests may pass literals). */
  requireSecretReferences?: boolean;
  author?: string;
  /** Relative paths in options are resolved against this folder (default: the current one). */
  baseDir?: string;
  log?: ConnectorLogger;
  onEvent?: (e: SyncEvent) => void;
}

/** What one connector's sync did, stream by stream. */
export interface SyncRunResult {
  runId: string;
  connector: string;
  streams: StreamResult[];
}

/** A connector with its options prepared: the handle the CLI's check/discover/sync use. */
export interface OpenedConnector {
  connector: AnyConnector;
  options: unknown;
  ctx: ConnectorContext;
  redact: (text: string) => string;
  close(): Promise<void>;
}

/**
 * Resolve and validate a configured connector's options, with a redacting logger and a private
 * temp folder. Close it when done.
 *
 * @example const c = await openConnector(config, env); await c.connector.check(c.options, c.ctx); await c.close();
 */
export async function openConnector(
  config: ConnectorConfig,
  env: Omit<SyncEnvironment, 'lake'>,
): Promise<OpenedConnector> {
  const connector = env.connectors.get(config.type);
  if (!connector) {
    throw new ConnectorError(
      'CONNECTOR_UNKNOWN',
      `Connector ${config.name} has type "${config.type}", which is not installed. Known types: ${[...env.connectors.keys()].join(', ')}.`,
      { exitCode: 2 },
    );
  }
  const prepared = prepareOptions(connector, config.options, env.resolveSecret, {
    requireReferences: env.requireSecretReferences ?? false,
    label: `connectors.${config.name}`,
  });
  const redact = createRedactor(prepared.secrets);
  const tempDir = await mkdtemp(join(tmpdir(), `analyst-sync-${config.name}-`));
  const base = env.log;
  const log: ConnectorLogger = {
    info: (m, f) => base?.info(redact(m), redactFields(f, redact)),
    warn: (m, f) => base?.warn(redact(m), redactFields(f, redact)),
    debug: (m, f) => base?.debug(redact(m), redactFields(f, redact)),
  };
  return {
    connector,
    options: prepared.options,
    ctx: { log, tempDir, baseDir: env.baseDir ?? process.cwd() },
    redact,
    close: () => rm(tempDir, { recursive: true, force: true }),
  };
}

/** Run a connector call, turning any failure into a ConnectorError whose text holds no secret. */
export async function guarded<T>(opened: OpenedConnector, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw sanitize(err, opened.redact, what);
  }
}

/** The same error with secrets removed from its message; foreign errors become CONNECTOR_READ_FAILED. */
export function sanitize(err: unknown, redact: (t: string) => string, what: string): ConnectorError {
  const message = redact(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown }).code;
  if (
    isConnectorErrorCode(code) ||
    (typeof code === 'string' && /^CONNECTOR_|^SCHEMA_|^STREAM_|^REJECTS_/.test(code))
  ) {
    return new ConnectorError(code as ConnectorError['code'], message, { cause: new Error(message) });
  }
  return new ConnectorError('CONNECTOR_READ_FAILED', `${what} failed: ${message.split('\n')[0]}`, {
    cause: new Error(message),
  });
}

/**
 * Sync a configured connector into the lake: discover its streams, then load each (selected)
 * stream in its own transaction. A failing stream is recorded and the others still run.
 *
 * @example const run = await syncConnector(config, { lake, connectors: createConnectorRegistry(), resolveSecret });
 */
export async function syncConnector(config: ConnectorConfig, env: SyncEnvironment): Promise<SyncRunResult> {
  const opened = await openConnector(config, env);
  const runId = randomUUID();
  try {
    const discovered = await guarded(opened, `${config.name}: discover`, () =>
      opened.connector.discover(opened.options, opened.ctx),
    );
    const selected = selectStreams(config, discovered);
    await ensureSyncTables(env.lake);
    const results: StreamResult[] = [];
    for (const { stream, selection } of selected) {
      const mode = selection.mode ?? config.mode;
      const table = selection.table ?? `${config.table_prefix ?? ''}${stream.name}`;
      const state = mode === 'full_refresh' ? undefined : await readState(env.lake, config.name, stream.name);
      results.push(
        await loadStream({
          lake: env.lake,
          connectorName: config.name,
          connector: opened.connector,
          options: opened.options,
          stream,
          table,
          mode,
          onReject: config.on_reject,
          phiRules: config.phi_rules ?? [],
          state,
          runId,
          author: env.author ?? 'analyst-sync',
          ctx: opened.ctx,
          redact: opened.redact,
          onEvent: env.onEvent,
        }),
      );
    }
    return { runId, connector: config.name, streams: results };
  } finally {
    await opened.close();
  }
}

function selectStreams(
  config: ConnectorConfig,
  discovered: StreamDef[],
): Array<{ stream: StreamDef; selection: StreamSelection }> {
  if (!config.streams || config.streams.length === 0) {
    return discovered.map((stream) => ({ stream, selection: { name: stream.name } }));
  }
  return config.streams.map((s) => {
    const selection = typeof s === 'string' ? { name: s } : s;
    const found = discovered.find((d) => d.name === selection.name);
    if (!found) {
      throw new ConnectorError(
        'STREAM_NOT_FOUND',
        `connectors.${config.name}: no stream "${selection.name}". Available: ${discovered.map((d) => d.name).join(', ') || '(none)'}.`,
        { exitCode: 2 },
      );
    }
    const stream: StreamDef = {
      ...found,
      cursorField: selection.cursor_field ?? found.cursorField,
      primaryKey: selection.primary_key ?? found.primaryKey,
    };
    return { stream, selection };
  });
}

function redactFields(
  fields: Record<string, unknown> | undefined,
  redact: (t: string) => string,
): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  return JSON.parse(redact(JSON.stringify(fields))) as Record<string, unknown>;
}
