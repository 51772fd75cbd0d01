import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parseDocument } from 'yaml';
import { AnalystError } from '../core/index.ts';
import {
  type BackupFile,
  copyLake,
  fileKeyProvider,
  hashFile,
  hashTree,
  type LakeCopy,
  Lakehouse,
} from '../lakehouse/index.ts';
import { CONFIG_FILE, USERS_FILE, type Workspace } from '../workspace/index.ts';
import { borrowLake } from './hosted.ts';

export const MANIFEST = 'backup.json';

/** A key the backup needs but does not hold: where it was, and its fingerprint to check it by. */
export interface KeyReference {
  /** Where the restored workspace keeps it (relative to the workspace), or null: the config's reference stays. */
  file: string | null;
  /** Where it was read from when the backup was made (a file path, or `env:NAME` / `command`). */
  from: string;
  /** SHA-256 of the key bytes: identifies the key without holding it. */
  sha256: string | null;
}

/** `backup.json`: what a backup holds and how to check it. */
export interface BackupManifest {
  format: 'analyst-backup';
  version: 1;
  createdAt: string;
  workspace: { name: string; dir: string };
  lake: { snapshot: number; tables: Array<{ name: string; rows: number }> };
  audit: { copied: boolean; anchors: string[] };
  conversations: { copied: boolean };
  /** The keys, by reference only: never their bytes. */
  keys: KeyReference[];
  files: BackupFile[];
}

export class BackupError extends AnalystError {
  constructor(message: string, options: { cause?: unknown; exitCode?: 1 | 2 } = {}) {
    super('BACKUP_INVALID', message, { exitCode: options.exitCode ?? 1, cause: options.cause });
    this.name = 'BackupError';
  }
}

/**
 * `analyst backup create DIR`: a consistent copy of the workspace at one lake snapshot (the lake's
 * catalog and data files, copied while no write can start), the audit store (anchors first, then
 * an online SQLite copy, so the copy is never behind its anchors), conversations and the
 * configuration (analyst.yaml, users.yaml, the model, dashboards). Keys are recorded by reference
 * and fingerprint, never copied.
 *
 * @example const manifest = await createBackup(ws, '/backups/monday');
 */
