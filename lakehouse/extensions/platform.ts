/** DuckDB's engine version, extension platform, and the names we need. Pinned with @duckdb/node-api. */
export const DUCKDB_VERSION = 'v1.4.4';
/** The PyPI wheels that carry DuckDB 1.4.4's signed extension binaries. */
export const PYPI_EXTENSION_VERSION = '1.4.4.20260205';

/** An extension the lakehouse loads: DuckDB's name, its file name, and its PyPI package name. */
export interface ExtensionSpec {
  /** Name used in LOAD/INSTALL. */
  readonly name: string;
  /** Base name of the `.duckdb_extension` file (postgres ships as postgres_scanner). */
  readonly file: string;
  /** `duckdb-ext-<pypi>` on PyPI. */
  readonly pypi: string;
}

/** ducklake (the lake), httpfs (encrypted writes, S3), postgres (a catalog in PostgreSQL). */
export const REQUIRED_EXTENSIONS: readonly ExtensionSpec[] = [
  { name: 'httpfs', file: 'httpfs', pypi: 'httpfs' },
  { name: 'ducklake', file: 'ducklake', pypi: 'ducklake' },
  { name: 'postgres_scanner', file: 'postgres_scanner', pypi: 'postgres' },
];

/** DuckDB's platform string for this process, e.g. linux_amd64. */
export function duckdbPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  const os =
    process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'windows' : process.platform;
  return `${os}_${arch}`;
}

/** The pip `--platform` tag whose wheel carries this platform's binary, if there is one. */
export function wheelPlatform(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (process.arch === 'x64') return 'manylinux_2_28_x86_64';
  if (process.arch === 'arm64') return 'manylinux_2_28_aarch64';
  return undefined;
}
