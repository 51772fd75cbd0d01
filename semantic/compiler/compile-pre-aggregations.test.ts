import { describe, expect, it } from 'vitest';
import { duckdbDialect, planRollups } from '../dialect/index.ts';
import { compileModelPartial } from './index.ts';

// Cube's pre_aggregations as written in real projects: a rollup that cannot be built is a warning
// (or a problem `analyst preagg status` shows) that leaves only that rollup out.
const MODEL = `cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
      - name: items
        relationship: one_to_many
        sql: "{CUBE}.id = {items}.order_id"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: user_id, sql: user_id, type: number }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
      - { name: total, type: sum, sql: amount }
      - { name: avg_amount, type: avg, sql: amount }
      - { name: buyers, type: count_distinct, sql: user_id }
      - { name: share, type: number, sql: "1.0 * {total} / NULLIF({count}, 0)" }
      - name: prior
        type: number
        multi_stage: true
        sql: "{count}"
        time_shift: [{ interval: 1 year, type: prior }]
    pre_aggregations:
      - name: main
        measures: [CUBE.count, "{CUBE}.total", avg_amount, share, buyers]
        dimensions: [status, user_id, users.city]
        time_dimension: CUBE.created_at
        granularity: day
        partition_granularity: month
        refresh_key: { every: 1 hour }
        indexes: { by_status: { columns: [status] } }
      - name: by_status
        measures: [buyers]
        dimensions: [status]
      - name: source
        type: original_sql
      - name: shifted
        measures: [prior]
      - name: fanout
        measures: [count]
        dimensions: [items.sku]
      - name: coarse
        measures: [count]
        time_dimension: created_at
        granularity: day
        partition_granularity: hour
      - name: half
        measures: [count]
        time_dimension: created_at
  - name: users
    sql_table: users
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
  - name: items
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: order_id, sql: order_id, type: number }
      - { name: sku, sql: sku, type: string }
`;

describe('pre_aggregations', () => {
  const partial = compileModelPartial([{ file: 'orders.yml', text: MODEL }]);
  const plans = new Map(planRollups(partial.model, new Map(), duckdbDialect).map((p) => [p.name, p]));

  it('reads rollups with Cube’s member spellings; other types and keys are warnings', () => {
    expect(partial.diagnostics).toEqual([]);
    const defs = partial.model.cubes.get('orders')!.preAggregations!;
    expect(defs.find((d) => d.name === 'main')).toMatchObject({
      measures: ['orders.count', 'orders.total', 'orders.avg_amount', 'orders.share', 'orders.buyers'],
      dimensions: ['orders.status', 'orders.user_id', 'users.city'],
      timeDimension: 'orders.created_at',
      granularity: 'day',
      partitionGranularity: 'month',
      refreshEvery: '1 hour',
    });
    expect(partial.warnings.map((w) => w.path).sort()).toEqual([
      'cubes.orders.pre_aggregations.half',
      'cubes.orders.pre_aggregations.main.indexes',
      'cubes.orders.pre_aggregations.source.type',
    ]);
  });

  it('stores each measure so it combines again exactly', () => {
    const main = plans.get('main')!;
    expect(main.problem).toBeUndefined();
    expect(main.measures.map((m) => [m.member, m.combine])).toEqual([
      ['count', 'count'],
      ['total', 'sum'],
      ['avg_amount', 'avg'],
      // A distinct count over a key the rollup keeps as a dimension is counted again from it.
      ['buyers', 'distinct'],
    ]);
    expect(main.refreshEveryMs).toBe(3_600_000);
    expect(main.sources).toEqual([
      { schema: 'main', table: 'orders' },
      { schema: 'main', table: 'users' },
    ]);
    // Without the key, only at the rollup's own grain.
    expect(plans.get('by_status')!.measures).toEqual([
      { member: 'buyers', combine: 'grain', columns: ['orders.buyers'] },
    ]);
  });

  it('leaves out rollups that could not be exact', () => {
    expect(plans.get('shifted')!.problem).toMatch(/computed over groups of rows/);
    expect(plans.get('fanout')!.problem).toMatch(/one-to-many/);
    expect(plans.get('coarse')!.problem).toMatch(/finer than granularity/);
    expect(plans.has('source')).toBe(false);
    expect(plans.has('half')).toBe(false);
  });
});
