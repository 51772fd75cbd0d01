import type { Table } from 'apache-arrow';
import type { z } from 'zod';
import type { PhiTag } from '../../lakehouse/index.ts';

/** How a stream is loaded into its lake table. */
export type SyncMode = 'full_refresh' | 'incremental_append' | 'incremental_dedupe';

/** What a rejected record does to its stream: skip it (recorded in the rejects table), or fail the stream. */
export type OnReject = 'skip' | 'fail';

/** A column of a stream as its source describes it. */
export interface StreamColumn {
  name: string;
  /** DuckDB type the lake column gets, e.g. VARCHAR, BIGINT, DOUBLE, DATE, TIMESTAMP, DECIMAL(18,2). */
  type: string;
  /** What the connector knows about the column's PHI class; rules fill in the rest. */
  phi?: PhiTag | undefined;
  comment?: string | undefined;
  /** A relationship, `table.column`, recorded as a tag. */
  references?: string | undefined;
}

/** One stream (a table, a file set, an API resource) a connector can read. */
export interface StreamDef {
  name: string;
  columns: StreamColumn[];
  primaryKey: string[];
  /** The column incremental reads resume after (a monotonically growing value). */
  cursorField?: string | undefined;
  /** Rows, when the source knows them (drives the progress bar's ETA). */
  estimatedRows?: number | undefined;
  comment?: string | undefined;
}

/** JSON a connector emits to resume an incremental read; stored in the lake only after its data commits. */
export type StreamState = { [key: string]: unknown };

/** Formats DuckDB reads natively. */
export type FileFormat = 'csv' | 'parquet' | 'json' | 'ndjson';

/** CSV dialect of a file batch; the defaults are RFC 4180 with a header line. */
export interface CsvDialect {
  header?: boolean;
  delimiter?: string;
  quote?: string;
  escape?: string;
  /** When false, `""` is an empty string rather than NULL (PostgreSQL's COPY CSV). */
  allowQuotedNulls?: boolean;
}

/** A batch that is a file: DuckDB reads it at its own speed. */
export interface FileBatch {
  kind: 'file';
  path: string;
  format: FileFormat;
  csv?: CsvDialect;
  /** Size in bytes (progress and history). */
  bytes?: number;
  /** What rejects name as the source (defaults to `path`). */
  source?: string;
  /** Delete the file after it is loaded (connector-made staging files). */
  temporary?: boolean;
}

/** A batch of Apache Arrow data, loaded column-wise. */
export interface ArrowBatch {
  kind: 'arrow';
  table: Table;
  source?: string;
}

export type Batch = FileBatch | ArrowBatch;

/** What `read` yields: data, a resumable checkpoint, or a record the connector itself rejected. */
export type ReadMessage =
  | { type: 'batch'; batch: Batch }
  | { type: 'state'; state: StreamState }
  | { type: 'reject'; source: string; offset: number; reason: string };

/** Logging as connectors see it; the engine redacts secret values before anything is written. */
export interface ConnectorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** What the engine hands every connector call. */
export interface ConnectorContext {
  log: ConnectorLogger;
  /** A private folder for staging files; removed after the sync. */
  tempDir: string;
  /** The folder relative paths in options are resolved against (the workspace). */
  baseDir: string;
  signal?: AbortSignal | undefined;
}

/**
 * A connector: one typed module. Options are validated by `spec` at the edge; inside, they are trusted.
 * Secrets in `spec` are marked with `secret()`, so the engine resolves `${env:…}`/`${file:…}`
 * references for them and redacts their values from logs and errors.
 */
export interface Connector<O = unknown> {
  type: string;
  description: string;
  spec: z.ZodType<O>;
  /** Can the source be reached with these options? `{ reason }` says what is wrong. */
  check(options: O, ctx: ConnectorContext): Promise<true | { reason: string }>;
  discover(options: O, ctx: ConnectorContext): Promise<StreamDef[]>;
  /** Batches of `stream`, after `state` when given (incremental), with state checkpoints between them. */
  read(
    options: O,
    stream: StreamDef,
    state: StreamState | undefined,
    ctx: ConnectorContext,
  ): AsyncIterable<ReadMessage>;
}

/** A connector whose option type is erased, for registries. */
// biome-ignore lint/suspicious/noExplicitAny: option types differ per connector; each validates its own.
export type AnyConnector = Connector<any>;
