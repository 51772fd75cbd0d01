import { access, cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { setConnector, syncWorkspace } from '../app/index.ts';
import { generateSyntheaDemo, type SyncRunResult } from '../connectors/index.ts';
import { installBundledDashboards } from '../dashboards/index.ts';
import { BUNDLED_SYNTHEA_MODEL as BUNDLED_MODEL } from '../semantic/index.ts';
import { type InitOptions, initWorkspace, USERS_FILE, type Workspace } from '../workspace/index.ts';

/** Where `--demo` writes its export, relative to the workspace. */
export const DEMO_DATA_DIR = 'data/synthea-demo';

export interface SyntheaSetupResult {
  workspace: Workspace;
  runs: SyncRunResult[];
  modelInstalled: boolean;
  clinicianOrganization: string | null;
  demo?: { patients: number; seed: number; durationMs: number };
}

/**
 * A workspace wired to a Synthea export: the synthea connector pointed at `source` (or at a demo
 * export generated inside the workspace), synced, the bundled semantic model installed when the
 * package has one, and dev users with the clinician scoped to the busiest organization.
 *
 * `lake` places the lake as `analyst init` would (a PostgreSQL catalog for several replicas).
 *
 * @example await createSyntheaWorkspace('/tmp/s', { source: '/data/synthea/csv' }, log, false);
 */
export async function createSyntheaWorkspace(
  dir: string,
  from: { source: string } | { demo: { patients: number; seed: number } },
  say: (line: string) => void,
  progress: boolean,
  lake: Pick<InitOptions, 'catalog' | 'catalogSchema' | 'dataPath'> = {},
): Promise<SyntheaSetupResult> {
  const ws = await initWorkspace(dir, { ...lake, onProgress: say });
  return setUpSynthea(ws, from, say, progress);
}

/** Point an existing workspace at Synthea data (generating demo data when asked) and load it. */
export async function setUpSynthea(
  ws: Workspace,
  from: { source: string } | { demo: { patients: number; seed: number } },
  say: (line: string) => void,
  progress: boolean,
): Promise<SyntheaSetupResult> {
  let path: string;
  let demo: SyntheaSetupResult['demo'];
  if ('demo' in from) {
    say(`generating a Synthea-format demo export: ${from.demo.patients} patients, seed ${from.demo.seed}`);
    const r = await generateSyntheaDemo({ dir: join(ws.dir, DEMO_DATA_DIR), ...from.demo });
    demo = { patients: r.patients, seed: r.seed, durationMs: r.durationMs };
    say(`demo export written in ${(r.durationMs / 1000).toFixed(1)} s`);
    path = DEMO_DATA_DIR;
  } else {
    path = resolve(from.source);
  }
  const configured = await setConnector(ws, 'synthea', {
    type: 'synthea',
    options: { path },
    mode: 'full_refresh',
    on_reject: 'skip',
  });
  say('loading the Synthea tables into the lake');
  const runs = await syncWorkspace(configured, ['synthea'], { progress });
  const modelInstalled = await installBundledModel(configured.dir);
  if (modelInstalled) say('installed the Synthea semantic model in model/');
  if (modelInstalled && (await installBundledDashboards(configured.dir, ['synthea'])).length)
    say('installed the Synthea dashboard in dashboards/synthea.yaml');
  const org = await busiestOrganization(configured);
  if (org) await scopeClinician(configured, org);
  return { workspace: configured, runs, modelInstalled, clinicianOrganization: org, demo };
}

async function installBundledModel(wsDir: string): Promise<boolean> {
  const exists = await access(BUNDLED_MODEL).then(
    () => true,
    () => false,
  );
  if (!exists) return false;
  await cp(BUNDLED_MODEL, join(wsDir, 'model'), { recursive: true });
  return true;
}

async function busiestOrganization(ws: Workspace): Promise<string | null> {
  const lake = await ws.openLake();
  try {
    const tables = await lake.listTables();
    if (!tables.some((t) => t.name === 'encounters')) return null;
    const r = await lake.query(
      `SELECT organization FROM ${lake.tableRef('encounters')} WHERE organization IS NOT NULL
       GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    return (r.rows[0]?.[0] as string | undefined) ?? null;
  } finally {
    await lake.close();
  }
}

/** The clinician dev user sees one organization's patients: give it a real one from the data. */
async function scopeClinician(ws: Workspace, organizationId: string): Promise<void> {
  const path = join(ws.dir, USERS_FILE);
  const doc = parseDocument(await readFile(path, 'utf8'));
  const users = doc.toJS() as { users: Array<{ id: string }> };
  const i = users.users.findIndex((u) => u.id === 'clinician');
  if (i < 0) return;
  doc.setIn(['users', i, 'attributes', 'organization_id'], organizationId);
  await writeFile(path, doc.toString());
}
