// Scale: demo workspaces of 1k, 10k and 100k patients (generated once, cached under .bench-cache/
// by size and seed; see scale-data.ts), each size measured beside its anchors in the same run:
//  - ingest: the Synthea connector into the lake against DuckDB's own read_csv into plain tables
//    (each in its own process, as bench/ingest.bench.ts does);
//  - serving (bench/scale-worker.ts, its own process with the lake's memory_limit): the bundled
//    dashboard's tiles and the whole dashboard against DuckDB running their compiled SQL, chat p50
//    over fixed questions (offline interpreter), the gate on a join against the same SQL
//    hand-written on the base tables, and the process's peak RSS.
// The contract names compare 100k with its anchor or with 1k; every figure's growth exponent
// (slope of log(figure) over log(patients), least squares over the three sizes) goes to results.md.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Bench, BenchResult } from './result.ts';
import { type DemoExport, demoExport, demoWorkspaceAt } from './scale-data.ts';
import type { ScaleServing } from './scale-worker.ts';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const SEED = 1;
const MEMORY_LIMIT = process.env.BENCH_SCALE_MEMORY_LIMIT ?? '1GB';
const RSS_BUDGET_MB = 2048;
const ROOT = resolve(import.meta.dirname, '..');

interface Phase {
  ms: number;
  rows: number;
  maxRssMb: number;
}

interface SizeFigures {
  patients: number;
  rows: number;
  ingest: number;
  ingestAnchor: number;
  serving: ScaleServing;
}

async function node(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 22,
  });
  return stdout.trim().split('\n').pop() ?? '{}';
}

