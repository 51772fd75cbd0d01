import { mkdir } from 'node:fs/promises';
import { CsvTableWriter, type DemoTable, SYNTHEA_HEADERS } from './csv-writer.ts';
import { writePatient } from './patient.ts';
import { createRandom } from './random.ts';
import { createReferenceData, writeReferenceData } from './reference-data.ts';
import type { PatientEnv, Writers } from './types.ts';

/** Options for `generateSyntheaDemo`. */
export interface DemoOptions {
  /** Folder to write the CSV files into (created if missing). */
  dir: string;
  patients?: number;
  seed?: number;
  /** Years of history per patient (default 8). */
  years?: number;
  /** The export's "today"; fixed by default so a seed always gives the same bytes. */
  now?: Date;
}

/** What a demo export wrote. */
export interface DemoResult {
  dir: string;
  patients: number;
  seed: number;
  rows: Record<DemoTable, number>;
  durationMs: number;
}

/**
 * Write a Synthea-format CSV export (every Synthea table, Synthea's headers) of synthetic
 * patients: deterministic for a seed, fast (tens of thousands of patients a minute), with
 * plausible ages, encounter mixes, chronic conditions, costs, payers and 30-day readmissions.
 *
 * @example await generateSyntheaDemo({ dir: '/tmp/demo', patients: 1000, seed: 7 });
 */
export async function generateSyntheaDemo(options: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const patients = options.patients ?? 1000;
  const seed = options.seed ?? 1;
  await mkdir(options.dir, { recursive: true });
  const tables = Object.keys(SYNTHEA_HEADERS) as DemoTable[];
  const w = Object.fromEntries(tables.map((t) => [t, CsvTableWriter.open(options.dir, t)])) as Writers;
  const rng = createRandom(seed);
  const ref = createReferenceData(rng);
  const env: PatientEnv = {
    rng,
    ref,
    w,
    now: (options.now ?? new Date(Date.UTC(2024, 5, 30, 12))).getTime(),
    years: options.years ?? 8,
  };
  for (let i = 0; i < patients; i++) {
    writePatient(env);
    if (i % 200 === 199) for (const t of tables) await w[t].maybeFlush();
  }
  writeReferenceData(ref, w, rng);
  for (const t of tables) await w[t].close();
  return {
    dir: options.dir,
    patients,
    seed,
    rows: Object.fromEntries(tables.map((t) => [t, w[t].rows])) as Record<DemoTable, number>,
    durationMs: performance.now() - t0,
  };
}
