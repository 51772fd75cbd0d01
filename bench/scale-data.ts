// Demo exports and workspaces for the scale benchmark, cached between runs under .bench-cache/
// (gitignored), keyed by patients and seed. An entry is complete only once its `done.json` exists:
// each is built in a `.partial` folder and renamed, so an interrupted run leaves nothing half-made.
import { execFile } from 'node:child_process';
import { access, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLED_SYNTHEA_MODEL } from '../semantic/index.ts';
import { analystCli } from './demo-workspace.ts';

export const CACHE_DIR = resolve(import.meta.dirname, '..', '.bench-cache', 'scale');
const GENERATE = resolve(import.meta.dirname, 'scale-generate.ts');
// Bump when the generator or the workspace layout changes, so old caches are not reused.
// 2: the generator's faster writer (same bytes for a seed; bumped so a cold run is measured).
const VERSION = 2;

export interface DemoExport {
  dir: string;
  patients: number;
  seed: number;
  rows: Record<string, number>;
  /** Generation time when it was made (0 when this run found it in the cache). */
  generatedMs: number;
  cached: boolean;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

async function cached<T>(
  key: string,
  build: (dir: string) => Promise<T>,
): Promise<{ dir: string; meta: T; cached: boolean }> {
  const dir = join(CACHE_DIR, `v${VERSION}-${key}`);
  const done = join(dir, 'done.json');
  if (await exists(done)) return { dir, meta: JSON.parse(await readFile(done, 'utf8')) as T, cached: true };
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const meta = await build(partial);
  await writeFile(join(partial, 'done.json'), `${JSON.stringify(meta)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return { dir, meta, cached: false };
}

/** A Synthea-format demo export of `patients` (CSV files in `dir`), generated once per size and seed. */
export async function demoExport(patients: number, seed = 1): Promise<DemoExport> {
  const r = await cached(`csv-${patients}-s${seed}`, async (dir) => {
    // Its own process, with a young generation large enough that the generator's short-lived rows
    // are not promoted (half its time went to the garbage collector with the default).
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        GENERATE,
        join(dir, 'csv'),
        String(patients),
        String(seed),
      ],
      { cwd: resolve(import.meta.dirname, '..'), maxBuffer: 1 << 20 },
    );
    const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      rows: Record<string, number>;
      durationMs: number;
    };
    return { rows: out.rows, generatedMs: out.durationMs };
  });
  return {
    dir: join(r.dir, 'csv'),
    patients,
    seed,
    rows: r.meta.rows,
    generatedMs: r.cached ? 0 : r.meta.generatedMs,
    cached: r.cached,
  };
}

/**
 * A workspace over the demo export (`analyst init --preset synthea --source`, the real CLI): lake
 * loaded, bundled model, dashboard and dev users installed. Reused between runs like the export.
 */
export async function demoWorkspaceAt(
  data: DemoExport,
): Promise<{ dir: string; cached: boolean; builtMs: number; preaggMs: number }> {
  const r = await cached(`ws-${data.patients}-s${data.seed}`, async (dir) => {
    const t = performance.now();
    await analystCli(['init', join(dir, 'ws'), '--preset', 'synthea', '--source', data.dir, '--json']);
    return { builtMs: performance.now() - t };
  });
  const dir = join(r.dir, 'ws');
  // The bundled model as this checkout has it (with its pre_aggregations), and its rollups built:
  // `preagg build` builds what is missing or stale and is a quick no-op when they are current.
  await cp(BUNDLED_SYNTHEA_MODEL, join(dir, 'model'), { recursive: true, force: true });
  const t = performance.now();
  await analystCli(['preagg', 'build', '--workspace', dir, '--json']);
  return { dir, cached: r.cached, builtMs: r.cached ? 0 : r.meta.builtMs, preaggMs: performance.now() - t };
}