async function ingestPhase(name: 'synthea-lake' | 'synthea-duckdb', data: DemoExport): Promise<Phase> {
  const work = await mkdtemp(join(tmpdir(), `bench-scale-${name}-`));
  try {
    return JSON.parse(
      await node([resolve(import.meta.dirname, 'ingest-worker.ts'), name, work, data.dir]),
    ) as Phase;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The export and workspace of one size, from the cache or made now (before anything is timed). */
async function prepare(patients: number): Promise<{ data: DemoExport; ws: { dir: string } }> {
  const t0 = performance.now();
  const data = await demoExport(patients, SEED);
  const rows = Object.values(data.rows).reduce((a, b) => a + b, 0);
  const ws = await demoWorkspaceAt(data);
  console.error(
    `   ${patients} patients: ${rows} rows; export ${data.cached ? 'cached' : `generated in ${(data.generatedMs / 1000).toFixed(0)} s`}, workspace ${ws.cached ? 'cached' : `made in ${(ws.builtMs / 1000).toFixed(0)} s`}, rollups built or checked in ${(ws.preaggMs / 1000).toFixed(0)} s (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  return { data, ws };
}

async function measure({ data, ws }: { data: DemoExport; ws: { dir: string } }): Promise<SizeFigures> {
  const t0 = performance.now();
  const patients = data.patients;
  // Anchor first, then the lake: the page cache holds the CSV files for both alike after the first.
  const duck = await ingestPhase('synthea-duckdb', data);
  const lake = await ingestPhase('synthea-lake', data);
  if (duck.rows !== lake.rows)
    throw new Error(`${patients}: row counts differ: lake ${lake.rows}, duckdb ${duck.rows}`);
  console.error(
    `   ${patients}: ingest ${(lake.ms / 1000).toFixed(1)} s vs read_csv ${(duck.ms / 1000).toFixed(1)} s (ratio ${(duck.ms / lake.ms).toFixed(2)})`,
  );
  const rounds = patients >= 100_000 ? 5 : patients >= 10_000 ? 8 : 15;
  const serving = JSON.parse(
    await node([resolve(import.meta.dirname, 'scale-worker.ts'), ws.dir, String(rounds), MEMORY_LIMIT]),
  ) as ScaleServing;
  const phases = Object.entries(serving.phaseMs)
    .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(0)} s`)
    .join(', ');
  console.error(
    `   ${patients}: tile p50 ${serving.tileP50.toFixed(1)} ms; chat p50 ${serving.chatP50.toFixed(1)} ms; RSS ${serving.maxRssMb.toFixed(0)} MB; serving phases: ${phases}; ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  return {
    patients,
    rows: lake.rows,
    ingest: lake.rows / (lake.ms / 1000),
    ingestAnchor: duck.rows / (duck.ms / 1000),
    serving,
  };
}

/** Least-squares slope of log(y) on log(x): 1 means the figure grows in proportion to patients. */
export function growthExponent(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

let growth: string[] = [];

/** The growth table for results.md (run.ts appends it after the figures). */
export const markdown = (): string => growth.join('\n');

export const run: Bench = async () => {
  const prepared = [];
  for (const n of SIZES) prepared.push(await prepare(n));
  const sizes: SizeFigures[] = [];
  for (const p of prepared) sizes.push(await measure(p));
  const small = sizes[0]!;
  const big = sizes[sizes.length - 1]!;
  const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  const tag = label(big.patients);
  const results: BenchResult[] = [];
  for (const s of sizes) {
    const k = label(s.patients);
    const v = s.serving;
    results.push(
      {
        name: `scale.ingest.${k}`,
        value: s.ingest,
        unit: 'rows/s',
        anchor: `duckdb read_csv into plain tables (${s.patients} patients, ${s.rows} rows)`,
        anchorValue: s.ingestAnchor,
        ratio: s.ingest / s.ingestAnchor,
        aim: '>= 0.9',
      },
      {
        name: `scale.dashboard.tile.p50.${k}`,
        value: v.tileP50,
        unit: 'ms',
        anchor: 'DuckDB running the tiles’ compiled SQL directly, p50',
        anchorValue: v.tileDirectP50,
        ratio: v.tileP50 / v.tileDirectP50,
        aim: 'report',
      },
      {
        name: `scale.dashboard.full.${k}`,
        value: v.dashboardMs,
        unit: 'ms/dashboard',
        anchor: `the ${v.tiles.length} tiles’ compiled SQL run directly on DuckDB (median per dashboard)`,
        anchorValue: v.dashboardDirectMs,
        ratio: v.dashboardMs / v.dashboardDirectMs,
        aim: 'report',
      },
      ...v.tiles.map((t) => ({
        name: `scale.tile.${t.id}.${k}`,
        value: t.p50,
        unit: 'ms',
        anchor: 'DuckDB running this tile’s compiled SQL directly, p50',
        anchorValue: t.directP50,
        ratio: t.p50 / t.directP50,
        aim: 'report',
      })),
      {
        name: `scale.chat.p50.${k}`,
        value: v.chatP50,
        unit: 'ms',
        anchor: 'the execute step’s own time in the same answers (p50)',
        anchorValue: v.chatSqlP50,
        ratio: v.chatP50 / v.chatSqlP50,
        aim: 'report',
      },
      {
        name: `scale.gate.join.${k}`,
        value: v.gateJoinP50,
        unit: 'ms',
        anchor: 'same join hand-written on the base tables with the clinician’s filter, lake.query (p50)',
        anchorValue: v.gateJoinDirectP50,
        ratio: v.gateJoinP50 / v.gateJoinDirectP50,
        aim: 'report',
      },
      {
        name: `scale.cache.tile.${k}`,
        value: v.cachedTileP50,
        unit: 'ms',
        anchor: 'the same tiles through the semantic layer without the result cache (p50)',
        anchorValue: v.uncachedTileP50,
        ratio: v.cachedTileP50 / v.uncachedTileP50,
        aim: 'report',
      },
      {
        name: `scale.rss.${k}`,
        value: v.maxRssMb,
        unit: 'MB',
        anchor: `the ${RSS_BUDGET_MB} MB budget for the serving process (lake memory_limit ${v.memoryLimit})`,
        anchorValue: RSS_BUDGET_MB,
        ratio: v.maxRssMb / RSS_BUDGET_MB,
        aim: '< 1',
      },
    );
  }
  // The contract names.
  // (scale.ingest.<largest> is the per-size ingest figure above.)
  results.push({
    name: `scale.chat.${tag}`,
    value: big.serving.chatP50,
    unit: 'ms',
    anchor: `chat p50 over the same questions at ${small.patients} patients`,
    anchorValue: small.serving.chatP50,
    ratio: big.serving.chatP50 / small.serving.chatP50,
    aim: '<= 3',
  });
  // Both figures need rollups: without `pre_aggregations` in the model they are reported missing
  // (NaN, which results.json writes as null), never computed from something else.
  const withRollups = big.serving.preAggregations && small.serving.preAggregations;
  const missing = 'MISSING: the model has no pre_aggregations yet';
  results.push(
    {
      name: `scale.tile.${tag}`,
      value: withRollups ? big.serving.tileP50 : Number.NaN,
      unit: 'ms',
      anchor: withRollups ? `the same tiles at ${small.patients} patients (p50)` : missing,
      anchorValue: withRollups ? small.serving.tileP50 : Number.NaN,
      ratio: withRollups ? big.serving.tileP50 / small.serving.tileP50 : Number.NaN,
      aim: '<= 2',
    },
    {
      name: `preagg.tile.${tag}`,
      value: withRollups ? big.serving.tileP50 : Number.NaN,
      unit: 'ms',
      anchor: withRollups
        ? 'DuckDB running the tiles’ SQL compiled without pre_aggregations, on the raw tables (p50)'
        : missing,
      anchorValue: withRollups ? (big.serving.rawTableP50 ?? Number.NaN) : Number.NaN,
      ratio: withRollups ? big.serving.tileP50 / (big.serving.rawTableP50 ?? Number.NaN) : Number.NaN,
      aim: '<= 0.2',
    },
  );
  if (!withRollups) console.error(`   scale.tile.${tag} and preagg.tile.${tag}: ${missing}`);

  const xs = sizes.map((s) => s.patients);
  const growthRow = (name: string, ys: number[], note: string) =>
    `| ${name} | ${ys.map((y) => y.toPrecision(4)).join(' | ')} | ${growthExponent(xs, ys).toFixed(2)} | ${note} |`;
  growth = [
    '',
    `### Scale: growth with patients (${xs.join(', ')}; exponent = log-log slope, 1 = linear)`,
    '',
    `| figure | ${xs.map(label).join(' | ')} | exponent | what it is |`,
    `|---|${xs.map(() => '---|').join('')}---|---|`,
    growthRow(
      'rows',
      sizes.map((s) => s.rows),
      'rows in the export',
    ),
    growthRow(
      'ingest rows/s',
      sizes.map((s) => s.ingest),
      'connector into the lake',
    ),
    growthRow(
      'read_csv rows/s',
      sizes.map((s) => s.ingestAnchor),
      'anchor',
    ),
    growthRow(
      'ingest ratio',
      sizes.map((s) => s.ingest / s.ingestAnchor),
      'lake vs read_csv',
    ),
    growthRow(
      'tile p50 ms',
      sizes.map((s) => s.serving.tileP50),
      'semantic layer, all tiles',
    ),
    growthRow(
      'tile SQL p50 ms',
      sizes.map((s) => s.serving.tileDirectP50),
      'anchor: compiled SQL on DuckDB',
    ),
    growthRow(
      'dashboard ms',
      sizes.map((s) => s.serving.dashboardMs),
      'every tile once',
    ),
    ...(sizes[0]?.serving.tiles ?? []).map((t, i) =>
      growthRow(
        `tile ${t.id} ms`,
        sizes.map((s) => s.serving.tiles[i]?.p50 ?? Number.NaN),
        'p50',
      ),
    ),
    growthRow(
      'chat p50 ms',
      sizes.map((s) => s.serving.chatP50),
      'offline interpreter, fixed questions',
    ),
    growthRow(
      'gate join p50 ms',
      sizes.map((s) => s.serving.gateJoinP50),
      'clinician, governed SQL',
    ),
    growthRow(
      'hand join p50 ms',
      sizes.map((s) => s.serving.gateJoinDirectP50),
      'anchor',
    ),
    growthRow(
      'cached tile p50 ms',
      sizes.map((s) => s.serving.cachedTileP50),
      'result cache hit',
    ),
    growthRow(
      'peak RSS MB',
      sizes.map((s) => s.serving.maxRssMb),
      `serving process, memory_limit ${MEMORY_LIMIT}`,
    ),
  ];
  return results;
};
