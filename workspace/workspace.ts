import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  commandKeyProvider,
  envKeyProvider,
  fileKeyProvider,
  type KeyProvider,
  Lakehouse,
  type LakehouseConfig,
} from '../lakehouse/index.ts';
import {
  type AnalystConfig,
  analystConfigSchema,
  type DevUser,
  describeIssues,
  usersFileSchema,
} from './config.ts';
import { WorkspaceError } from './errors.ts';
import type { KeySource } from './key-source.ts';
import { resolveSecret } from './secrets.ts';

export const CONFIG_FILE = 'analyst.yaml';
export const USERS_FILE = 'users.yaml';

/**
 * A workspace folder: analyst.yaml, users.yaml, keys/ and the lake. Load it once at the edge
 * (CLI, server); inside, the parsed config is trusted.
 *
 * @example
 * const ws = await Workspace.load('/srv/analyst');
 * const lake = await ws.openLake();
 */
export class Workspace {
  private constructor(
    readonly dir: string,
    readonly config: AnalystConfig,
    readonly users: readonly DevUser[],
  ) {}

  /** Read and validate analyst.yaml and users.yaml; one clear error naming the file and key. */
  static async load(dir: string): Promise<Workspace> {
    const root = resolve(dir);
    const config = await readYaml(join(root, CONFIG_FILE), 'CONFIG_MISSING');
    const parsed = analystConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new WorkspaceError(
        'CONFIG_INVALID',
        `${join(root, CONFIG_FILE)}: ${describeIssues(parsed.error)}`,
      );
    }
    let users: DevUser[] = [];
    const usersRaw = await readYaml(join(root, USERS_FILE), null);
    if (usersRaw !== undefined) {
      const u = usersFileSchema.safeParse(usersRaw);
      if (!u.success) {
        throw new WorkspaceError('USERS_INVALID', `${join(root, USERS_FILE)}: ${describeIssues(u.error)}`);
      }
      users = u.data.users;
    }
    return new Workspace(root, parsed.data, users);
  }

  /** A path from the config, resolved against the workspace folder. */
  path(p: string): string {
    return isAbsolute(p) || p.includes('://') ? p : join(this.dir, p);
  }

  /** The dev identity with this id, or a clear error. */
  user(id: string): DevUser {
    const u = this.users.find((x) => x.id === id);
    if (!u) {
      throw new WorkspaceError(
        'UNKNOWN_USER',
        `No user "${id}" in ${USERS_FILE}. Known users: ${this.users.map((x) => x.id).join(', ') || '(none)'}.`,
        { exitCode: 2 },
      );
    }
    return u;
  }

  /** The provider of the workspace key (lake catalog, and other PHI at rest). */
  keyProvider(): KeyProvider {
    return this.keyProviderFor(this.config.lake.key, 'lake key');
  }

  /**
   * A provider for a key this workspace's config points at (`lake.key`, `audit.signing_key`);
   * `label` names it in errors.
   */
  keyProviderFor(k: KeySource, label: string): KeyProvider {
    if (k.source === 'file') return fileKeyProvider(this.path(k.path), label);
    if (k.source === 'env') return envKeyProvider(k.name, label);
    return commandKeyProvider(k.command, undefined, label);
  }

  /** The lakehouse config this workspace describes. */
  lakeConfig(overrides: Partial<LakehouseConfig> = {}): LakehouseConfig {
    const lake = this.config.lake;
    const s3 = lake.s3;
    return {
      catalog:
        lake.catalog === 'duckdb'
          ? { type: 'duckdb', path: this.path(lake.catalog_path) }
          : { type: 'postgres', url: resolveSecret(lake.catalog, this.dir), schema: lake.catalog_schema },
      dataPath: this.path(lake.data_path),
      encrypted: lake.encrypted,
      key: this.keyProvider(),
      threads: lake.threads,
      memoryLimit: lake.memory_limit,
      readConnections: lake.read_connections,
      queryTimeoutMs: lake.query_timeout_ms,
      tempDirectory: join(this.dir, '.tmp'),
      s3: s3 && {
        endpoint: s3.endpoint,
        region: s3.region,
        urlStyle: s3.url_style,
        useSsl: s3.use_ssl,
        accessKeyId: s3.access_key_id && resolveSecret(s3.access_key_id, this.dir),
        secretAccessKey: s3.secret_access_key && resolveSecret(s3.secret_access_key, this.dir),
      },
      ...overrides,
    };
  }

  /** Open the workspace's lake. */
  openLake(overrides: Partial<LakehouseConfig> = {}): Promise<Lakehouse> {
    return Lakehouse.open(this.lakeConfig(overrides));
  }
}

async function readYaml(path: string, missingCode: 'CONFIG_MISSING' | null): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (missingCode === null && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WorkspaceError(
      missingCode ?? 'USERS_INVALID',
      `${path} cannot be read. Is this a workspace? Create one with 'analyst init DIR' or pass --workspace.`,
      { cause },
    );
  }
  try {
    return parseYaml(text);
  } catch (cause) {
    const code = missingCode ? 'CONFIG_INVALID' : 'USERS_INVALID';
    throw new WorkspaceError(code, `${path} is not valid YAML: ${(cause as Error).message.split('\n')[0]}`, {
      cause,
    });
  }
}
