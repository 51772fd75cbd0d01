/**
 * The lakehouse: DuckDB 1.4.4 + DuckLake, encrypted at rest, offline extensions.
 * Other folders import only from here.
 */
export { lakeAtSnapshot } from './at-snapshot.ts';
export { type BackupFile, copyLake, hashFile, hashTree, type LakeCopy } from './backup.ts';
export type { CatalogConfig, CommitInfo, LakehouseConfig, S3Config } from './config.ts';
export {
  ExtensionMissingError,
  LakehouseError,
  type LakehouseErrorCode,
  QueryTimeoutError,
} from './errors.ts';
export {
  defaultExtensionDirectory,
  type ExtensionSource,
  extensionsPresent,
  installExtensions,
} from './extensions/install.ts';
export { DUCKDB_VERSION, REQUIRED_EXTENSIONS } from './extensions/platform.ts';
export {
  commandKeyProvider,
  envKeyProvider,
  fileKeyProvider,
  generateKey,
  type KeyProvider,
  staticKeyProvider,
} from './keys.ts';
export {
  LAKE,
  Lakehouse,
  type LakeStatus,
  type Params,
  tableRef,
  type WriteTransaction,
} from './lakehouse.ts';
export { PSEUDONYM_FUNCTION, pseudonymKey } from './pseudonym.ts';
export type { QueryResult, ResultColumn } from './result.ts';
export type { SnapshotInfo, TimeTravel } from './snapshots.ts';
export type { ColumnDef, ColumnTags, PhiTag, TableInfo } from './tables.ts';
