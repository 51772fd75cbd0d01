// The verified_queries/ folder on disk: saves never replace or half-write a file (concurrent saves
// of one question get their own names), a new or changed file is seen at the next list, a broken
// file is named with its problem, and temporary files are never read.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VerifiedQueryStore } from './verified-queries.ts';

const dir = mkdtempSync(join(tmpdir(), 'verified-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('VerifiedQueryStore', () => {
  it('writes each save to its own whole file, and lists what is on disk', async () => {
    const store = new VerifiedQueryStore(dir);
    expect(await store.list()).toEqual({ queries: [], problems: [] });
    const saves = await Promise.all(
      [1, 2, 3].map((i) =>
        store.save({
          question: 'Encounters in 2021',
          sql: `SELECT ${i} AS n`,
          author: 'alice',
          date: '2026-03-01',
        }),
      ),
    );
    expect(saves.map((s) => s.file).sort()).toEqual([
      'verified_queries/encounters-2021-2.yaml',
      'verified_queries/encounters-2021-3.yaml',
      'verified_queries/encounters-2021.yaml',
    ]);
    expect(readdirSync(join(dir, 'verified_queries')).sort()).toEqual([
      'encounters-2021-2.yaml',
      'encounters-2021-3.yaml',
      'encounters-2021.yaml',
    ]);
    const { queries } = await store.list();
    expect(queries.map((q) => q.sql).sort()).toEqual(['SELECT 1 AS n', 'SELECT 2 AS n', 'SELECT 3 AS n']);
  });

  it('sees a new file at the next list, names a broken one, and ignores temporary files', async () => {
    const store = new VerifiedQueryStore(dir);
    expect((await store.list()).queries).toHaveLength(3);
    const vq = join(dir, 'verified_queries');
    writeFileSync(
      join(vq, 'zz-new.yaml'),
      'question: Patients?\nsql: SELECT 4 AS n\nauthor: bo\ndate: 2026-03-04\n',
    );
    writeFileSync(join(vq, '.zz-half.yaml.1234.tmp'), 'question: half');
    writeFileSync(
      join(vq, 'broken.yaml'),
      'question: Visits?\nquery: {measures: [visits.count]}\nauthor: x\n',
    );
    const list = await store.list();
    expect(list.queries.map((q) => q.file)).toContain('verified_queries/zz-new.yaml');
    expect(list.queries).toHaveLength(4);
    expect(list.problems).toEqual([
      { file: 'verified_queries/broken.yaml', message: expect.stringMatching(/broken\.yaml: date: /) },
    ]);
  });

  it('refuses an invalid save with the field, writing nothing', async () => {
    const store = new VerifiedQueryStore(dir);
    const before = readdirSync(join(dir, 'verified_queries')).sort();
    await expect(
      store.save({ question: 'Bad?', sql: 'SELECT 1', author: 'a', date: 'yesterday' }),
    ).rejects.toThrow(/request: date: a date as YYYY-MM-DD/);
    expect(readdirSync(join(dir, 'verified_queries')).sort()).toEqual(before);
  });
});
