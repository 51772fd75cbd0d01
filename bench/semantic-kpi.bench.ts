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
import { type Bench, percentiles, timeMs } from './result.ts';

const ROUNDS = 15;

let perKpi: string[] = [];

/** Per-KPI medians and ratios for results.md (run.ts appends it after the figures). */
export const markdown = (): string => perKpi.join('\n');

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
    // Per KPI, the median of its samples on each side: on a shared machine a few slow runs
    // (another process's burst) would otherwise decide the ratio.
    const layerMs = KPI_CASES.map(() => [] as number[]);
    const handMs = KPI_CASES.map(() => [] as number[]);
    for (let i = 0; i < ROUNDS; i++) {
      for (const [k, c] of KPI_CASES.entries()) {
        // Alternate the order so neither side always runs on a warmer cache.
        if (i % 2 === 0) {
          layerMs[k]!.push(await timeMs(() => layer.load(c.query, analyst)));
          handMs[k]!.push(await timeMs(() => fx.lake.query(c.sql)));
        } else {
          handMs[k]!.push(await timeMs(() => fx.lake.query(c.sql)));
          layerMs[k]!.push(await timeMs(() => layer.load(c.query, analyst)));
        }
      }
    }
    const sumOfMedians = (runs: number[][]) => runs.reduce((n, xs) => n + percentiles(xs).p50, 0);
    const layerTotal = sumOfMedians(layerMs);
    const handTotal = sumOfMedians(handMs);
    const n = KPI_CASES.length;
    // Which KPI costs what: the figure below is their sum, this says where the time goes.
    perKpi = [
      '',
      '### semantic.kpi per KPI (median ms over the rounds)',
      '',
      '| KPI | layer | hand-written | ratio |',
      '|---|---|---|---|',
      ...KPI_CASES.map((c, k) => {
        const l = percentiles(layerMs[k]!).p50;
        const h = percentiles(handMs[k]!).p50;
        return `| ${c.name} | ${l.toFixed(2)} | ${h.toFixed(2)} | ${(l / h).toFixed(2)} |`;
      }),
    ];
    return [
      {
        name: 'semantic.kpi',
        value: layerTotal / n,
        unit: 'ms/query (median per KPI)',
        anchor: `the same ${KPI_CASES.length} KPIs as hand-written SQL run directly on DuckDB (median per KPI)`,
        anchorValue: handTotal / n,
        ratio: layerTotal / handTotal,
        aim: '<= 1.3',
      },
    ];
  } finally {
    await fx.close();
  }
};
