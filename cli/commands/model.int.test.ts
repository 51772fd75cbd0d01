import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initWorkspace } from '../../workspace/index.ts';
import { main } from '../main.ts';

let dir: string;

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'analyst-model-cli-')), 'ws');
  await initWorkspace(dir);
});
afterAll(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(['node', 'analyst', '--workspace', dir, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('analyst model validate', () => {
  it('reports every problem with file, line and member path and what it leaves out, and exits 1', async () => {
    await mkdir(join(dir, 'model'), { recursive: true });
    await writeFile(
      join(dir, 'model', 'orders.yml'),
      'cubes:\n  - name: orders\n    sql_table: orders\n    dimensions:\n      - name: id\n        sql: id\n        type: geo\n    data_source: default\n',
    );
    const res = await run(['--json', 'model', 'validate']);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.out);
    expect(report.valid).toBe(false);
    expect(
      report.diagnostics.map(
        (d: { file: string; line: number; path: string }) => `${d.file}:${d.line} ${d.path}`,
      ),
    ).toEqual(['orders.yml:7 cubes.orders.dimensions.id.type']);
    expect(report.excluded).toEqual([
      {
        kind: 'member',
        name: 'orders.id',
        reason: 'cubes.orders.dimensions.id.type: not supported: geo dimensions',
      },
    ]);
    expect(report.cubes).toBe(1);
    expect(report.warnings.map((w: { path: string }) => w.path)).toEqual(['cubes.orders.data_source']);
    const text = await run(['model', 'validate']);
    expect(text.out).toContain('orders.yml:7 cubes.orders.dimensions.id.type: not supported: geo dimensions');
    expect(text.out).toContain('left out: member orders.id');
  });

  it('passes a valid model and names cubes whose tables the lake lacks', async () => {
    await writeFile(
      join(dir, 'model', 'orders.yml'),
      'cubes:\n  - name: orders\n    sql_table: orders\n    dimensions:\n      - name: id\n        sql: id\n        type: number\n    measures:\n      - name: count\n        type: count\n',
    );
    const res = await run(['--json', 'model', 'validate']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({
      valid: true,
      cubes: 1,
      lakeChecked: true,
      unavailable: [{ cube: 'orders', reason: 'the lake has no table orders' }],
    });
  });
});
