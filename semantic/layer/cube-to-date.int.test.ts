import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SemanticLayer } from '../index.ts';
import type { SecurityContext } from '../security-context.ts';
import { createCsvFixtureLake, type FixtureLake } from '../testing/index.ts';

// Issue 21: Cube's `rolling_window: { type: to_date, granularity }` (year to date, quarter to
// date), as Cube's own fixtures use it, over real DuckDB against sums chosen by hand.

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: total, sql: amount, type: sum }
      - name: ytd
        sql: amount
        type: sum
        rolling_window: { type: to_date, granularity: year }
      - name: qtd
        sql: amount
        type: sum
        rolling_window: { type: to_date, granularity: quarter }
`;

let fx: FixtureLake;
let dir: string;
let layer: SemanticLayer;
const admin: SecurityContext = { userId: 'a', roles: ['admin'], attributes: {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'analyst-cube-to-date-'));
  await writeFile(
    join(dir, 'orders.csv'),
    'id,amount,created_at\n1,10,2020-01-15\n2,20,2020-02-10\n3,40,2020-04-05\n4,80,2020-12-31\n5,160,2021-01-02\n6,5,2019-12-31\n',
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

describe('to_date rolling windows', () => {
  it('year and quarter to date by month: from the start of the period to each month’s end', async () => {
    const res = await layer.load(
      {
        measures: ['orders.total', 'orders.ytd', 'orders.qtd'],
        timeDimensions: [
          { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2020-01-01', '2021-01-31'] },
        ],
      },
      admin,
    );
    const byMonth = Object.fromEntries(
      res.data.map((r) => [
        String(r['orders.created_at.month']).slice(0, 7),
        [r['orders.total'], r['orders.ytd'], r['orders.qtd']].map((v) => (v === null ? null : Number(v))),
      ]),
    );
    expect(byMonth['2020-01']).toEqual([10, 10, 10]);
    expect(byMonth['2020-02']).toEqual([20, 30, 30]);
    expect(byMonth['2020-03']?.slice(1)).toEqual([30, 30]);
    expect(byMonth['2020-04']).toEqual([40, 70, 40]);
    expect(byMonth['2020-12']).toEqual([80, 150, 80]);
    // A new year starts again; 2019's order never counts.
    expect(byMonth['2021-01']).toEqual([160, 160, 160]);
  });
});
