/** Helpers for tests and benchmarks of the semantic layer (fixture lakes, contexts). */
export { createCsvFixtureLake, type FixtureLake } from './fixture-lake.ts';
export { KPI_CASES, type KpiCase } from './kpi-cases.ts';
export { contextFor, SYNTHEA_CSV_DIR, SYNTHEA_MODEL_DIR } from './synthea.ts';
