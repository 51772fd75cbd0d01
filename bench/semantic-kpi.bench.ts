// KPI queries of the bundled Synthea model through the semantic layer (`load`: plan, compile, run,
// shape) against the same KPIs as hand-written SQL run directly on DuckDB, in the same run, on the
// fixture lake (aim <= 1.3).
import { SemanticLayer } from '../semantic/index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  KPI_CASES,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../semantic/testing/index.ts';
import { type Bench, timeMs } from './result.ts';

const ROUNDS = 15;

export const run: Bench = async () => {
  const fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  try {
    const layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
    const analyst = contextFor('analyst');
    // Warm the policy cache and DuckDB on both sides, as a running server would be.
    for (const c of KPI_CASES) {
      await layer.load(c.query, analyst);
      await fx.lake.query(c.sql);
    }
    let layerTotal = 0;
    let handTotal = 0;
    for (let i = 0; i < ROUNDS; i++) {
      for (const c of KPI_CASES) {
        // Alternate the order so neither side always runs on a warmer cache.
        if (i % 2 === 0) {
          layerTotal += await timeMs(() => layer.load(c.query, analyst));
          handTotal += await timeMs(() => fx.lake.query(c.sql));
        } else {
          handTotal += await timeMs(() => fx.lake.query(c.sql));
          layerTotal += await timeMs(() => layer.load(c.query, analyst));
        }
      }
    }
    const n = ROUNDS * KPI_CASES.length;
    return [
      {
        name: 'semantic.kpi',
        value: layerTotal / n,
        unit: 'ms/query',
        anchor: `the same ${KPI_CASES.length} KPIs as hand-written SQL run directly on DuckDB`,
        anchorValue: handTotal / n,
        ratio: layerTotal / handTotal,
        aim: '<= 1.3',
      },
    ];
  } finally {
    await fx.close();
  }
};
