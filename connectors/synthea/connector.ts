import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { readCsvHead } from '../sdk/csv-head.ts';
import { defineConnector } from '../sdk/define.ts';
import type { ReadMessage, StreamColumn, StreamDef } from '../sdk/types.ts';
import {
  columnKind,
  columnPhi,
  columnReference,
  PRIMARY_KEYS,
  SYNTHEA_TABLES,
  type SyntheaTable,
} from './tables.ts';

export const syntheaSpec = z
  .object({
    /** The folder of a Synthea CSV export (patients.csv, encounters.csv, …). */
    path: z.string().min(1),
  })
  .strict();

export type SyntheaOptions = z.infer<typeof syntheaSpec>;

const TIMESTAMP_SHAPE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/**
 * A Synthea CSV export. Lake tables are named after the CSV files and columns after the headers
 * in lower case; types, primary keys, relationships and PHI classes come from Synthea's layout.
 * Tables that are missing are skipped and columns that differ between Synthea versions are taken
 * as they are (known columns typed, unknown ones VARCHAR).
 */
export const syntheaConnector = defineConnector<SyntheaOptions>({
  type: 'synthea',
  description: 'a Synthea CSV export folder (patients, encounters, conditions, … claims)',
  spec: syntheaSpec,
  async check(options, ctx) {
    const found = await presentTables(resolve(ctx.baseDir, options.path)).catch(() => []);
    if (found.length === 0) {
      return { reason: `No Synthea CSV files (patients.csv, encounters.csv, …) in ${options.path}.` };
    }
    return true;
  },
  async discover(options, ctx) {
    const folder = resolve(ctx.baseDir, options.path);
    const tables = await presentTables(folder);
    if (tables.length === 0) {
      throw new ConnectorError(
        'CONNECTOR_UNREACHABLE',
        `synthea: no Synthea CSV files in ${options.path}; point options.path at the export's csv folder.`,
      );
    }
    return Promise.all(tables.map((t) => describeTable(folder, t)));
  },
  async *read(options, stream, state, ctx): AsyncGenerator<ReadMessage> {
    const file = join(resolve(ctx.baseDir, options.path), `${stream.name}.csv`);
    const st = await stat(file).catch(() => undefined);
    if (!st)
      throw new ConnectorError(
        'STREAM_NOT_FOUND',
        `synthea: ${stream.name}.csv is no longer in the export folder.`,
      );
    const print = `${st.size}:${Math.floor(st.mtimeMs)}`;
    // Unchanged since the last committed load: nothing to read.
    if (state?.file !== print) {
      yield {
        type: 'batch',
        batch: { kind: 'file', path: file, format: 'csv', bytes: st.size, source: `${stream.name}.csv` },
      };
    }
    yield { type: 'state', state: { file: print } };
  },
});

async function presentTables(folder: string): Promise<SyntheaTable[]> {
  const present: SyntheaTable[] = [];
  for (const t of SYNTHEA_TABLES) {
    if (
      await access(join(folder, `${t}.csv`)).then(
        () => true,
        () => false,
      )
    )
      present.push(t);
  }
  return present;
}

async function describeTable(folder: string, table: SyntheaTable): Promise<StreamDef> {
  const { records, bytesPerRecord, size } = await readCsvHead(join(folder, `${table}.csv`));
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const sample = records.slice(1, 200);
  const columns: StreamColumn[] = header.map((name, i) => {
    const kind = columnKind(table, name);
    const type =
      kind === 'temporal'
        ? sample.some((r) => TIMESTAMP_SHAPE.test(r[i] ?? ''))
          ? 'TIMESTAMP'
          : 'DATE'
        : kind;
    return {
      name,
      type,
      phi: columnPhi(table, name),
      references: columnReference(table, name),
    };
  });
  const pk = PRIMARY_KEYS[table];
  return {
    name: table,
    columns,
    primaryKey: pk && header.includes(pk) ? [pk] : [],
    estimatedRows: Math.round(size / Math.max(1, bytesPerRecord)),
    comment: `Synthea ${table}`,
  };
}