export async function createBackup(ws: Workspace, dir: string): Promise<BackupManifest> {
  const into = resolve(dir);
  if ((await readdir(into).catch(() => [])).length > 0)
    throw new BackupError(`${into} is not empty; give a new folder for the backup.`, { exitCode: 2 });
  if (ws.config.audit.store !== 'workspace')
    throw new BackupError('The audit store is in PostgreSQL: backing it up is not built yet (use pg_dump).');
  await mkdir(into, { recursive: true, mode: 0o700 });
  try {
    const { lake, release } = await borrowLake(ws);
    let copy: LakeCopy;
    try {
      copy = await copyLake(lake, into);
    } finally {
      await release();
    }
    // Configuration.
    for (const f of [CONFIG_FILE, USERS_FILE]) await copyIfExists(join(ws.dir, f), join(into, f));
    await copyIfExists(ws.path(ws.config.semantic.model_dir), join(into, 'model'));
    await copyIfExists(join(ws.dir, 'dashboards'), join(into, 'dashboards'));
    await copyIfExists(join(ws.dir, 'state', 'api-keys.json'), join(into, 'state', 'api-keys.json'));
    // Audit: anchors before the store, so the copied store is at or past every copied anchor.
    const anchors: string[] = [];
    await mkdir(join(into, 'audit'), { recursive: true, mode: 0o700 });
    for (const [i, a] of ws.config.audit.anchors.entries()) {
      const target = `audit/anchors-${i}.log`;
      if (await copyIfExists(ws.path(a.file), join(into, target))) anchors.push(target);
    }
    await sqliteCopy(ws.path(ws.config.audit.path), join(into, 'audit', 'audit.db'));
    const conversations =
      ws.config.conversations.store === 'workspace' &&
      (await sqliteCopy(join(ws.dir, 'state', 'conversations.db'), join(into, 'state', 'conversations.db')));
    const files = (await hashTree(into, into)).filter((f) => !f.path.startsWith('lake/'));
    const manifest: BackupManifest = {
      format: 'analyst-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      workspace: { name: ws.config.name, dir: ws.dir },
      lake: { snapshot: copy.snapshot, tables: copy.tables },
      audit: { copied: true, anchors },
      conversations: { copied: Boolean(conversations) },
      keys: await keyReferences(ws),
      files: [...copy.files, ...files].sort((a, b) => a.path.localeCompare(b.path)),
    };
    await writeFile(join(into, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return manifest;
  } catch (err) {
    await rm(into, { recursive: true, force: true });
    throw err;
  }
}

/** What `backup verify` found: every file against its hash, then the lake opened from a scratch copy. */
export interface BackupCheck {
  ok: boolean;
  snapshot: number;
  files: number;
  problems: string[];
  tables: Array<{ name: string; rows: number }>;
}

/**
 * `analyst backup verify DIR`: every file's size and SHA-256 against the manifest, the keys found
 * where the manifest says (or in `keysFrom`) with the fingerprints it records, and the lake opened
 * from a scratch copy of its catalog: at the recorded snapshot, with the recorded row counts.
 *
 * @example const check = await verifyBackup('/backups/monday'); if (!check.ok) …
 */
export async function verifyBackup(dir: string, options: { keysFrom?: string } = {}): Promise<BackupCheck> {
  const from = resolve(dir);
  const manifest = await readManifest(from);
  const problems: string[] = [];
  for (const f of manifest.files) {
    const got = await hashFile(from, join(from, f.path)).catch(() => undefined);
    if (!got) problems.push(`${f.path}: missing`);
    else if (got.sha256 !== f.sha256 || got.bytes !== f.bytes)
      problems.push(`${f.path}: changed since the backup`);
  }
  const keys = await findKeys(manifest, options.keysFrom, problems);
  let tables: BackupCheck['tables'] = [];
  const lakeKey = keys.get(manifest.keys[0]?.file ?? '')?.path;
  if (problems.length === 0 && lakeKey) {
    const scratch = await mkdtemp(join(tmpdir(), 'analyst-backup-verify-'));
    try {
      await copyFile(join(from, 'lake', 'catalog.ducklake'), join(scratch, 'catalog.ducklake'));
      const lake = await Lakehouse.open({
        catalog: { type: 'duckdb', path: join(scratch, 'catalog.ducklake') },
        dataPath: join(from, 'lake', 'data'),
        encrypted: true,
        key: fileKeyProvider(lakeKey),
      });
      try {
        const snaps = await lake.snapshots();
        const last = snaps.at(-1)?.id;
        if (last !== manifest.lake.snapshot)
          problems.push(`the lake is at snapshot ${last}, the manifest says ${manifest.lake.snapshot}`);
        tables = (await lake.status()).tables;
        for (const t of manifest.lake.tables) {
          const got = tables.find((x) => x.name === t.name)?.rows;
          if (got !== t.rows)
            problems.push(`table ${t.name}: ${got ?? 'missing'} rows, the manifest says ${t.rows}`);
        }
      } finally {
        await lake.close();
      }
    } catch (err) {
      problems.push(
        `the lake does not open: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return {
    ok: problems.length === 0,
    snapshot: manifest.lake.snapshot,
    files: manifest.files.length,
    problems,
    tables,
  };
}

/**
 * `analyst backup restore DIR --into NEWDIR`: check the backup, copy it into a new workspace
 * folder, and put each key back where the restored workspace expects it, read from where the
 * manifest says it was (or from `keysFrom`) and checked against its fingerprint.
 *
 * @example await restoreBackup('/backups/monday', '/srv/analyst-restored');
 */
export async function restoreBackup(
  dir: string,
  intoDir: string,
  options: { keysFrom?: string } = {},
): Promise<{ into: string; snapshot: number; tables: Array<{ name: string; rows: number }> }> {
  const from = resolve(dir);
  const into = resolve(intoDir);
  if ((await readdir(into).catch(() => [])).length > 0)
    throw new BackupError(`${into} is not empty; restore into a new folder.`, { exitCode: 2 });
  const check = await verifyBackup(from, options);
  if (!check.ok) throw new BackupError(`The backup does not verify: ${check.problems.join('; ')}`);
  const manifest = await readManifest(from);
  const keys = await findKeys(manifest, options.keysFrom, []);
  await mkdir(into, { recursive: true, mode: 0o700 });
  try {
    for (const f of manifest.files) {
      await mkdir(dirname(join(into, f.path)), { recursive: true, mode: 0o700 });
      await copyFile(join(from, f.path), join(into, f.path));
    }
    await mkdir(join(into, 'keys'), { recursive: true, mode: 0o700 });
    for (const ref of manifest.keys) {
      const bytes = ref.file ? keys.get(ref.file)?.bytes : undefined;
      if (ref.file && bytes) {
        await mkdir(dirname(join(into, ref.file)), { recursive: true, mode: 0o700 });
        await writeFile(join(into, ref.file), bytes, { mode: 0o600 });
        await chmod(join(into, ref.file), 0o600);
      }
    }
    // The restored layout: the lake, the audit store and its anchors where the backup put them.
    const path = join(into, CONFIG_FILE);
    const doc = parseDocument(await readFile(path, 'utf8'));
    if (doc.getIn(['lake', 'catalog']) === 'duckdb')
      doc.setIn(['lake', 'catalog_path'], 'lake/catalog.ducklake');
    doc.setIn(['lake', 'data_path'], 'lake/data');
    doc.setIn(['audit', 'path'], 'audit/audit.db');
    doc.setIn(['audit', 'anchors'], doc.createNode(manifest.audit.anchors.map((file) => ({ file }))));
    if (await exists(join(into, 'model'))) doc.setIn(['semantic', 'model_dir'], 'model');
    await writeFile(path, doc.toString());
    return { into, snapshot: manifest.lake.snapshot, tables: check.tables };
  } catch (err) {
    await rm(into, { recursive: true, force: true });
    throw err;
  }
}

async function readManifest(dir: string): Promise<BackupManifest> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as BackupManifest;
    if (m.format !== 'analyst-backup' || m.version !== 1) throw new Error('not an analyst backup');
    return m;
  } catch (cause) {
    throw new BackupError(
      `${dir} holds no readable ${MANIFEST}: is it a backup made by 'analyst backup create'?`,
      {
        cause,
      },
    );
  }
}

/**
 * The keys a workspace uses, by reference: the lake key first, then the audit signing key and the
 * other files of keys/ (token signing keys). A key from the environment or a command is recorded
 * by name; the restored workspace's config keeps that reference.
 */
async function keyReferences(ws: Workspace): Promise<KeyReference[]> {
  const refs: KeyReference[] = [];
  const add = async (file: string | null, abs: string | null, label: string) => {
    if (refs.some((r) => r.file !== null && r.file === file)) return;
    const bytes = abs ? await readFile(abs).catch(() => undefined) : undefined;
    refs.push({ file, from: abs ?? label, sha256: bytes ? sha256(bytes) : null });
  };
  const k = ws.config.lake.key;
  if (k.source === 'file') {
    const abs = ws.path(k.path);
    await add(inside(ws.dir, abs) ? relative(ws.dir, abs) : null, abs, abs);
  } else await add(null, null, k.source === 'env' ? `env:${k.name}` : 'command');
  const signing = ws.config.audit.signing_key;
  if (typeof signing === 'string') {
    const abs = ws.path(signing);
    await add(inside(ws.dir, abs) ? relative(ws.dir, abs) : null, abs, abs);
  }
  for (const e of await readdir(join(ws.dir, 'keys'), { withFileTypes: true }).catch(() => [])) {
    if (e.isFile()) await add(join('keys', e.name), join(ws.dir, 'keys', e.name), e.name);
  }
  return refs;
}

/** Read each referenced key (from `keysFrom/<file>` when given, else where it was) and check its fingerprint. */
async function findKeys(
  manifest: BackupManifest,
  keysFrom: string | undefined,
  problems: string[],
): Promise<Map<string, { bytes: Buffer; path: string }>> {
  const found = new Map<string, { bytes: Buffer; path: string }>();
  for (const ref of manifest.keys) {
    if (!ref.file || !ref.sha256) continue;
    const candidates = [
      ...(keysFrom
        ? [join(resolve(keysFrom), ref.file), join(resolve(keysFrom), ref.file.replace(/^keys\//, ''))]
        : []),
      ...(isAbsolute(ref.from) ? [ref.from] : []),
    ];
    let ok = false;
    for (const c of candidates) {
      const bytes = await readFile(c).catch(() => undefined);
      if (bytes && sha256(bytes) === ref.sha256) {
        found.set(ref.file, { bytes, path: c });
        ok = true;
        break;
      }
    }
    if (!ok)
      problems.push(
        `key ${ref.file}: not found with fingerprint sha256:${ref.sha256.slice(0, 12)}… at ${candidates.join(' or ')} (pass --keys-from DIR)`,
      );
  }
  return found;
}

/** An online, consistent copy of an SQLite database (other processes may be writing it). */
async function sqliteCopy(from: string, to: string): Promise<boolean> {
  if (!(await exists(from))) return false;
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  const db = new Database(from, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(to);
  } finally {
    db.close();
  }
  return true;
}

async function copyIfExists(from: string, to: string): Promise<boolean> {
  if (!(await exists(from))) return false;
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  await cp(from, to, { recursive: true });
  return true;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return !r.startsWith('..') && !isAbsolute(r);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
