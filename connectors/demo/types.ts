import type { CsvTableWriter, DemoTable } from './csv-writer.ts';
import type { Random } from './random.ts';
import type { ReferenceData } from './reference-data.ts';

/** One writer per Synthea table of the export. */
export type Writers = Record<DemoTable, CsvTableWriter>;

/** Settings shared by every patient of one export (patient.ts writes them, claims.ts too). */
export interface PatientEnv {
  rng: Random;
  ref: ReferenceData;
  w: Writers;
  /** The export's "today" (fixed, so a seed always gives the same files). */
  now: number;
  /** Years of history written per patient. */
  years: number;
}
