import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import { promisify } from 'node:util';
import { AnalystError } from '../core/index.ts';

const run = promisify(execFile);
const UNITS: Record<string, number> = {
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `6GB`, `512MiB`, … in bytes; undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b)\s*$/i.exec(text);
  const unit = m?.[2] ? UNITS[m[2].toLowerCase()] : undefined;
  return m?.[1] && unit ? Math.floor(Number(m[1]) * unit) : undefined;
}

/** What `server.limits.process_memory` resolves to: bytes, or off. `auto`: 75% of the memory this process may use. */
export function processMemoryBytes(setting: string): number | undefined {
  if (setting === 'off') return undefined;
  if (setting === 'auto') {
    const constrained = process.constrainedMemory?.() ?? 0;
    const available = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
    return Math.floor(available * 0.75);
  }
  const bytes = parseByteSize(setting);
  if (bytes === undefined)
    throw new AnalystError(
      'CONFIG_INVALID',
      `server.limits.process_memory: "${setting}" is not auto, off or a size such as 6GB.`,
      { exitCode: 2 },
    );
  return bytes;
}

/** DuckDB's memory_limit inside a process limit of `bytes`: 60% of it, in MB as DuckDB spells it. */
export function duckdbLimitWithin(bytes: number): string {
  return `${Math.floor((bytes * 0.6) / 1e6)}MB`;
}

/**
 * Put this process under an OS memory limit (RLIMIT_DATA, soft and hard, set with util-linux
 * `prlimit`). Callers' statements run in DuckDB inside this process; DuckDB's `memory_limit`
 * governs its buffer pool but not every operator's state (a `string_agg` over a cross join grew
 * far past it). Under RLIMIT_DATA such an allocation fails inside DuckDB, which ends that one
 * statement with an out-of-memory error, and the server keeps serving. RLIMIT_DATA, not RLIMIT_AS:
 * Node reserves large address ranges (WebAssembly) that RLIMIT_AS would refuse.
 *
 * @example const r = await limitProcessMemory('auto'); // { bytes: 12884901888, applied: true }
 */
export async function limitProcessMemory(
  setting: string,
  options: { pid?: number; prlimit?: string } = {},
): Promise<{ bytes?: number; applied: boolean; reason?: string }> {
  const bytes = processMemoryBytes(setting);
  if (bytes === undefined) return { applied: false, reason: 'off' };
  const pid = options.pid ?? process.pid;
  try {
    if (process.platform !== 'linux') throw new Error(`not available on ${process.platform}`);
    await run(options.prlimit ?? 'prlimit', ['--pid', String(pid), `--data=${bytes}:${bytes}`]);
    return { bytes, applied: true };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // An explicit size that cannot be applied is a configuration the operator relies on: refuse.
    if (setting !== 'auto')
      throw new AnalystError(
        'PROCESS_MEMORY_LIMIT_FAILED',
        `Could not apply server.limits.process_memory (${setting}) with prlimit: ${reason}. Install util-linux, or set it to auto or off.`,
        { cause: err },
      );
    return { bytes, applied: false, reason };
  }
}
