// The serving side of bench/scale.bench.ts, in its own process so its peak RSS is the serving
// process's own: opens a cached demo workspace as `analyst serve` does (runtime, lake with its
// memory_limit) and times the bundled dashboard's tiles, chat over fixed questions, and the
// governed SQL gate on a join, each beside its anchor. Prints one JSON line (ScaleServing).
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { contextOf, openRuntime } from '../app/index.ts';
import { DashboardStore, tileQuery } from '../dashboards/index.ts';
import { ResultCache, readModelFiles, SemanticLayer } from '../semantic/index.ts';
import { Workspace } from '../workspace/index.ts';
import { DEMO_QUESTIONS } from './demo-workspace.ts';
import { percentiles, timeMs } from './result.ts';

const [dir, roundsArg, memoryLimit] = process.argv.slice(2) as [string, string, string];
const ROUNDS = Number(roundsArg);

export interface ScaleServing {
  tiles: Array<{ id: string; p50: number; directP50: number }>;
  tileP50: number;
  tileDirectP50: number;
  dashboardMs: number;
  dashboardDirectMs: number;
  chatP50: number;
  chatSqlP50: number;
  gateJoinP50: number;
  gateJoinDirectP50: number;
  /**
   * With rollups in the model: DuckDB running each tile's SQL compiled from the same model without
   * its `pre_aggregations` (the raw tables), p50 over all tiles; null without rollups.
   */
  rawTableP50: number | null;
  /** A tile answered from the result cache (a hit) against the same tile run on the lake, p50. */
  cachedTileP50: number;
  uncachedTileP50: number;
  preAggregations: boolean;
  memoryLimit: string;
  maxRssMb: number;
  /** Wall time of each part of this process's run (warm-ups included), for the log. */
  phaseMs: Record<'open' | 'tiles' | 'rawTables' | 'cache' | 'chat' | 'gate', number>;
}

const median = (xs: number[]) => percentiles(xs).p50;

