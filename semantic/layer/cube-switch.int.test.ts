import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { SemanticLayer } from '../index.ts';
import type { SecurityContext } from '../security-context.ts';
import { createCsvFixtureLake, type FixtureLake } from '../testing/index.ts';

// Issue 21: Cube's calculation groups — a `type: switch` dimension (values, no column) and `case`
// measures that read one measure per switch value — answered over real DuckDB, under policies.

const MODEL = `
cubes:
  - name: sales
    sql_table: orders
    joins:
      - { name: window_dim, sql: "1 = 1", relationship: many_to_one }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum, public: false }
      - name: completed_total
        sql: amount
        type: sum
        public: false
        filters:
          - sql: "{CUBE}.status = 'completed'"
      - name: chosen
        type: number
        multi_stage: true
        case:
          switch: "{window_dim.pick}"
          when:
            - { value: ALL, sql: "{CUBE.total}" }
            - { value: DONE, sql: "{CUBE.completed_total}" }
    access_policy:
      - role: admin
      - role: narrow
        member_level:
          includes: [count, chosen, status]

  - name: window_dim
    sql: SELECT 1 AS one
    dimensions:
      - { name: one, sql: one, type: number, primary_key: true, public: false }
      - name: pick
        type: switch
        values: [ALL, DONE, NONE]
`;

let fx: FixtureLake;
let dir: string;
let layer: SemanticLayer;
const admin: SecurityContext = { userId: 'a', roles: ['admin'], attributes: {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'analyst-cube-switch-'));
  await writeFile(
    join(dir, 'orders.csv'),
    'id,user_id,amount,status\n1,1,50,completed\n2,1,150,completed\n3,2,20,cancelled\n4,3,300,completed\n',
  );
  fx = await createCsvFixtureLake(dir);
  layer = await SemanticLayer.load({
    files: [{ file: 'model.yml', text: MODEL }],
    lake: fx.lake,
    strict: true,
  });
});
afterAll(async () => {
  await fx?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('switch dimensions and case measures', () => {
  it('grouped by the switch: one row per value, the case measure reads its branch (none: null)', async () => {
    const res = await layer.load(
      { dimensions: ['window_dim.pick'], measures: ['sales.chosen', 'sales.count'] },
      admin,
    );
    expect(res.data).toEqual([
      { 'window_dim.pick': 'ALL', 'sales.chosen': 520, 'sales.count': 4 },
      { 'window_dim.pick': 'DONE', 'sales.chosen': 500, 'sales.count': 4 },
      { 'window_dim.pick': 'NONE', 'sales.chosen': null, 'sales.count': 4 },
    ]);
    expect(Object.keys(res.annotation.measures).sort()).toEqual(['sales.chosen', 'sales.count']);
    expect(res.annotation.dimensions['window_dim.pick']).toMatchObject({ type: 'string' });
  });

  it('filtered to one value with equals, by another dimension, ordered', async () => {
    const res = await layer.load(
      {
        dimensions: ['sales.status'],
        measures: ['sales.chosen'],
        filters: [{ member: 'window_dim.pick', operator: 'equals', values: ['DONE'] }],
        order: { 'sales.chosen': 'desc' },
      },
      admin,
    );
    expect(res.data).toEqual([
      { 'sales.status': 'completed', 'sales.chosen': 500 },
      { 'sales.status': 'cancelled', 'sales.chosen': null },
    ]);
    const notDone = await layer.load(
      {
        dimensions: ['window_dim.pick'],
        measures: ['sales.chosen'],
        filters: [{ member: 'window_dim.pick', operator: 'notEquals', values: ['DONE'] }],
        order: { 'window_dim.pick': 'desc' },
        limit: 1,
      },
      admin,
    );
    expect(notDone.data).toEqual([{ 'window_dim.pick': 'NONE', 'sales.chosen': null }]);
  });

  it('refuses what it cannot answer: no switch in the query, /sql, a nested filter', async () => {
    const refused = async (q: unknown) => {
      let err: unknown;
      try {
        await layer.load(q, admin);
      } catch (e) {
        err = e;
      }
      return hasCode(err, 'QUERY_INVALID');
    };
    expect(await refused({ measures: ['sales.chosen'] })).toBe(true);
    expect(
      await refused({
        measures: ['sales.count'],
        filters: [{ or: [{ member: 'window_dim.pick', operator: 'equals', values: ['ALL'] }] }],
      }),
    ).toBe(true);
    expect(() => layer.sql({ dimensions: ['window_dim.pick'], measures: ['sales.count'] }, admin)).toThrow(
      /switch dimension/,
    );
    // Branches are not public: only through the case measure.
    await expect(layer.load({ measures: ['sales.total'] }, admin)).rejects.toThrow(/sales\.total/);
  });

  it('a caller whose policy hides the branches gets no value through the case measure', async () => {
    const narrow: SecurityContext = { userId: 'n', roles: ['narrow'], attributes: {} };
    const counts = await layer.load({ measures: ['sales.count'] }, narrow);
    expect(counts.data).toEqual([{ 'sales.count': 4 }]);
    await expect(
      layer.load({ dimensions: ['window_dim.pick'], measures: ['sales.chosen'] }, narrow),
    ).rejects.toThrow();
  });
});
