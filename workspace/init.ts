import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { generateKey } from '../lakehouse/index.ts';
import { DEFAULT_ANCHOR_FILE } from './audit-config.ts';
import { newAuditSigningKey } from './audit-signing-key.ts';
import type { UsersFile } from './config.ts';
import { WorkspaceError } from './errors.ts';
import { CONFIG_FILE, USERS_FILE, Workspace } from './workspace.ts';

export interface InitOptions {
  /** `duckdb` (default) or a postgres:// URL for a shared catalog. */
  catalog?: string;
  catalogSchema?: string;
  dataPath?: string;
  encrypted?: boolean;
  name?: string;
  users?: UsersFile['users'];
  onProgress?: (line: string) => void;
}

/** The dev identities a new workspace starts with; one per built-in role. */
export const DEFAULT_DEV_USERS: UsersFile['users'] = [
  { id: 'admin', name: 'Admin', roles: ['admin'], attributes: {} },
  { id: 'analyst', name: 'Analyst', roles: ['analyst'], attributes: {} },
  { id: 'clinician', name: 'Clinician', roles: ['clinician'], attributes: { organization_id: '' } },
  { id: 'auditor', name: 'Auditor', roles: ['auditor'], attributes: {} },
];

/**
 * Create a workspace: analyst.yaml, users.yaml, keys/ (0700, key 0600) and an empty encrypted lake.
 * Built beside the target and renamed into place, so a failure leaves nothing half-created.
 *
 * @example const ws = await initWorkspace('/tmp/ws');
 */
export async function initWorkspace(dir: string, options: InitOptions = {}): Promise<Workspace> {
  const target = resolve(dir);
  if (await nonEmptyDir(target)) {
    throw new WorkspaceError(
      'WORKSPACE_EXISTS',
      `${target} already exists and is not empty; choose a new folder.`,
      {
        exitCode: 2,
      },
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.init-${process.pid}-${Date.now()}`);
  const say = options.onProgress ?? (() => {});
  try {
    await mkdir(join(staging, 'keys'), { recursive: true, mode: 0o700 });
    // Where the semantic model and dashboards live: empty until a preset or the user adds files,
    // so `analyst serve` works on a new workspace too.
    await mkdir(join(staging, 'model'), { recursive: true });
    await mkdir(join(staging, 'dashboards'), { recursive: true });
    await chmod(join(staging, 'keys'), 0o700);
    await writeFile(join(staging, 'keys', 'workspace.key'), `${generateKey()}\n`, { mode: 0o600 });
    // The audit signing key is made now so its fingerprint can be pinned in analyst.yaml: verify
    // then refuses a log re-signed with a key someone swapped into keys/.
    const auditKey = newAuditSigningKey();
    await writeFile(join(staging, 'keys', 'audit-signing.key'), auditKey.pem, { mode: 0o600 });
    const lake: Record<string, unknown> = {
      catalog: options.catalog ?? 'duckdb',
      ...(options.catalogSchema ? { catalog_schema: options.catalogSchema } : {}),
      data_path: options.dataPath ?? 'lake/data',
      encrypted: options.encrypted ?? true,
      key: { source: 'file', path: 'keys/workspace.key' },
    };
    const audit = {
      signing_key_fingerprint: auditKey.fingerprint,
      anchors: [{ file: DEFAULT_ANCHOR_FILE }],
    };
    const config = { version: 1, name: options.name ?? basename(target), lake, audit };
    await writeFile(join(staging, CONFIG_FILE), configHeader + stringify(config));
    await writeFile(
      join(staging, USERS_FILE),
      usersHeader + stringify({ users: options.users ?? DEFAULT_DEV_USERS }),
    );
    // A PostgreSQL catalog records the data path it was created with (no override on attach, so
    // replicas cannot silently disagree); create it only once the workspace is in its final place.
    if (lake.catalog === 'duckdb') await createLake(staging, say);
    if (await exists(target)) await rm(target, { recursive: true });
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  if (options.catalog && options.catalog !== 'duckdb') {
    try {
      await createLake(target, say);
    } catch (err) {
      await rm(target, { recursive: true, force: true });
      throw err;
    }
  }
  return Workspace.load(target);
}

async function createLake(dir: string, say: (line: string) => void): Promise<void> {
  say('creating the encrypted lake');
  const ws = await Workspace.load(dir);
  const lakeHouse = await ws.openLake({ create: true });
  await lakeHouse.close();
  await rm(join(dir, '.tmp'), { recursive: true, force: true });
}

const configHeader = `# analyst workspace configuration. Unknown keys are errors.
# lake.catalog: duckdb (embedded, encrypted file) or a postgres:// URL (several processes).
# Secrets are references, never literals: \${env:NAME} or \${file:path}.
# audit.signing_key_fingerprint pins the audit signing key (keys/audit-signing.key); to keep the
# pin out of reach of whoever can write this folder, move it to a trust file: \${file:/etc/...}.
# audit.anchors: every audit checkpoint is also appended here, so a rolled-back audit store fails
# 'analyst audit verify'. Move the file outside the workspace and make it append-only
# (Linux: sudo chattr +a FILE).
`;
const usersHeader = `# Development identities for 'analyst ask --as', 'analyst sql --as' and 'analyst token'.
# Production identities come from your IdP (OIDC).
`;

async function nonEmptyDir(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return true;
    return (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
