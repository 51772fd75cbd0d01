import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LakehouseError } from './errors.ts';
import type { Lakehouse } from './lakehouse.ts';

/** A file in a backup: its path inside the backup folder, size and SHA-256. */
export interface BackupFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** What a copy of the lake holds: the snapshot it is at, its tables with row counts, its files. */
export interface LakeCopy {
  snapshot: number;
  tables: Array<{ name: string; rows: number }>;
  files: BackupFile[];
}

/**
 * Copy a lake with a DuckDB-file catalog into `into/lake/` (`catalog.ducklake` and `data/`), at one
 * snapshot: no write can start while the files are copied (data files are immutable, the catalog
 * is checkpointed first). The copy stays encrypted as the lake is: the catalog under the workspace
 * key, each data file under its own key held in the catalog.
 *
 * @example const copy = await copyLake(lake, '/backups/2026-12-06');
 */
export async function copyLake(lake: Lakehouse, into: string): Promise<LakeCopy> {
  const catalog = lake.config.catalog;
  if (catalog.type !== 'duckdb')
    throw new LakehouseError(
      'BACKUP_UNSUPPORTED',
      'Backing up a lake whose catalog is in PostgreSQL is not built yet: back up the catalog schema with pg_dump and the data path with your storage tool, at a quiet moment.',
    );
  if (lake.config.dataPath.includes('://'))
    throw new LakehouseError(
      'BACKUP_UNSUPPORTED',
      'Backing up a lake whose data path is object storage is not built yet: use the bucket’s versioning or replication.',
    );
  const target = join(into, 'lake');
  await mkdir(target, { recursive: true, mode: 0o700 });
  return lake.quiesced(async (snapshot) => {
    await copyFile(catalog.path, join(target, 'catalog.ducklake'));
    await cp(lake.config.dataPath, join(target, 'data'), { recursive: true });
    const status = await lake.status();
    const files = await hashTree(into, target);
    return { snapshot, tables: status.tables, files };
  });
}

/** Every file under `dir`, with paths relative to `root`, sorted. */
export async function hashTree(root: string, dir: string): Promise<BackupFile[]> {
  const out: BackupFile[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(await hashFile(root, p));
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** One file's entry: path relative to `root`, size, SHA-256. */
export async function hashFile(root: string, path: string): Promise<BackupFile> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path: relative(root, path), bytes: (await stat(path)).size, sha256: hash.digest('hex') };
}
