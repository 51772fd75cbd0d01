import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DashboardStore, installBundledDashboards } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'dashboard-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dashboards as code', () => {
  it('installs the bundled Synthea dashboard, valid, without overwriting a workspace’s own', async () => {
    expect(await installBundledDashboards(dir, ['synthea'])).toEqual(['synthea']);
    const store = new DashboardStore(join(dir, 'dashboards'));
    const d = await store.get('synthea');
    expect(d.filters.map((f) => f.id)).toEqual(['period', 'organization', 'payer']);
    expect(d.tiles.map((t) => t.id)).toContain('top-conditions');
    // Tiles stay inside the 12-column grid without overlapping.
    const cells = new Set<string>();
    for (const t of d.tiles)
      for (let x = t.position.x; x < t.position.x + t.position.w; x++)
        for (let y = t.position.y; y < t.position.y + t.position.h; y++) {
          expect(cells.has(`${x},${y}`), `${t.id} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    writeFileSync(join(dir, 'dashboards', 'synthea.yaml'), 'title: Ours\n');
    expect(await installBundledDashboards(dir, ['synthea'])).toEqual([]);
    expect(readFileSync(join(dir, 'dashboards', 'synthea.yaml'), 'utf8')).toBe('title: Ours\n');
  });

  it('names the key of a mistake in a hand-edited file', async () => {
    const store = new DashboardStore(join(dir, 'dashboards'));
    writeFileSync(
      join(dir, 'dashboards', 'bad.yaml'),
      'title: Bad\ntiles:\n  - id: a\n    title: A\n    query: { measures: [x.y] }\n    position: { x: 10, y: 0, w: 4, h: 2 }\n    filters: { nope: x.y }\n',
    );
    await expect(store.get('bad')).rejects.toMatchObject({
      code: 'DASHBOARD_INVALID',
      message: expect.stringMatching(/tiles\.0\.position: x \+ w must be at most 12/),
    });
    await expect(store.get('missing')).rejects.toMatchObject({ code: 'DASHBOARD_NOT_FOUND' });
  });
});
