import type { Lakehouse } from '../lakehouse/index.ts';
import { type RollupRefresh, type RollupStatus, SemanticLayer } from '../semantic/index.ts';
import type { Workspace } from '../workspace/index.ts';
import { hostedFor } from './hosted.ts';

/** Options of `buildPreAggregations`. */
export interface BuildPreAggregationsOptions {
  /** Rebuild every rollup in full (default: only partitions whose rows changed). */
  force?: boolean;
  /** Honour `refresh_key.every` (what the refresh after a sync does). */
  afterSync?: boolean;
  /** Only these rollups (`cube.name`). */
  only?: string[];
  /** The workspace's lake, already open (benchmarks, the sync that just committed). */
  lake?: Lakehouse;
}

/**
 * Build or refresh every rollup (pre-aggregation) of a workspace's model in its lake: what
 * `analyst preagg build` and the refresh after each sync run. Inside a server (a hosted command),
 * the server's layer refreshes them, so it reads them at once.
 *
 * @example const report = await buildPreAggregations(ws, { force: true });
 */
export async function buildPreAggregations(
  ws: Workspace,
  options: BuildPreAggregationsOptions = {},
): Promise<RollupRefresh[]> {
  const { lake, ...refresh } = options;
  const h = hostedFor(ws);
  if (h && !lake) return h.runtime.semantic.refreshPreAggregations(refresh);
  return withLayer(ws, lake, (layer) => layer.refreshPreAggregations(refresh));
}

/**
 * Each rollup of the workspace's model: partitions, freshness (current or not), size.
 *
 * @example for (const r of await preAggregationStatus(ws)) console.log(r.id, r.current);
 */
export async function preAggregationStatus(ws: Workspace, lake?: Lakehouse): Promise<RollupStatus[]> {
  const h = hostedFor(ws);
  if (h && !lake) return h.runtime.semantic.preAggregations.status();
  return withLayer(ws, lake, (layer) => layer.preAggregations.status());
}

async function withLayer<T>(
  ws: Workspace,
  given: Lakehouse | undefined,
  fn: (layer: SemanticLayer) => Promise<T>,
): Promise<T> {
  const lake = given ?? (await ws.openLake());
  try {
    const layer = await SemanticLayer.load({ modelDir: ws.path(ws.config.semantic.model_dir), lake });
    return await fn(layer);
  } finally {
    if (!given) await lake.close();
  }
}
