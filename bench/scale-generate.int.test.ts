import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { countCsvRecords } from '../connectors/sdk/csv-head.ts';

// The scale benchmark's generator process (bench/scale-generate.ts), as bench/scale-data.ts runs it:
// its cache is keyed by size and seed, so a seed must give the same bytes on every run.
const GENERATE = resolve(import.meta.dirname, 'scale-generate.ts');
const root = resolve(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function generate(patients: number, seed: number) {
  const dir = await mkdtemp(join(tmpdir(), 'analyst-scale-gen-'));
  dirs.push(dir);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', GENERATE, join(dir, 'csv'), String(patients), String(seed)],
    { cwd: root },
  );
  const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { rows: Record<string, number> };
  const files = (await readdir(join(dir, 'csv'))).sort();
  const digests: Record<string, string> = {};
  for (const f of files)
    digests[f] = createHash('sha256')
      .update(await readFile(join(dir, 'csv', f)))
      .digest('hex');
  return { dir: join(dir, 'csv'), rows: out.rows, digests };
}

describe('scale bench: generator process', () => {
  it('writes byte-identical files for the same size and seed, and other files for another seed', async () => {
    const a = await generate(30, 5);
    const b = await generate(30, 5);
    const c = await generate(30, 6);
    expect(Object.keys(a.digests).length).toBe(19);
    expect(b.digests).toEqual(a.digests);
    expect(c.digests['encounters.csv']).not.toBe(a.digests['encounters.csv']);
    expect(c.digests['patients.csv']).not.toBe(a.digests['patients.csv']);
    // The row counts it reports are the records in its files.
    for (const [table, n] of Object.entries(a.rows))
      expect(await countCsvRecords(join(a.dir, `${table}.csv`)), table).toBe(n);
    expect(a.rows.patients).toBe(30);
  });
});