const phaseMs: ScaleServing['phaseMs'] = { open: 0, tiles: 0, rawTables: 0, cache: 0, chat: 0, gate: 0 };
let phaseStart = performance.now();
/** Close the phase that has been running since the last call. */
const phaseDone = (name: keyof ScaleServing['phaseMs']) => {
  const t = performance.now();
  phaseMs[name] = t - phaseStart;
  phaseStart = t;
};
const ws = await Workspace.load(dir);
const rt = await openRuntime(ws, { route: 'bench scale', lakeMemoryLimit: memoryLimit, resultCache: false });
try {
  const analyst = contextOf(ws, 'analyst');
  const clinician = contextOf(ws, 'clinician');
  const store = new DashboardStore(join(dir, 'dashboards'));
  const dashboard = await store.get('synthea');
  const modelDir = ws.path(ws.config.semantic.model_dir);
  const preAggregations = await hasPreAggregations(modelDir);
  phaseDone('open');

  // Dashboard: each tile through the semantic layer (compile, policies, DuckDB, response) against
  // DuckDB running the tile's compiled SQL directly; interleaved, alternating order.
  const tiles = dashboard.tiles.map((t) => {
    const query = tileQuery(dashboard, t, {}).query;
    return { id: t.id, query, compiled: rt.semantic.compile(query, analyst).compiled };
  });
  const via = new Map<string, number[]>(tiles.map((t) => [t.id, []]));
  const direct = new Map<string, number[]>(tiles.map((t) => [t.id, []]));
  const dashRoute: number[] = [];
  const dashDirect: number[] = [];
  for (const t of tiles) {
    await rt.semantic.load(t.query, analyst);
    await rt.lake.query(t.compiled.sql, t.compiled.params);
  }
  for (let i = 0; i < ROUNDS; i++) {
    let a = 0;
    let b = 0;
    for (const t of tiles) {
      const viaLayer = async () => {
        const ms = await timeMs(() => rt.semantic.load(t.query, analyst));
        via.get(t.id)!.push(ms);
        a += ms;
      };
      const raw = async () => {
        const ms = await timeMs(() => rt.lake.query(t.compiled.sql, t.compiled.params));
        direct.get(t.id)!.push(ms);
        b += ms;
      };
      if (i % 2) await viaLayer().then(raw);
      else await raw().then(viaLayer);
    }
    dashRoute.push(a);
    dashDirect.push(b);
  }
  const perTile = tiles.map((t) => ({
    id: t.id,
    p50: median(via.get(t.id)!),
    directP50: median(direct.get(t.id)!),
  }));
  phaseDone('tiles');

  // With rollups: the anchor is DuckDB running the tile's SQL compiled from the model without its
  // pre_aggregations, i.e. on the raw tables.
  let rawTableP50: number | null = null;
  if (preAggregations) {
    const files = (await readModelFiles(modelDir)).map((f) => {
      const doc = parseDocument(f.text);
      const cubes = doc.get('cubes', true) as { items?: Array<{ delete(k: string): boolean }> } | undefined;
      for (const cube of cubes?.items ?? []) cube.delete('pre_aggregations');
      return { file: f.file, text: doc.toString() };
    });
    const rawLayer = await SemanticLayer.load({ files, lake: rt.lake });
    const raw = tiles.map((t) => rawLayer.compile(t.query, analyst).compiled);
    const rawMs: number[] = [];
    for (const c of raw) await rt.lake.query(c.sql, c.params);
    for (let i = 0; i < ROUNDS; i++)
      for (const c of raw) rawMs.push(await timeMs(() => rt.lake.query(c.sql, c.params)));
    rawTableP50 = median(rawMs);
  }
  phaseDone('rawTables');

  // The result cache: the same tiles through a layer with a cache (every call after the first is a
  // hit) against the runtime's layer without one, interleaved.
  const cache = new ResultCache({ maxBytes: 64 << 20, ttlMs: 3_600_000 });
  const cachedLayer = await SemanticLayer.load({ modelDir, lake: rt.lake, resultCache: cache });
  const cachedMs: number[] = [];
  const uncachedMs: number[] = [];
  for (const t of tiles) await cachedLayer.load(t.query, analyst);
  for (let i = 0; i < ROUNDS; i++) {
    for (const t of tiles) {
      cachedMs.push(await timeMs(() => cachedLayer.load(t.query, analyst)));
      uncachedMs.push(await timeMs(() => rt.semantic.load(t.query, analyst)));
    }
  }
  if (cache.stats().hits < ROUNDS * tiles.length)
    throw new Error('result cache: expected every timed call to hit');
  cache.close();
  phaseDone('cache');

  // Chat: the offline interpreter over fixed questions, end to end (plan, SQL, answer, audit).
  const chat: number[] = [];
  const chatSql: number[] = [];
  for (const q of DEMO_QUESTIONS) {
    const r = await rt.analyst.run(q, analyst);
    if (r.status !== 'ok') throw new Error(`chat warm-up: "${q}" answered ${r.status}`);
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const q of DEMO_QUESTIONS) {
      let sqlMs = 0;
      chat.push(
        await timeMs(async () => {
          for await (const e of rt.analyst.ask(q, analyst))
            if (e.type === 'step' && e.ms !== undefined && e.node === 'execute') sqlMs += e.ms;
        }),
      );
      chatSql.push(sqlMs);
    }
  }
  phaseDone('chat');

  // The gate on a join, for the clinician (row policies on both sides), against the same question
  // hand-written on the base tables with the clinician's organization filter.
  const org = String(clinician.attributes.organization_id ?? '');
  const governed =
    'SELECT e.encounterclass, count(*) AS n, sum(e.total_claim_cost) AS cost FROM encounters e JOIN patients p ON e.patient = p.id GROUP BY 1 ORDER BY 1';
  const hand = `SELECT e.encounterclass, count(*) AS n, sum(e.total_claim_cost) AS cost FROM lake.main.encounters e
    JOIN lake.main.patients p ON e.patient = p.id WHERE e.organization = $1 GROUP BY 1 ORDER BY 1`;
  const g0 = await rt.gate.governedSql(governed, clinician);
  const d0 = await rt.lake.query(hand, [org]);
  // Same classes and counts; sums of DOUBLE costs agree to rounding (parallel aggregation adds
  // them in a different order run to run).
  const same =
    g0.rows.length === d0.rows.length &&
    g0.rows.every((r, i) => {
      const d = d0.rows[i] ?? [];
      const [gs, ds] = [Number(r[2]), Number(d[2])];
      return (
        r[0] === d[0] &&
        Number(r[1]) === Number(d[1]) &&
        Math.abs(gs - ds) <= 1e-9 * Math.max(1, Math.abs(ds))
      );
    });
  if (!same) throw new Error('gate join: governed and hand-written answers differ');
  const gt: number[] = [];
  const dt: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    dt.push(await timeMs(() => rt.lake.query(hand, [org])));
    gt.push(await timeMs(() => rt.gate.governedSql(governed, clinician)));
  }
  phaseDone('gate');

  const out: ScaleServing = {
    tiles: perTile,
    tileP50: median(tiles.flatMap((t) => via.get(t.id)!)),
    tileDirectP50: median(tiles.flatMap((t) => direct.get(t.id)!)),
    dashboardMs: median(dashRoute),
    dashboardDirectMs: median(dashDirect),
    chatP50: median(chat),
    chatSqlP50: median(chatSql),
    gateJoinP50: median(gt),
    gateJoinDirectP50: median(dt),
    rawTableP50,
    cachedTileP50: median(cachedMs),
    uncachedTileP50: median(uncachedMs),
    preAggregations,
    memoryLimit,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    phaseMs,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await rt.close();
}

/** Whether the workspace's model declares any Cube `pre_aggregations`. */
async function hasPreAggregations(modelDir: string): Promise<boolean> {
  const ok = await access(modelDir).then(
    () => true,
    () => false,
  );
  if (!ok) return false;
  for (const f of await readdir(modelDir, { recursive: true })) {
    if (!/\.ya?ml$/.test(f)) continue;
    if (/^\s*pre_aggregations:\s*(\S)/m.test(await readFile(join(modelDir, f), 'utf8'))) return true;
  }
  return false;
}
