// `analyst model validate` checks the model's verified queries too: each broken file is named
// with what is wrong, and the model is not valid until it is fixed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initWorkspace } from '../../workspace/index.ts';
import { main } from '../main.ts';

let dir: string;
beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'analyst-model-verified-')), 'ws');
  await initWorkspace(dir);
  await mkdir(join(dir, 'model', 'verified_queries'), { recursive: true });
  await writeFile(
    join(dir, 'model', 'orders.yml'),
    'cubes:\n  - name: orders\n    sql_table: orders\n    measures:\n      - name: count\n        type: count\n',
  );
});
afterAll(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

async function validate(): Promise<{ code: number; report: Record<string, unknown> }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main([
      'node',
      'analyst',
      '--workspace',
      dir,
      '--json',
      'model',
      'validate',
      '--no-lake',
    ]);
    return { code, report: JSON.parse(out) };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('analyst model validate with verified queries', () => {
  it('counts good files and names broken ones', async () => {
    const vq = join(dir, 'model', 'verified_queries');
    await writeFile(
      join(vq, 'orders.yaml'),
      'question: How many orders?\nquery: {measures: [orders.count]}\nauthor: a\ndate: 2026-01-01\n',
    );
    const ok = await validate();
    expect(ok.code).toBe(0);
    expect(ok.report).toMatchObject({ valid: true, cubes: 1, verifiedQueries: { count: 1, problems: [] } });

    await writeFile(
      join(vq, 'both.yaml'),
      'question: Orders?\nsql: SELECT 1\nquery: {measures: [orders.count]}\nauthor: a\ndate: 2026-01-01\n',
    );
    const bad = await validate();
    expect(bad.code).toBe(1);
    expect(bad.report).toMatchObject({
      valid: false,
      verifiedQueries: {
        count: 1,
        problems: [
          { file: 'verified_queries/both.yaml', message: expect.stringMatching(/exactly one of query/) },
        ],
      },
    });
  });
});
