import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../../core/index.ts';
import { ExtensionMissingError } from '../errors.ts';
import {
  DUCKDB_VERSION,
  duckdbPlatform,
  type ExtensionSpec,
  PYPI_EXTENSION_VERSION,
  REQUIRED_EXTENSIONS,
  wheelPlatform,
} from './platform.ts';

const run = promisify(execFile);

/** Where extensions live unless configured: `.duckdb/extensions` in the package root. */
export function defaultExtensionDirectory(): string {
  return (
    process.env.ANALYST_EXTENSION_DIR ?? fileURLToPath(new URL('../../.duckdb/extensions', import.meta.url))
  );
}

/** The path DuckDB looks for `spec` in, under `dir`. */
export function extensionPath(dir: string, spec: ExtensionSpec): string {
  return join(dir, DUCKDB_VERSION, duckdbPlatform(), `${spec.file}.duckdb_extension`);
}

/** Where an extension came from, for progress lines and the status report. */
export type ExtensionSource = 'present' | 'mirror' | 'duckdb' | 'pypi';

export interface InstallOptions {
  directory?: string;
  /** A folder or URL laid out like DuckDB's extension repository (`ANALYST_EXTENSION_MIRROR`). */
  mirror?: string;
  /** Skip DuckDB's own repository (air-gapped sites where the lookup would only wait). */
  skipDuckdbRepository?: boolean;
  onProgress?: (line: string) => void;
  /** The Python that runs pip for the PyPI source. */
  python?: string;
}

/**
 * Make sure every required extension is in the directory and loads into this DuckDB, trying in
 * order: already there; the mirror; DuckDB's repository; PyPI wheels. Idempotent.
 *
 * @example await installExtensions({ onProgress: (l) => console.error(l) });
 */
export async function installExtensions(
  options: InstallOptions = {},
): Promise<Record<string, ExtensionSource>> {
  const dir = options.directory ?? defaultExtensionDirectory();
  const mirror = options.mirror ?? process.env.ANALYST_EXTENSION_MIRROR;
  const say = options.onProgress ?? (() => {});
  const result: Record<string, ExtensionSource> = {};
  const failures: string[] = [];
  for (const spec of REQUIRED_EXTENSIONS) {
    const attempts: Array<[ExtensionSource, () => Promise<void>]> = [['present', async () => {}]];
    if (mirror) attempts.push(['mirror', () => installWithDuckdb(dir, spec, mirror)]);
    if (!options.skipDuckdbRepository) attempts.push(['duckdb', () => installWithDuckdb(dir, spec)]);
    attempts.push(['pypi', () => installFromPypi(dir, spec, options.python ?? 'python3')]);
    const reasons: string[] = [];
    for (const [source, attempt] of attempts) {
      try {
        if (source !== 'present') say(`extension ${spec.name}: trying ${source}`);
        await attempt();
        await verifyLoads(dir, spec);
        result[spec.name] = source;
        if (source !== 'present') say(`extension ${spec.name}: installed from ${source}`);
        break;
      } catch (err) {
        if (source !== 'present') reasons.push(`${source}: ${firstLine(err)}`);
      }
    }
    if (!result[spec.name]) failures.push(`${spec.name} (${reasons.join('; ')})`);
  }
  if (failures.length > 0) throw missingError(failures, dir);
  return result;
}

/** True when every required extension file is present (no load check; cheap for start-up). */
export async function extensionsPresent(dir: string = defaultExtensionDirectory()): Promise<boolean> {
  for (const spec of REQUIRED_EXTENSIONS) {
    try {
      await access(extensionPath(dir, spec));
    } catch {
      return false;
    }
  }
  return true;
}

function missingError(failures: string[], dir: string): ExtensionMissingError {
  return new ExtensionMissingError(
    `DuckDB extension(s) missing: ${failures.join(', ')}. Provide them in one of these ways: ` +
      `set ANALYST_EXTENSION_MIRROR to a folder or URL laid out like DuckDB's extension repository ` +
      `(${DUCKDB_VERSION}/${duckdbPlatform()}/<name>.duckdb_extension) and run 'npm run postinstall'; ` +
      `allow access to DuckDB's extension repository; allow pip to reach PyPI for ` +
      `duckdb-ext-<name>==${PYPI_EXTENSION_VERSION}; or copy the files into ${dir}.`,
  );
}

async function installWithDuckdb(dir: string, spec: ExtensionSpec, from?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { extension_directory: dir });
  const conn = await db.connect();
  try {
    await conn.run(`FORCE INSTALL ${spec.name}${from ? ` FROM ${quoteLiteral(from)}` : ''}`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function installFromPypi(dir: string, spec: ExtensionSpec, python: string): Promise<void> {
  const platform = wheelPlatform();
  if (!platform) throw new Error(`no PyPI wheel for ${process.platform}/${process.arch}`);
  const work = await mkdtemp(join(tmpdir(), 'analyst-ext-'));
  try {
    const pkg = `duckdb-ext-${spec.pypi}==${PYPI_EXTENSION_VERSION}`;
    const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--platform', platform];
    await run(python, [...args, '--timeout', '60', '-d', work, pkg], { timeout: 300_000 });
    const wheel = (await readdir(work)).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for ${pkg}`);
    await run(python, ['-m', 'zipfile', '-e', join(work, wheel), join(work, 'x')], { timeout: 120_000 });
    const inner = join(work, 'x', 'duckdb_ext', 'extensions', DUCKDB_VERSION, duckdbPlatform());
    const target = extensionPath(dir, spec);
    await mkdir(join(target, '..'), { recursive: true });
    // Copy beside the target, then rename: a half-copied file never sits where DuckDB looks.
    await copyFile(join(inner, `${spec.file}.duckdb_extension`), `${target}.partial`);
    await rename(`${target}.partial`, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** LOAD it in a throwaway DuckDB with unsigned extensions refused: a bad or foreign file fails here. */
async function verifyLoads(dir: string, spec: ExtensionSpec): Promise<void> {
  await access(extensionPath(dir, spec));
  const db = await DuckDBInstance.create(':memory:', {
    extension_directory: dir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_unsigned_extensions: 'false',
  });
  const conn = await db.connect();
  try {
    await conn.run(`LOAD ${spec.name}`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}
