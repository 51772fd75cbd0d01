import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { arrowFromColumns } from '../sdk/arrow-build.ts';
import { defineConnector } from '../sdk/define.ts';
import type { ReadMessage, StreamDef } from '../sdk/types.ts';
import { FHIR_RESOURCES } from './flatten.ts';

export const fhirSpec = z
  .object({
    /** A FHIR Bulk Data export folder: `Patient.ndjson`, `Observation.000.ndjson`, … */
    path: z.string().min(1),
    batch_rows: z.number().int().min(1).default(50_000),
  })
  .strict();

export type FhirOptions = z.infer<typeof fhirSpec>;

const TABLE_TO_TYPE = new Map(Object.entries(FHIR_RESOURCES).map(([type, r]) => [r.table, type]));

/**
 * FHIR R4 Bulk Data NDJSON: Patient, Encounter, Condition, MedicationRequest, Observation,
 * Procedure, Immunization, Organization and Practitioner, each flattened into a relational table
 * (one row per resource; references become `<type>_id` columns). A line that is not JSON, or not
 * the file's resource type, is a reject with its file and line number.
 */
export const fhirConnector = defineConnector<FhirOptions>({
  type: 'fhir',
  description: 'FHIR R4 Bulk Data NDJSON, flattened into relational tables',
  spec: fhirSpec,
  async check(options, ctx) {
    const files = await exportFiles(resolve(ctx.baseDir, options.path)).catch(() => new Map());
    return files.size > 0 ? true : { reason: `No FHIR NDJSON files (Patient.ndjson, …) in ${options.path}.` };
  },
  async discover(options, ctx) {
    const files = await exportFiles(resolve(ctx.baseDir, options.path)).catch(
      () => new Map<string, string[]>(),
    );
    if (files.size === 0) {
      throw new ConnectorError(
        'CONNECTOR_UNREACHABLE',
        `fhir: no Bulk Data NDJSON files in ${options.path}.`,
      );
    }
    return [...files.keys()].map((type): StreamDef => {
      const spec = FHIR_RESOURCES[type]!;
      return {
        name: spec.table,
        columns: spec.columns.map((c) => ({
          name: c.name,
          type: c.type,
          phi: c.phi ?? 'none',
          references: c.references,
        })),
        primaryKey: ['id'],
        comment: `FHIR R4 ${type}`,
      };
    });
  },
  async *read(options, stream, state, ctx): AsyncGenerator<ReadMessage> {
    const type = TABLE_TO_TYPE.get(stream.name);
    const spec = type ? FHIR_RESOURCES[type] : undefined;
    if (!type || !spec)
      throw new ConnectorError('STREAM_NOT_FOUND', `fhir: no resource type for stream ${stream.name}.`);
    const files = (await exportFiles(resolve(ctx.baseDir, options.path))).get(type) ?? [];
    const seen = (state?.files ?? {}) as Record<string, string>;
    const next: Record<string, string> = {};
    const names = spec.columns.map((c) => c.name);
    for (const file of files) {
      const st = await stat(file);
      const print = `${st.size}:${Math.floor(st.mtimeMs)}`;
      next[file] = print;
      if (seen[file] === print) continue;
      let cols: unknown[][] = names.map(() => []);
      let n = 0;
      let line = 0;
      const source = file.slice(file.lastIndexOf('/') + 1);
      for await (const text of createInterface({
        input: createReadStream(file),
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        line++;
        if (!text.trim()) continue;
        let resource: Record<string, unknown>;
        try {
          resource = JSON.parse(text) as Record<string, unknown>;
        } catch {
          yield { type: 'reject', source, offset: line, reason: 'not valid JSON' };
          continue;
        }
        if (resource.resourceType !== type) {
          yield {
            type: 'reject',
            source,
            offset: line,
            reason: `expected a ${type}, found ${String(resource.resourceType).slice(0, 40)}`,
          };
          continue;
        }
        for (let i = 0; i < spec.columns.length; i++) cols[i]!.push(spec.columns[i]!.get(resource) ?? null);
        if (++n >= options.batch_rows) {
          yield { type: 'batch', batch: { kind: 'arrow', table: arrowFromColumns(names, cols), source } };
          cols = names.map(() => []);
          n = 0;
        }
      }
      if (n > 0)
        yield { type: 'batch', batch: { kind: 'arrow', table: arrowFromColumns(names, cols), source } };
    }
    yield { type: 'state', state: { files: next } };
  },
});

/** NDJSON files of the supported resource types, by type, in name order. */
async function exportFiles(folder: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const f of (await readdir(folder)).sort()) {
    const m = /^([A-Za-z]+)(?:[.-]\d+)?\.ndjson$/.exec(f);
    if (!m || !FHIR_RESOURCES[m[1]!]) continue;
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), join(folder, f)]);
  }
  return out;
}
