import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { countCsvRecords } from '../../connectors/index.ts';
import { Workspace } from '../../workspace/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = resolve(ROOT, '../shared/fixtures/synthea');
const analyst = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'bin/analyst.mjs'), ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
  });

let base = '';
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'analyst-init-synthea-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function counts(dir: string): Promise<Map<string, number>> {
  const ws = await Workspace.load(dir);
  const lake = await ws.openLake();
  try {
    const status = await lake.status();
    return new Map(status.tables.map((t) => [t.name, t.rows]));
  } finally {
    await lake.close();
  }
}

describe('analyst init --preset synthea', () => {
  it('loads every CSV of the export with row counts equal to the files', async () => {
    const dir = join(base, 's');
    await analyst('init', dir, '--preset', 'synthea', '--source', FIXTURE);
    const rows = await counts(dir);
    const files = (await readdir(FIXTURE)).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBe(16);
    for (const f of files) {
      expect([f, rows.get(f.replace('.csv', ''))]).toEqual([f, await countCsvRecords(join(FIXTURE, f))]);
    }
    const users = parse(await readFile(join(dir, 'users.yaml'), 'utf8')) as {
      users: Array<{ id: string; attributes: Record<string, string> }>;
    };
    expect(users.users.map((u) => u.id)).toEqual(['admin', 'analyst', 'clinician', 'auditor']);
    const org = users.users.find((u) => u.id === 'clinician')?.attributes.organization_id;
    const orgs = await readFile(join(FIXTURE, 'organizations.csv'), 'utf8');
    expect(org && orgs.includes(org)).toBe(true);

    // A second sync is a full refresh: same counts, no duplicates; the history records both runs.
    await analyst('--workspace', dir, 'sync', 'synthea');
    expect((await counts(dir)).get('encounters')).toBe(
      await countCsvRecords(join(FIXTURE, 'encounters.csv')),
    );
    const { stdout } = await analyst('--workspace', dir, '--json', 'connectors', 'check');
    expect(JSON.parse(stdout)).toEqual([{ name: 'synthea', ok: true }]);
  });

  it('init --demo generates every Synthea table and loads it', async () => {
    const dir = join(base, 'demo');
    const { stdout } = await analyst('--json', 'init', dir, '--demo', '--patients', '40', '--seed', '5');
    const out = JSON.parse(stdout) as { demo: { patients: number } };
    expect(out.demo.patients).toBe(40);
    const rows = await counts(dir);
    // Every table of the demo export loads completely: no record is rejected.
    const exported = join(dir, 'data/synthea-demo');
    for (const f of (await readdir(exported)).filter((x) => x.endsWith('.csv'))) {
      expect([f, rows.get(f.replace('.csv', ''))]).toEqual([f, await countCsvRecords(join(exported, f))]);
    }
    expect(rows.size).toBe(19);
    expect(rows.get('patients')).toBe(40);
    expect(rows.get('observations')).toBeGreaterThan(40);
  });
});
