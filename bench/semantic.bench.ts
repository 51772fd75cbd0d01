// Semantic layer: compile time per query (aim p50 < 1 ms) and `load` time against running the
// same SQL directly on DuckDB in the same run (aim <= 1.1x).
import type { CubeQuery } from '../semantic/index.ts';
import { SemanticLayer } from '../semantic/index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../semantic/testing/index.ts';
import { type Bench, percentiles, timeMs } from './result.ts';

const QUERIES: CubeQuery[] = [
  { measures: ['encounters.count'], dimensions: ['encounters.encounterclass'] },
  {
    measures: ['encounters.total_total_claim_cost', 'encounters.avg_duration_minutes'],
    dimensions: ['patients.gender'],
    timeDimensions: [
      { dimension: 'encounters.start', granularity: 'month', dateRange: 'from 2015-01-01 to 2020-12-31' },
    ],
    filters: [
      { member: 'encounters.encounterclass', operator: 'equals', values: ['ambulatory', 'wellness'] },
    ],
  },
  {
    measures: ['encounters.count', 'conditions.count', 'patients.count'],
    dimensions: ['patients.gender', 'patients.race'],
  },
  {
    measures: ['patients.count', 'patients.avg_age'],
    filters: [{ member: 'conditions.description', operator: 'contains', values: ['diabetes'] }],
  },
  {
    measures: ['medications.medication_cost'],
    dimensions: ['payers.name'],
    order: { 'medications.medication_cost': 'desc' },
    limit: 10,
  },
  {
    measures: ['encounter_details.count'],
    dimensions: ['encounter_details.organizations_city', 'encounter_details.patients_gender'],
  },
];

export const run: Bench = async () => {
  const fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  try {
    const layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
    const roles = [
      contextFor('admin'),
      contextFor('analyst'),
      contextFor('clinician', { organization_id: 'x' }),
    ];
    // Warm the per-context policy cache and DuckDB, as a running server would be.
    for (const ctx of roles) for (const q of QUERIES) await layer.load(q, ctx);

    const compileSamples: number[] = [];
    for (let i = 0; i < 300; i++) {
      for (const ctx of roles) {
        for (const q of QUERIES) {
          const t = performance.now();
          layer.compile(q, ctx);
          compileSamples.push(performance.now() - t);
        }
      }
    }
    const compile = percentiles(compileSamples);
    // Anchor: DuckDB turning the same SQL into a plan (EXPLAIN: parse, bind, optimise; no execution).
    const planSamples: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const ctx of roles) {
        for (const q of QUERIES) {
          const { compiled } = layer.compile(q, ctx);
          planSamples.push(await timeMs(() => fx.lake.query(`EXPLAIN ${compiled.sql}`, compiled.params)));
        }
      }
    }
    const plan = percentiles(planSamples);

    let loadTotal = 0;
    let directTotal = 0;
    const analyst = contextFor('analyst');
    for (let i = 0; i < 15; i++) {
      for (const q of QUERIES) {
        const { compiled } = layer.compile(q, analyst);
        // Alternate the order so neither side always runs on a warmer cache.
        if (i % 2 === 0) {
          loadTotal += await timeMs(() => layer.load(q, analyst));
          directTotal += await timeMs(() => fx.lake.query(compiled.sql, compiled.params));
        } else {
          directTotal += await timeMs(() => fx.lake.query(compiled.sql, compiled.params));
          loadTotal += await timeMs(() => layer.load(q, analyst));
        }
      }
    }
    const n = 15 * QUERIES.length;
    return [
      {
        name: 'semantic.compile.p50',
        value: compile.p50,
        unit: 'ms',
        anchor: 'DuckDB planning the generated SQL (EXPLAIN), p50; absolute aim p50 < 1 ms',
        anchorValue: plan.p50,
        ratio: compile.p50 / plan.p50,
        aim: '< 1',
      },
      {
        name: 'semantic.compile.p99',
        value: compile.p99,
        unit: 'ms',
        anchor: 'DuckDB planning the generated SQL (EXPLAIN), p99',
        anchorValue: plan.p99,
        ratio: compile.p99 / plan.p99,
        aim: '< 1',
      },
      {
        name: 'semantic.load',
        value: loadTotal / n,
        unit: 'ms/query',
        anchor: 'the same SQL run directly on DuckDB',
        anchorValue: directTotal / n,
        ratio: loadTotal / directTotal,
        aim: '<= 1.1',
      },
    ];
  } finally {
    await fx.close();
  }
};
