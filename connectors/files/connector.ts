import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { quoteLiteral } from '../../core/index.ts';
import { ConnectorError } from '../errors.ts';
import { defineConnector } from '../sdk/define.ts';
import { type ScratchQuery, withScratchDuckDB } from '../sdk/scratch-duckdb.ts';
import type { CsvDialect, FileFormat, ReadMessage, StreamDef } from '../sdk/types.ts';

const EXTENSIONS: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.parquet': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

export const filesSpec = z
  .object({
    /** A folder (every CSV/Parquet/JSON file in it is a stream), a file, or a glob. */
    path: z.string().min(1),
    /** Explicit streams: name → file or glob. Overrides the one-stream-per-file default. */
    streams: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().min(1)).optional(),
    /** Force a format instead of going by the file extension. */
    format: z.enum(['csv', 'parquet', 'json', 'ndjson']).optional(),
    csv: z
      .object({
        delimiter: z.string().optional(),
        header: z.boolean().optional(),
        quote: z.string().optional(),
      })
      .strict()
      .optional(),
    primary_key: z.record(z.string(), z.array(z.string())).optional(),
    lowercase_columns: z.boolean().default(false),
  })
  .strict();

export type FilesOptions = z.infer<typeof filesSpec>;

interface FileStream {
  name: string;
  files: string[];
  format: FileFormat;
}

/**
 * Local CSV, Parquet and JSON/NDJSON files. Each file is handed to DuckDB as it is (a file batch),
 * so loads run at DuckDB's own speed. Incremental reads skip files whose size and modification
 * time are unchanged since the last committed load.
 */
export const filesConnector = defineConnector<FilesOptions>({
  type: 'files',
  description: 'CSV, Parquet and JSON/NDJSON files from a local folder or glob',
  spec: filesSpec,
  async check(options, ctx) {
    const streams = await withScratchDuckDB((q) => listStreams(options, q, ctx.baseDir)).catch(
      (e: Error) => e,
    );
    return streams instanceof Error ? { reason: streams.message } : true;
  },
  async discover(options, ctx) {
    return withScratchDuckDB(async (q) => {
      const out: StreamDef[] = [];
      for (const s of await listStreams(options, q, ctx.baseDir)) {
        const columns = await describeFiles(q, s, options);
        out.push({
          name: s.name,
          columns,
          primaryKey: options.primary_key?.[s.name] ?? [],
          comment: `files: ${s.files.length} ${s.format} file(s)`,
        });
      }
      return out;
    });
  },
  async *read(options, stream, state, ctx): AsyncGenerator<ReadMessage> {
    const found = await withScratchDuckDB((q) => listStreams(options, q, ctx.baseDir));
    const s = found.find((f) => f.name === stream.name);
    if (!s)
      throw new ConnectorError('STREAM_NOT_FOUND', `files: no files for stream ${stream.name} any more.`);
    const seen = (state?.files ?? {}) as Record<string, string>;
    const next: Record<string, string> = {};
    const dialect =
      s.format === 'csv' ? await withScratchDuckDB((q) => sniffDialect(q, s.files[0]!, options)) : undefined;
    for (const file of s.files) {
      const st = await stat(file);
      const print = `${st.size}:${Math.floor(st.mtimeMs)}`;
      next[file] = print;
      if (seen[file] === print) continue;
      yield {
        type: 'batch',
        batch: { kind: 'file', path: file, format: s.format, csv: dialect, bytes: st.size },
      };
    }
    yield { type: 'state', state: { files: next } };
  },
});

async function listStreams(options: FilesOptions, q: ScratchQuery, baseDir: string): Promise<FileStream[]> {
  const at = (p: string) => (p.includes('://') ? p : resolve(baseDir, p));
  const entries = options.streams
    ? Object.entries(options.streams).map(([n, p]) => [n, at(p)] as const)
    : [[undefined, at(options.path)] as const];
  const byName = new Map<string, FileStream>();
  for (const [name, pattern] of entries) {
    const files = await globFiles(q, pattern);
    for (const file of files) {
      const format = options.format ?? EXTENSIONS[extname(file).toLowerCase()];
      if (!format) continue;
      const streamName = name ?? streamNameOf(file);
      const s = byName.get(streamName) ?? { name: streamName, files: [], format };
      s.files.push(file);
      byName.set(streamName, s);
    }
  }
  if (byName.size === 0) {
    throw new ConnectorError(
      'CONNECTOR_UNREACHABLE',
      `files: no CSV, Parquet or JSON files at ${options.path}; check the path and that this process may read it.`,
    );
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function globFiles(q: ScratchQuery, pattern: string): Promise<string[]> {
  const isDir = await stat(pattern)
    .then((s) => s.isDirectory())
    .catch(() => false);
  const glob = isDir ? join(pattern, '*') : pattern;
  const rows = await q(`SELECT file FROM glob(${quoteLiteral(glob)}) ORDER BY file`);
  return rows.map((r) => String(r[0]));
}

function streamNameOf(file: string): string {
  const base = basename(file, extname(file)).replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(base) ? base : `_${base}`;
}

async function sniffDialect(q: ScratchQuery, file: string, options: FilesOptions): Promise<CsvDialect> {
  const [row] = await q(
    `SELECT Delimiter, Quote, Escape, HasHeader FROM sniff_csv(${quoteLiteral(file)}, ignore_errors = true)`,
  );
  const [delimiter, quote, escapeChar, header] = (row ?? []) as [string, string, string, boolean];
  return {
    delimiter: options.csv?.delimiter ?? delimiter ?? ',',
    quote: options.csv?.quote ?? oneChar(quote) ?? '"',
    escape: oneChar(escapeChar) ?? oneChar(quote) ?? '"',
    header: options.csv?.header ?? header ?? true,
  };
}

async function describeFiles(q: ScratchQuery, s: FileStream, options: FilesOptions) {
  const list = `[${s.files.map(quoteLiteral).join(', ')}]`;
  const reader =
    s.format === 'csv'
      ? `read_csv(${list}, ignore_errors = true${options.csv?.delimiter ? `, delim = ${quoteLiteral(options.csv.delimiter)}` : ''})`
      : s.format === 'parquet'
        ? `read_parquet(${list}, union_by_name = true)`
        : `read_json(${list}, format = ${s.format === 'ndjson' ? "'newline_delimited'" : "'auto'"})`;
  const rows = await q(`DESCRIBE SELECT * FROM ${reader}`);
  return rows.map((r) => ({
    name: options.lowercase_columns ? String(r[0]).toLowerCase() : String(r[0]),
    type: String(r[1]),
  }));
}

/** sniff_csv spells "none" as `(empty)` or NUL; only a single real character is a usable option. */
function oneChar(value: string | undefined): string | undefined {
  return value && value.length === 1 && value !== '\u0000' ? value : undefined;
}
