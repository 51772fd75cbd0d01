import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { isAnalystError, quoteIdent, quoteLiteral } from '../core/index.ts';
import type { CommitInfo, LakehouseConfig } from './config.ts';
import { LakehouseError, QueryTimeoutError } from './errors.ts';
import { defaultExtensionDirectory, extensionsPresent, installExtensions } from './extensions/install.ts';
import { ConnectionPool } from './pool.ts';
import { pseudonymKey, pseudonymMacroSql } from './pseudonym.ts';
import { type QueryResult, toQueryResult } from './result.ts';
import { listSnapshots, type SnapshotInfo, type TimeTravel, timeTravelClause } from './snapshots.ts';
import { DEFAULT_COPY_LIMITS, TableCopies } from './table-copies.ts';
import { type ColumnDef, type ColumnTags, TableCatalog, type TableInfo } from './tables.ts';
import type { Params, WriteTransaction } from './types.ts';

export type { Params, WriteTransaction };

/** The catalog alias every statement uses: lake tables are `lake.main."name"`. */
export const LAKE = 'lake';
const META = `__ducklake_metadata_${LAKE}`;
const TAG_TABLE = `${LAKE}._analyst.column_tags`;
const CONFLICT_RETRIES = 5;

/** What `status()` reports; the CLI prints it as `analyst lake status --json`. */
export interface LakeStatus {
  format: 'ducklake';
  catalog: 'duckdb' | 'postgres';
  dataPath: string;
  encrypted: boolean;
  catalogEncrypted: boolean;
  tables: Array<{ name: string; rows: number }>;
  snapshots: number;
}

/**
 * An encrypted DuckDB + DuckLake lakehouse. Open it once per process, share it, close it.
 *
 * Writes go through one write connection, serialised in-process; each is one DuckLake
 * transaction recording who and why. Reads use a pool with a per-query timeout that interrupts
 * DuckDB itself.
 *
 * @example
 * const lake = await Lakehouse.open({ catalog: { type: 'duckdb', path: 'lake/catalog.ducklake' },
 *   dataPath: 'lake/data', key: fileKeyProvider('keys/lake.key'), create: true });
 * await lake.replaceTable('t', 'SELECT 1 AS x', { author: 'me', message: 'demo' });
 * await lake.close();
 */
