import type { KeyProvider } from './keys.ts';

/** Where the lake's catalog lives: an embedded DuckDB file, or PostgreSQL for several processes. */
export type CatalogConfig =
  | { type: 'duckdb'; path: string }
  | { type: 'postgres'; url: string; schema?: string | undefined };

/** S3-compatible object storage for the data path (configured through httpfs). */
export interface S3Config {
  endpoint?: string | undefined;
  region?: string | undefined;
  urlStyle?: 'path' | 'vhost' | undefined;
  useSsl?: boolean | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

/**
 * Everything `Lakehouse.open` needs. Built by the workspace from analyst.yaml; tests build it
 * directly.
 */
export interface LakehouseConfig {
  catalog: CatalogConfig;
  /** A local folder or an s3:// URL. */
  dataPath: string;
  /** Encrypt data files (DuckLake ENCRYPTED) and the DuckDB catalog file. On unless said otherwise. */
  encrypted?: boolean;
  /** Required when encrypted with a DuckDB catalog: the key of the catalog file. */
  key?: KeyProvider | undefined;
  /** Create the lake when its catalog does not exist yet (init); otherwise a missing catalog is an error. */
  create?: boolean;
  extensionDirectory?: string | undefined;
  threads?: number | undefined;
  memoryLimit?: string | undefined;
  /** Read connections in the pool. */
  readConnections?: number | undefined;
  /** Default per-query timeout for reads. */
  queryTimeoutMs?: number | undefined;
  /** Where DuckDB spills (encrypted) temporary files. */
  tempDirectory?: string | undefined;
  s3?: S3Config | undefined;
  /**
   * Lock the engine down once the lake is attached (for processes that run user- or model-written
   * SQL): no external access except these folders and the lake's own paths, configuration locked.
   */
  sandbox?: { readDirectories?: string[] } | undefined;
  /**
   * Bounds of the in-memory copies of small tables (rollups) that `queryCopies` reads: a table with
   * more than `maxRows` rows, or past `maxTotalRows` in all, is read from the lake.
   */
  tableCopies?: { maxRows?: number; maxTotalRows?: number } | undefined;
  /** Author recorded on snapshots when a write names none. */
  defaultAuthor?: string | undefined;
}

/** Who made a change and why: recorded as the DuckLake snapshot's author and commit message. */
export interface CommitInfo {
  author: string;
  message: string;
}
