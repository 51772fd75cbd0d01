import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `analyst preagg status|build` on a Synthea workspace made by `analyst init`, and the refresh that
// follows each `analyst sync`: the real binary, the real lake files.
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = resolve(ROOT, '../shared/fixtures/synthea');
const analyst = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'bin/analyst.mjs'), ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
  });

interface Status {
  id: string;
  built: boolean;
  current: boolean;
  rows: number;
  bytes: number;
  snapshot?: number;
  partitions: Array<{ partition: string | null; rows: number }>;
}

let base = '';
let dir = '';
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'analyst-preagg-cli-'));
  dir = join(base, 'ws');
  await analyst('init', dir, '--preset', 'synthea', '--source', FIXTURE);
}, 300_000);
afterAll(() => rm(base, { recursive: true, force: true }));

const status = async (): Promise<Status[]> =>
  JSON.parse((await analyst('--workspace', dir, '--json', 'preagg', 'status')).stdout) as Status[];

describe('analyst preagg', () => {
  it('build makes every rollup current; status shows partitions, rows and size', async () => {
    const built = JSON.parse(
      (await analyst('--workspace', dir, '--json', 'preagg', 'build', '--force')).stdout,
    ) as Array<{
      id: string;
      action: string;
    }>;
    expect(built.map((b) => b.action)).toEqual(built.map(() => 'built'));
    expect(built.map((b) => b.id)).toContain('encounters.by_day');
    const s = await status();
    for (const r of s) {
      expect(r, r.id).toMatchObject({ built: true, current: true });
      expect(r.bytes, r.id).toBeGreaterThan(0);
    }
    const byDay = s.find((r) => r.id === 'encounters.by_day')!;
    expect(byDay.partitions.length).toBeGreaterThan(12);
    expect(byDay.rows).toBe(byDay.partitions.reduce((n, p) => n + p.rows, 0));
    const text = (await analyst('--workspace', dir, 'preagg', 'status')).stdout;
    expect(text).toMatch(/encounters\.by_day\s+current\s+after each sync/);
  }, 300_000);

  it('a sync refreshes them: they are current at the new snapshot', async () => {
    const before = await status();
    await analyst('--workspace', dir, 'sync', 'synthea');
    const after = await status();
    for (const r of after) {
      expect(r.current, r.id).toBe(true);
      expect(r.snapshot!, r.id).toBeGreaterThan(before.find((b) => b.id === r.id)!.snapshot!);
    }
    // A second build finds nothing changed.
    const again = JSON.parse(
      (await analyst('--workspace', dir, '--json', 'preagg', 'build')).stdout,
    ) as Array<{
      action: string;
    }>;
    expect(again.map((b) => b.action)).toEqual(again.map(() => 'unchanged'));
  }, 300_000);
});