export class Lakehouse {
  readonly tables: TableCatalog;
  #closed = false;
  #writeQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly config: Readonly<LakehouseConfig>,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly pool: ConnectionPool,
    private readonly isolatedPool: ConnectionPool,
    private readonly copies: TableCopies,
  ) {
    this.tables = new TableCatalog((sql, params) => this.query(sql, params), TAG_TABLE);
  }

  /** Attach (or with `create`, make) the lake described by `config`. */
  static async open(config: LakehouseConfig): Promise<Lakehouse> {
    const encrypted = config.encrypted ?? true;
    const extDir = config.extensionDirectory ?? defaultExtensionDirectory();
    if (!(await extensionsPresent(extDir))) await installExtensions({ directory: extDir });

    let metaKey: string | undefined;
    if (config.catalog.type === 'duckdb') {
      const exists = await fileExists(config.catalog.path);
      if (!exists && !config.create) {
        throw new LakehouseError(
          'LAKE_OPEN_FAILED',
          `No lake catalog at ${config.catalog.path}. Create the workspace with 'analyst init', or check lake.catalog.`,
        );
      }
      if (encrypted) {
        if (!config.key) {
          throw new LakehouseError(
            'LAKE_KEY_MISSING',
            'The lake is encrypted but no key provider is configured.',
          );
        }
        metaKey = await config.key.getKey();
      }
      await mkdir(dirname(config.catalog.path), { recursive: true });
    }
    if (!config.dataPath.includes('://')) await mkdir(config.dataPath, { recursive: true });
    // Pseudonyms are keyed with the workspace key; a lake opened without one gets a pseudonym
    // function that refuses, never an unkeyed hash.
    const workspaceKey = metaKey ?? (await config.key?.getKey().catch(() => undefined));
    const pseudonyms = pseudonymMacroSql(workspaceKey ? pseudonymKey(workspaceKey) : null);

    const settings: Record<string, string> = {
      extension_directory: extDir,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_unsigned_extensions: 'false',
      allow_community_extensions: 'false',
      // Spilled intermediate results hold PHI too.
      temp_file_encryption: 'true',
    };
    if (config.threads) settings.threads = String(config.threads);
    if (config.memoryLimit) settings.memory_limit = config.memoryLimit;
    if (config.tempDirectory) settings.temp_directory = config.tempDirectory;

    const instance = await DuckDBInstance.create(':memory:', settings);
    const writer = await instance.connect();
    let isolated: ConnectionPool | undefined;
    try {
      for (const ext of [
        'httpfs',
        'ducklake',
        ...(config.catalog.type === 'postgres' ? ['postgres_scanner'] : []),
      ]) {
        await writer.run(`LOAD ${ext}`);
      }
      if (config.s3) await writer.run(s3SecretSql(config.s3));
      await writer.run(attachSql(config, encrypted, metaKey));
      await ensureTagTable(writer);
      await writer.run(pseudonyms);
      // Connections for caller-written SQL keep the empty in-memory database as their default, so
      // an unqualified name can only ever bind to what the gate substituted, never to a lake table.
      // They do not keep insertion order (a statement that wants an order says ORDER BY): the
      // gate's row-policy barrier is a LIMIT, which DuckDB runs on one thread when it must keep
      // the order. Opened now, because the lock-down below freezes every setting.
      isolated = await ConnectionPool.create(instance, config.readConnections ?? 4, async (c) => {
        await c.run('SET SESSION preserve_insertion_order = false');
      });
      await isolated.warm();
      if (config.sandbox) await lockDown(writer, config);
    } catch (cause) {
      isolated?.close();
      writer.closeSync();
      instance.closeSync();
      throw mapOpenError(cause, config);
    }
    const pool = await ConnectionPool.create(instance, config.readConnections ?? 4, async (c) => {
      await c.run(`USE ${LAKE}`);
    });
    // Its default catalog stays the empty in-memory one: only what a statement names in the lake
    // is read from the lake.
    const copies = new TableCopies(
      await instance.connect(),
      `SELECT max(snapshot_id) FROM ${metadataSchema(config)}.ducklake_snapshot`,
      (name) => {
        const [schema, table] = name.split('.') as [string, string];
        return `${LAKE}.${quoteIdent(schema)}.${quoteIdent(table)}`;
      },
      { ...DEFAULT_COPY_LIMITS, ...config.tableCopies },
    );
    return new Lakehouse(config, instance, writer, pool, isolated, copies);
  }

  /**
   * Run a read query on a pooled connection. Interrupted inside DuckDB after `timeoutMs`.
   * `sql` is trusted here: user- or model-written SQL goes through the governed gate, never here.
   * `maxRows` streams and stops after the cap (`truncated`); `isolated` runs on a connection whose
   * default catalog is empty (the gate uses it).
   */
  async query(
    sql: string,
    params: Params = [],
    options: {
      timeoutMs?: number | undefined;
      maxRows?: number | undefined;
      isolated?: boolean;
      /** Aborting interrupts the statement inside DuckDB (a client's cancel request). */
      signal?: AbortSignal | undefined;
    } = {},
  ): Promise<QueryResult & { truncated: boolean }> {
    this.#assertOpen();
    const timeoutMs = options.timeoutMs ?? this.config.queryTimeoutMs ?? 30_000;
    const pool = options.isolated ? this.isolatedPool : this.pool;
    return pool.use((conn) => runWithTimeout(conn, sql, params, timeoutMs, options.maxRows, options.signal));
  }

  /**
   * Run a read statement over private in-memory copies of small lake tables (`schema.table`; the
   * semantic layer's rollups), as of the latest snapshot: exactly what the statement would read
   * from the lake now, without binding DuckLake tables (see `TableCopies`). `sqlFor` gets each
   * table's copy relation and writes the statement, or returns null when it reads anything else of
   * the lake. Null when the statement is not run that way: run it with `query`.
   * `sql` is trusted, as for `query`.
   *
   * @example
   * const r = await lake.queryCopies(['_preagg.t'], (rel) => `SELECT * FROM ${rel.get('_preagg.t')}`);
   * const rows = (r ?? (await lake.query('SELECT * FROM lake._preagg.t'))).rows;
   */
  async queryCopies(
    tables: readonly string[],
    sqlFor: (relations: ReadonlyMap<string, string>) => string | null,
    params: Params = [],
    options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<(QueryResult & { truncated: boolean; snapshot: number }) | null> {
    this.#assertOpen();
    for (const t of tables) {
      const [schema, table, more] = t.split('.');
      if (more !== undefined || !schema || !table) return null;
      tableRef(schema);
      tableRef(table);
    }
    const timeoutMs = options.timeoutMs ?? this.config.queryTimeoutMs ?? 30_000;
    const r = await this.copies.query(tables, sqlFor, params, (conn, exec) =>
      guarded(conn, timeoutMs, options.signal, exec),
    );
    return r && { ...r, truncated: false };
  }

  /** The copies `queryCopies` holds now: the snapshot they are of, and each table's rows. */
  heldCopies(): { snapshot: number | undefined; tables: Array<{ table: string; rows: number }> } {
    return this.copies.held();
  }

  /**
   * Run `fn` inside one DuckLake transaction that records `commit`. All or nothing: if `fn` throws,
   * nothing it wrote becomes visible. With `retryOnConflict`, `fn` is re-run when another writer
   * committed a conflicting change first (it must then be safe to repeat).
   */
  async withTransaction<T>(
    commit: CommitInfo,
    fn: (tx: WriteTransaction) => Promise<T>,
    options: { retryOnConflict?: boolean } = {},
  ): Promise<T> {
    this.#assertOpen();
    const attempt = async (): Promise<T> => {
      const conn = this.writer;
      await conn.run('BEGIN TRANSACTION');
      try {
        await conn.run(`CALL ${LAKE}.set_commit_message($1, $2)`, [commit.author, commit.message]);
        const tx: WriteTransaction = {
          connection: conn,
          run: async (sql, params = []) => {
            await conn.run(sql, params as DuckDBValue[]);
          },
          all: async (sql, params = []) =>
            toQueryResult(await conn.runAndReadAll(sql, params as DuckDBValue[])),
        };
        const value = await fn(tx);
        await conn.run('COMMIT');
        return value;
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => {});
        throw err;
      }
    };
    const run = async (): Promise<T> => {
      for (let i = 0; ; i++) {
        try {
          return await attempt();
        } catch (err) {
          const conflict = isConflict(err);
          if (conflict && options.retryOnConflict && i < CONFLICT_RETRIES) {
            await sleep(20 * 2 ** i + Math.random() * 20);
            continue;
          }
          if (conflict) {
            throw new LakehouseError(
              'WRITE_CONFLICT',
              'Another writer changed the same table at the same time; nothing was written. Try again.',
              { cause: err },
            );
          }
          if (isAnalystError(err)) throw err;
          const denied = storageDenied(err, this.config);
          if (denied) throw denied;
          throw new LakehouseError('WRITE_FAILED', `The write was rolled back: ${firstLine(err)}`, {
            cause: err,
          });
        }
      }
    };
    // One writer connection, one transaction at a time.
    const next = this.#writeQueue.then(run, run);
    this.#writeQueue = next.catch(() => {});
    return next;
  }

  /** Create an empty table with the given columns (comments and tags included), in one commit. */
  async createTable(name: string, columns: readonly ColumnDef[], commit: CommitInfo): Promise<void> {
    const ref = tableRef(name);
    await this.withTransaction(commit, async (tx) => {
      const cols = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
      await tx.run(`CREATE TABLE ${ref} (${cols})`);
      await this.tables.writeColumnMetadata(tx, name, columns);
    });
  }

  /** Replace a table's contents with the rows of `selectSql`; readers see the old rows until commit. */
  async replaceTable(
    name: string,
    selectSql: string,
    commit: CommitInfo,
    params: Params = [],
  ): Promise<void> {
    await this.withTransaction(
      commit,
      (tx) => tx.run(`CREATE OR REPLACE TABLE ${tableRef(name)} AS ${selectSql}`, params),
      {
        retryOnConflict: true,
      },
    );
  }

  /** Append the rows of `selectSql`, matching columns by name. Returns the rows appended. */
  async append(name: string, selectSql: string, commit: CommitInfo, params: Params = []): Promise<number> {
    return this.withTransaction(
      commit,
      async (tx) => {
        const r = await tx.all(`INSERT INTO ${tableRef(name)} BY NAME ${selectSql}`, params);
        return Number(r.rows[0]?.[0] ?? 0);
      },
      { retryOnConflict: true },
    );
  }

  /** Merge the rows of `selectSql` by primary key: update matches, insert the rest. */
  async upsert(
    name: string,
    selectSql: string,
    primaryKey: readonly string[],
    commit: CommitInfo,
    params: Params = [],
  ): Promise<number> {
    if (primaryKey.length === 0)
      throw new LakehouseError('INVALID_NAME', `upsert into ${name} needs a primary key`);
    const on = primaryKey
      .map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM s.${quoteIdent(k)}`)
      .join(' AND ');
    const sql = `MERGE INTO ${tableRef(name)} AS t USING (${selectSql}) AS s ON ${on}
      WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`;
    return this.withTransaction(
      commit,
      async (tx) => {
        const r = await tx.all(sql, params);
        return Number(r.rows[0]?.[0] ?? 0);
      },
      { retryOnConflict: true },
    );
  }

  /** Add columns that do not exist yet (schema evolution); existing ones are left alone. */
  async addColumns(name: string, columns: readonly ColumnDef[], commit: CommitInfo): Promise<void> {
    await this.withTransaction(commit, async (tx) => {
      for (const c of columns) {
        await tx.run(
          `ALTER TABLE ${tableRef(name)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.type}`,
        );
      }
      await this.tables.writeColumnMetadata(tx, name, columns);
    });
  }

  /** Set a table comment, or a column comment when `column` is given. */
  async setComment(name: string, comment: string, commit: CommitInfo, column?: string): Promise<void> {
    await this.withTransaction(commit, (tx) =>
      tx.run(
        column
          ? `COMMENT ON COLUMN ${tableRef(name)}.${quoteIdent(column)} IS ${quoteLiteral(comment)}`
          : `COMMENT ON TABLE ${tableRef(name)} IS ${quoteLiteral(comment)}`,
      ),
    );
  }

  /** Record tags (e.g. `{ phi: 'direct' }`) on columns; stored in the lake beside the data. */
  async setColumnTags(name: string, tags: Record<string, ColumnTags>, commit: CommitInfo): Promise<void> {
    await this.withTransaction(commit, (tx) =>
      this.tables.writeColumnMetadata(
        tx,
        name,
        Object.entries(tags).map(([column, t]) => ({ name: column, type: '', tags: t })),
      ),
    );
  }

  /** Tables with their columns, comments and tags. */
  async listTables(): Promise<TableInfo[]> {
    return this.tables.list();
  }

  /**
   * The id of the latest committed snapshot: what a statement started now reads. Cheap (one
   * catalog lookup); result caches key on it, so a commit invalidates them by construction.
   */
  async currentSnapshot(): Promise<number> {
    // What DuckLake itself reads when a transaction starts, read from the catalog's metadata on a
    // connection whose default catalog is not the lake (there, even this statement would start a
    // DuckLake transaction first: a few ms instead of a fraction of one).
    const r = await this.query(
      `SELECT max(snapshot_id) FROM ${metadataSchema(this.config)}.ducklake_snapshot`,
      [],
      {
        isolated: true,
      },
    );
    return Number(r.rows[0]?.[0]);
  }

  /** Every snapshot, oldest first, with author and commit message. */
  async snapshots(): Promise<SnapshotInfo[]> {
    return listSnapshots((sql) => this.query(sql));
  }

  /** `lake.main."name"`, optionally as of a snapshot id or a timestamp (time travel). */
  tableRef(name: string, at?: TimeTravel): string {
    return at ? `${tableRef(name)} ${timeTravelClause(at)}` : tableRef(name);
  }

  /** Summary for `analyst lake status`. */
  async status(): Promise<LakeStatus> {
    const meta = await this.query(
      `SELECT key, value FROM ${metadataSchema(this.config)}.ducklake_metadata WHERE scope IS NULL`,
    );
    const values = new Map(meta.rows.map((r) => [String(r[0]), String(r[1])]));
    const tables = await this.tables.list();
    const rows: Array<{ name: string; rows: number }> = [];
    for (const t of tables) {
      const r = await this.query(`SELECT count(*) FROM ${tableRef(t.name)}`);
      rows.push({ name: t.name, rows: Number(r.rows[0]?.[0] ?? 0) });
    }
    const snaps = await this.query(`SELECT count(*) FROM ${LAKE}.snapshots()`);
    const dataEncrypted = values.get('encrypted') === 'true';
    const catalogEncrypted = this.config.catalog.type === 'duckdb' ? (this.config.encrypted ?? true) : false;
    return {
      format: 'ducklake',
      catalog: this.config.catalog.type,
      // With a DuckDB catalog the workspace's configured path overrides the one recorded at creation.
      dataPath:
        this.config.catalog.type === 'duckdb'
          ? withSlash(this.config.dataPath)
          : (values.get('data_path') ?? this.config.dataPath),
      // For a PostgreSQL catalog, the catalog's own encryption is PostgreSQL's (disk, TLS).
      encrypted: dataEncrypted && (this.config.catalog.type === 'postgres' || catalogEncrypted),
      catalogEncrypted,
      tables: rows,
      snapshots: Number(snaps.rows[0]?.[0] ?? 0),
    };
  }

  /**
   * Maintenance: expire snapshots older than `expireOlderThanDays`, merge small files, and delete
   * files no snapshot references any more.
   */
  async maintain(options: { expireOlderThanDays: number }): Promise<{
    expiredSnapshots: number;
    mergedTables: number;
    deletedFiles: number;
  }> {
    this.#assertOpen();
    const run = async () => {
      const days = Math.max(0, Math.floor(options.expireOlderThanDays));
      const expired = toQueryResult(
        await this.writer.runAndReadAll(
          `CALL ducklake_expire_snapshots('${LAKE}', older_than => now() - to_days(CAST($1 AS INTEGER)))`,
          [days],
        ),
      );
      const merged = toQueryResult(
        await this.writer.runAndReadAll(`CALL ducklake_merge_adjacent_files('${LAKE}')`),
      );
      const cleaned = toQueryResult(
        await this.writer.runAndReadAll(`CALL ducklake_cleanup_old_files('${LAKE}', cleanup_all => true)`),
      );
      const orphans = toQueryResult(
        await this.writer.runAndReadAll(
          `CALL ducklake_delete_orphaned_files('${LAKE}', cleanup_all => true)`,
        ),
      );
      return {
        expiredSnapshots: expired.rows.length,
        mergedTables: merged.rows.length,
        deletedFiles: cleaned.rows.length + orphans.rows.length,
      };
    };
    const next = this.#writeQueue.then(run, run);
    this.#writeQueue = next.catch(() => {});
    return next;
  }

  /**
   * Run `fn` while no write can start (it waits in the one write queue), after the catalog has been
   * checkpointed: the catalog file and the data files on disk are then one consistent snapshot,
   * whose id `fn` receives. What `analyst backup create` copies under.
   */
  async quiesced<T>(fn: (snapshot: number) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const run = async (): Promise<T> => {
      if (this.config.catalog.type === 'duckdb') await this.writer.run(`CHECKPOINT ${META}`);
      const r = await this.writer.runAndReadAll(`SELECT max(snapshot_id) FROM ${LAKE}.snapshots()`);
      return fn(Number(r.getRows()[0]?.[0]));
    };
    const next = this.#writeQueue.then(run, run);
    this.#writeQueue = next.catch(() => {});
    return next;
  }

  /** Close every connection and the instance. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writeQueue;
    this.copies.close();
    this.pool.close();
    this.isolatedPool.close();
    this.writer.closeSync();
    this.instance.closeSync();
  }

  /** The DuckDB instance, for subsystems that build their own connections (the governed gate). */
  get duckdb(): DuckDBInstance {
    this.#assertOpen();
    return this.instance;
  }

  #assertOpen(): void {
    if (this.#closed) throw new LakehouseError('LAKE_CLOSED', 'The lakehouse has been closed.');
  }
}

/** `lake.main."name"` after checking the name is a plain identifier. */
export function tableRef(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new LakehouseError(
      'INVALID_NAME',
      `"${name.slice(0, 64)}" is not a valid table name (letters, digits, underscore).`,
    );
  }
  return `${LAKE}.main.${quoteIdent(name)}`;
}

async function runWithTimeout(
  conn: DuckDBConnection,
  sql: string,
  params: Params,
  timeoutMs: number,
  maxRows: number | undefined,
  signal?: AbortSignal,
): Promise<QueryResult & { truncated: boolean }> {
  return guarded(conn, timeoutMs, signal, async () => {
    if (maxRows === undefined) {
      return { ...toQueryResult(await conn.runAndReadAll(sql, params as DuckDBValue[])), truncated: false };
    }
    // Stream and stop after the cap: a huge result is never materialised.
    const reader = await conn.streamAndReadUntil(sql, maxRows + 1, params as DuckDBValue[]);
    const result = toQueryResult(reader);
    const truncated = result.rows.length > maxRows;
    return { columns: result.columns, rows: result.rows.slice(0, maxRows), truncated };
  });
}

/** Run `exec` on `conn`, interrupted inside DuckDB after `timeoutMs` or when `signal` aborts. */
async function guarded<T>(
  conn: DuckDBConnection,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  exec: () => Promise<T>,
): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.interrupt();
  }, timeoutMs);
  const cancel = () => conn.interrupt();
  if (signal?.aborted) {
    clearTimeout(timer);
    throw new LakehouseError('QUERY_CANCELLED', 'The query was cancelled.');
  }
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await exec();
  } catch (err) {
    if (timedOut) throw new QueryTimeoutError(timeoutMs);
    if (signal?.aborted)
      throw new LakehouseError('QUERY_CANCELLED', 'The query was cancelled.', { cause: err });
    const denied = storageDenied(err, undefined);
    if (denied) throw denied;
    throw new LakehouseError('QUERY_FAILED', `The query failed: ${firstLine(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

/** The catalog's metadata tables (`ducklake_snapshot`, …) as DuckDB names them. */
function metadataSchema(config: LakehouseConfig): string {
  const c = config.catalog;
  return c.type === 'postgres' ? `${META}.${quoteIdent(c.schema ?? 'public')}` : META;
}

/**
 * After the lake is attached: only the lake's own paths (and any configured source folders) are
 * reachable, extensions cannot be installed or loaded, and no setting can be changed again.
 */
async function lockDown(conn: DuckDBConnection, config: LakehouseConfig): Promise<void> {
  const dirs = [config.dataPath, config.tempDirectory, ...(config.sandbox?.readDirectories ?? [])]
    .filter((d): d is string => Boolean(d))
    .map(withSlash);
  if (config.catalog.type === 'duckdb') dirs.push(withSlash(dirname(config.catalog.path)));
  await conn.run(`SET allowed_directories = [${dirs.map(quoteLiteral).join(', ')}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
}

function attachSql(config: LakehouseConfig, encrypted: boolean, metaKey: string | undefined): string {
  const options = [`DATA_PATH ${quoteLiteral(withSlash(config.dataPath))}`];
  if (encrypted) options.push('ENCRYPTED');
  let target: string;
  if (config.catalog.type === 'duckdb') {
    target = `ducklake:${config.catalog.path}`;
    // The workspace may have moved since the lake was made; its data path follows the workspace.
    options.push('OVERRIDE_DATA_PATH true');
    if (metaKey) options.push(`META_ENCRYPTION_KEY ${quoteLiteral(metaKey)}`);
  } else {
    target = `ducklake:postgres:${config.catalog.url}`;
    if (config.catalog.schema) options.push(`METADATA_SCHEMA ${quoteLiteral(config.catalog.schema)}`);
  }
  return `ATTACH ${quoteLiteral(target)} AS ${LAKE} (${options.join(', ')})`;
}

function s3SecretSql(s3: NonNullable<LakehouseConfig['s3']>): string {
  const parts = ['TYPE s3'];
  if (s3.accessKeyId) parts.push(`KEY_ID ${quoteLiteral(s3.accessKeyId)}`);
  if (s3.secretAccessKey) parts.push(`SECRET ${quoteLiteral(s3.secretAccessKey)}`);
  if (s3.region) parts.push(`REGION ${quoteLiteral(s3.region)}`);
  if (s3.endpoint) parts.push(`ENDPOINT ${quoteLiteral(s3.endpoint)}`);
  if (s3.urlStyle) parts.push(`URL_STYLE ${quoteLiteral(s3.urlStyle)}`);
  if (s3.useSsl !== undefined) parts.push(`USE_SSL ${s3.useSsl ? 'true' : 'false'}`);
  return `CREATE OR REPLACE SECRET analyst_lake_s3 (${parts.join(', ')})`;
}

async function ensureTagTable(conn: DuckDBConnection): Promise<void> {
  const r = await conn.runAndReadAll(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = '${LAKE}' AND schema_name = '_analyst' AND table_name = 'column_tags'`,
  );
  if (Number(r.getRows()[0]?.[0] ?? 0) > 0) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`CALL ${LAKE}.set_commit_message('analyst', 'create column tag table')`);
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${LAKE}._analyst`);
    await conn.run(
      `CREATE TABLE IF NOT EXISTS ${TAG_TABLE} (table_name VARCHAR, column_name VARCHAR, tag VARCHAR, value VARCHAR)`,
    );
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => {});
    // Another process created it first: that is fine.
    if (!isConflict(err) && !/already exists/i.test(String(err))) throw err;
  }
}

function mapOpenError(cause: unknown, config: LakehouseConfig): LakehouseError {
  const text = String(cause instanceof Error ? cause.message : cause);
  if (/wrong encryption key|encryption key.*(incorrect|invalid)|failed to decrypt/i.test(text)) {
    return new LakehouseError(
      'LAKE_KEY_INVALID',
      `The lake key from ${config.key?.description ?? 'the configuration'} does not open this lake's catalog (wrong key).`,
      { cause },
    );
  }
  if (/encrypt/i.test(text) && /key/i.test(text)) {
    return new LakehouseError(
      'LAKE_KEY_INVALID',
      `The lake catalog's encryption does not match the configuration (lake.encrypted and the key): ${firstLine(cause)}`,
      { cause },
    );
  }
  const where = config.catalog.type === 'duckdb' ? config.catalog.path : 'the PostgreSQL catalog';
  return new LakehouseError(
    'LAKE_OPEN_FAILED',
    `The lake at ${where} could not be opened: ${firstLine(cause)}`,
    {
      cause,
    },
  );
}

function isConflict(err: unknown): boolean {
  return /conflict/i.test(String(err instanceof Error ? err.message : err));
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Object storage that refuses the lake's credentials answers 403 (unknown key id, wrong secret, a
 * bucket policy): say that, and which settings to check, instead of DuckDB's HTTP error text.
 */
function storageDenied(
  err: unknown,
  config: Readonly<LakehouseConfig> | undefined,
): LakehouseError | undefined {
  const text = err instanceof Error ? err.message : String(err);
  if (!/HTTP (?:code )?403|FORBIDDEN|InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/i.test(text))
    return undefined;
  const where = config?.dataPath.includes('://') ? ` for ${config.dataPath}` : '';
  return new LakehouseError(
    'LAKE_STORAGE_DENIED',
    `The object store refused the lake's credentials (HTTP 403)${where}: check lake.s3.access_key_id and lake.s3.secret_access_key, and that the bucket policy lets this key read and write the data path. Nothing was written.`,
    { cause: err },
  );
}
