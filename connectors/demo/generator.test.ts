import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countCsvRecords } from '../sdk/csv-head.ts';
import { SYNTHEA_TABLES } from '../synthea/tables.ts';
import { generateSyntheaDemo } from './generator.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../shared/fixtures/synthea');
const dirs: string[] = [];
const temp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'analyst-demo-'));
  dirs.push(d);
  return d;
};
const digest = async (dir: string) => {
  const h = createHash('sha256');
  for (const f of (await readdir(dir)).sort()) h.update(f).update(await readFile(join(dir, f)));
  return h.digest('hex');
};

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('demo: Synthea-format export', () => {
  it('writes every Synthea table with the headers a real Synthea export has', async () => {
    const dir = await temp();
    const r = await generateSyntheaDemo({ dir, patients: 60, seed: 3 });
    expect((await readdir(dir)).sort()).toEqual(SYNTHEA_TABLES.map((t) => `${t}.csv`).sort());
    for (const f of (await readdir(FIXTURE)).filter((x) => x.endsWith('.csv'))) {
      const real = (await readFile(join(FIXTURE, f), 'utf8')).split('\n')[0]?.trim();
      const ours = (await readFile(join(dir, f), 'utf8')).split('\n')[0]?.trim();
      expect(ours, f).toBe(real);
    }
    for (const t of SYNTHEA_TABLES) expect(await countCsvRecords(join(dir, `${t}.csv`)), t).toBe(r.rows[t]);
    expect(r.rows.patients).toBe(60);
    expect(r.rows.encounters).toBeGreaterThan(60 * 5);
    expect(r.rows.organizations).toBeGreaterThan(5);
    expect(r.rows.payers).toBeGreaterThan(5);
  });

  it('is deterministic for a seed and different across seeds', async () => {
    const [a, b, c] = [await temp(), await temp(), await temp()];
    await generateSyntheaDemo({ dir: a, patients: 40, seed: 11 });
    await generateSyntheaDemo({ dir: b, patients: 40, seed: 11 });
    await generateSyntheaDemo({ dir: c, patients: 40, seed: 12 });
    expect(await digest(a)).toBe(await digest(b));
    expect(await digest(a)).not.toBe(await digest(c));
  });
});
