import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { isAnalystError } from '../core/index.ts';
import { LakehouseError } from './errors.ts';

/**
 * Supplies the workspace key that encrypts the lake's catalog file (and, through the workspace,
 * other PHI at rest). Implement it to plug in a KMS; `commandKeyProvider` covers most KMS CLIs.
 *
 * @example const key = await fileKeyProvider('/ws/keys/lake.key').getKey();
 */
export interface KeyProvider {
  /** Where the key comes from, for status output; never the key itself. */
  readonly description: string;
  getKey(): Promise<string>;
}

const MIN_KEY_LENGTH = 16;

function checked(key: string, source: string, label = 'lake key'): string {
  const trimmed = key.trim();
  if (trimmed.length < MIN_KEY_LENGTH) {
    throw new LakehouseError(
      'LAKE_KEY_UNREADABLE',
      `The ${label} from ${source} is empty or shorter than ${MIN_KEY_LENGTH} characters.`,
    );
  }
  return trimmed;
}

/**
 * A key file that only its owner may read (mode 0600); looser modes are refused. `label` names
 * the key in errors (default "lake key").
 */
export function fileKeyProvider(path: string, label = 'lake key'): KeyProvider {
  return {
    description: `file ${path}`,
    async getKey() {
      let mode: number;
      try {
        mode = (await stat(path)).mode;
      } catch (cause) {
        throw new LakehouseError('LAKE_KEY_MISSING', `The ${label} file ${path} does not exist.`, { cause });
      }
      if ((mode & 0o077) !== 0) {
        throw new LakehouseError(
          'LAKE_KEY_UNREADABLE',
          `The ${label} file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
        );
      }
      try {
        return checked(await readFile(path, 'utf8'), `file ${path}`, label);
      } catch (cause) {
        if (isAnalystError(cause)) throw cause;
        throw new LakehouseError('LAKE_KEY_UNREADABLE', `The ${label} file ${path} cannot be read.`, {
          cause,
        });
      }
    },
  };
}

/** A key in an environment variable (for containers with secrets injected as env). */
export function envKeyProvider(name: string, label = 'lake key'): KeyProvider {
  return {
    description: `environment variable ${name}`,
    async getKey() {
      const value = process.env[name];
      if (value === undefined) {
        throw new LakehouseError(
          'LAKE_KEY_MISSING',
          `The environment variable ${name} (${label}) is not set.`,
        );
      }
      return checked(value, `environment variable ${name}`, label);
    },
  };
}

/**
 * The KMS hook: runs a command (no shell) and takes its standard output as the key, e.g.
 * `['aws', 'kms', 'decrypt', …]` or a site's own key broker.
 */
export function commandKeyProvider(
  argv: readonly string[],
  timeoutMs = 30_000,
  label = 'lake key',
): KeyProvider {
  const [cmd, ...args] = argv;
  return {
    description: `command ${cmd ?? '(none)'}`,
    async getKey() {
      if (!cmd) throw new LakehouseError('LAKE_KEY_MISSING', 'The key command is empty.');
      try {
        const { stdout } = await promisify(execFile)(cmd, args, { timeout: timeoutMs });
        return checked(stdout, `command ${cmd}`, label);
      } catch (cause) {
        if (isAnalystError(cause)) throw cause;
        throw new LakehouseError('LAKE_KEY_UNREADABLE', `The ${label} command ${cmd} failed.`, { cause });
      }
    },
  };
}

/** A key held in memory (tests, or a caller that fetched it itself). */
export function staticKeyProvider(key: string, description = 'in-memory key'): KeyProvider {
  return { description, getKey: async () => checked(key, description) };
}

/** A new random 256-bit key, base64. */
export function generateKey(): string {
  return randomBytes(32).toString('base64');
}
