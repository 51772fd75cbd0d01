// Pre-aggregations: each tile of the bundled dashboard read from its rollup, against DuckDB running
// the same tile's SQL on the raw tables (compiled without rollups), in the same run, on a demo
// workspace of 1,000 patients made by the real CLI (`analyst init --demo`). At this size a lake
// scan's fixed cost dominates both sides; the scale benchmark measures `preagg.tile.100k`.
import { join } from 'node:path';
import { buildPreAggregations } from '../app/index.ts';
import { DashboardStore, installBundledDashboards, tileQuery } from '../dashboards/index.ts';
import { SemanticLayer } from '../semantic/index.ts';
import { contextFor } from '../semantic/testing/index.ts';
import { Workspace } from '../workspace/index.ts';
import { demoWorkspace } from './demo-workspace.ts';
import { type Bench, percentiles, timeMs } from './result.ts';

const ROUNDS = 20;

export const run: Bench = async () => {
  const demo = await demoWorkspace(1000);
  try {
    const ws = await Workspace.load(demo.dir);
    const lake = await ws.openLake();
    try {
      const report = await buildPreAggregations(ws, { lake, force: true });
      const failed = report.filter((r) => r.action === 'failed' || r.action === 'skipped');
      if (failed.length)
        throw new Error(`rollups not built: ${failed.map((f) => `${f.id} ${f.detail}`).join('; ')}`);
      const modelDir = ws.path(ws.config.semantic.model_dir);
      const layer = await SemanticLayer.load({ modelDir, lake });
      const raw = await SemanticLayer.load({ modelDir, lake, preAggregations: false });
      await installBundledDashboards(demo.dir, ['synthea']);
      const dashboard = await new DashboardStore(join(demo.dir, 'dashboards')).get('synthea');
      const ctx = contextFor('analyst');
      const tiles = dashboard.tiles.map((t) => {
        const q = tileQuery(dashboard, t, {}).query;
        return { id: t.id, rollup: layer.compile(q, ctx).compiled, raw: raw.compile(q, ctx).compiled };
      });
      const unserved = tiles.filter((t) => t.rollup.rollups.length === 0).map((t) => t.id);
      if (unserved.length) throw new Error(`tiles not served by a rollup: ${unserved.join(', ')}`);
      for (const t of tiles) {
        await lake.query(t.rollup.sql, t.rollup.params);
        await lake.query(t.raw.sql, t.raw.params);
      }
      const fromRollup: number[][] = tiles.map(() => []);
      const fromRaw: number[][] = tiles.map(() => []);
      for (let i = 0; i < ROUNDS; i++)
        for (const [k, t] of tiles.entries()) {
          const a = () =>
            timeMs(() => lake.query(t.rollup.sql, t.rollup.params)).then((ms) => fromRollup[k]!.push(ms));
          const b = () =>
            timeMs(() => lake.query(t.raw.sql, t.raw.params)).then((ms) => fromRaw[k]!.push(ms));
          // Alternate the order so neither side always runs on a warmer cache.
          if (i % 2) await a().then(b);
          else await b().then(a);
        }
      const median = (xs: number[]) => percentiles(xs).p50;
      const value = median(fromRollup.map(median));
      const anchor = median(fromRaw.map(median));
      return [
        {
          name: 'preagg.tile',
          value,
          unit: 'ms (median tile p50)',
          anchor: `the same ${tiles.length} tiles' SQL on the raw tables (1,000 demo patients)`,
          anchorValue: anchor,
          ratio: value / anchor,
          aim: '<= 0.8',
        },
      ];
    } finally {
      await lake.close();
    }
  } finally {
    await demo.remove();
  }
};
