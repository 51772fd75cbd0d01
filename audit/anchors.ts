import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { canonicalJson } from './canonical.ts';
import { AuditError } from './errors.ts';
import type { CheckpointRow } from './store/types.ts';

/** A place outside the audit store where each checkpoint's signed head is also written. */
export interface AnchorConfig {
  kind: 'file';
  /** Opened append-only (O_APPEND); best on another mount or with `chattr +a`. */
  path: string;
}

/** One anchored checkpoint as read back: its signed payload, and where it was found. */
export interface AnchorEntry {
  file: string;
  line: number;
  number: number;
  payload: string;
  signature: string;
}

/** Every anchor in the configured files; lines that do not parse (a torn write) are counted. */
export interface AnchorReading {
  entries: AnchorEntry[];
  files: number;
  unreadable: number;
}

interface AnchorLine {
  v: 1;
  kind: 'anchor';
  number: number;
  payload: string;
  signature: string;
}

/**
 * An append-only anchor file. Each line is one signed checkpoint (the chain's head when it was
 * sealed), written after the store committed it. Lines are only ever appended, one write each,
 * so replicas sharing the file do not interleave within a line.
 *
 * @example
 * const anchor = await AnchorFile.open('/var/lib/analyst-anchors/audit.log');
 * await anchor.write([checkpoint]);
 * await anchor.close();
 */
export class AnchorFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Open (creating it, mode 0600) for appending only. */
  static async open(path: string): Promise<AnchorFile> {
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
      const file = new AnchorFile(path, handle);
      await file.endTornLine();
      return file;
    } catch (cause) {
      throw anchorFailed(`The audit anchor file ${path} cannot be opened for appending.`, cause);
    }
  }

  /** Append one line per checkpoint and flush it to disk. */
  async write(checkpoints: readonly CheckpointRow[]): Promise<void> {
    if (!checkpoints.length) return;
    const text = checkpoints
      .map(
        (cp) =>
          `${canonicalJson({ v: 1, kind: 'anchor', number: cp.number, payload: cp.payload, signature: cp.signature } satisfies AnchorLine)}\n`,
      )
      .join('');
    try {
      await this.handle.write(text);
      await this.handle.datasync();
    } catch (cause) {
      throw anchorFailed(`The audit anchor file ${this.path} cannot be written.`, cause);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** A crash mid-line would glue the next anchor onto it: start on a fresh line. */
  private async endTornLine(): Promise<void> {
    const { size } = await this.handle.stat();
    if (size === 0) return;
    const reader = await open(this.path, 'r');
    try {
      const last = Buffer.alloc(1);
      await reader.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await this.handle.write('\n');
    } finally {
      await reader.close();
    }
  }
}

/** Read every anchor in the configured files; a file that does not exist yet holds none. */
export async function readAnchors(configs: readonly AnchorConfig[]): Promise<AnchorReading> {
  const reading: AnchorReading = { entries: [], files: 0, unreadable: 0 };
  for (const { path } of configs) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw anchorFailed(`The audit anchor file ${path} cannot be read.`, cause);
    }
    reading.files += 1;
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      const parsed = parseLine(line);
      if (parsed) reading.entries.push({ file: path, line: i + 1, ...parsed });
      else reading.unreadable += 1;
    }
  }
  return reading;
}

function parseLine(line: string): Omit<AnchorEntry, 'file' | 'line'> | null {
  try {
    const a = JSON.parse(line) as Partial<AnchorLine>;
    if (
      a.kind !== 'anchor' ||
      !Number.isInteger(a.number) ||
      typeof a.payload !== 'string' ||
      typeof a.signature !== 'string'
    )
      return null;
    return { number: a.number as number, payload: a.payload, signature: a.signature };
  } catch {
    return null;
  }
}

function anchorFailed(message: string, cause: unknown): AuditError {
  const why = cause instanceof Error && 'code' in cause ? ` (${String(cause.code)})` : '';
  return new AuditError('AUDIT_ANCHOR_FAILED', `${message}${why}`, { cause });
}
