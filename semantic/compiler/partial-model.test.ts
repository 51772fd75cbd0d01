import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { compileModel, compileModelPartial } from './index.ts';

// Issue 21: one unsupported key must not take a real Cube project down. What a problem is in is
// left out (member, else cube or view, else file), with its reason; the rest compiles.

const ORDERS = `cubes:
  - name: orders
    sql_table: orders
    refresh_key:
      every: 1 hour
    pre_aggregations:
      - name: main
        measures: [count]
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: size
        type: geo
        sql: size
      - name: size_label
        sql: "upper({size})"
        type: string
    measures:
      - name: count
        type: count
`;
const USERS = `cubes:
  - name: users
    sql_table: users
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: accounts
    calendar: true
    sql_table: accounts
  - name: guarded
    sql_table: guarded
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
    access_policy:
      - group: admin
        row_level:
          filters:
            - member: id
              operator: sounds_like
              values: ["1"]
views:
  - name: account_view
    cubes:
      - join_path: accounts
        includes: "*"
  - name: order_view
    cubes:
      - join_path: orders
        includes: [id, count]
`;

describe('compileModelPartial', () => {
  const partial = compileModelPartial([
    { file: 'orders.yml', text: ORDERS },
    { file: 'users.yml', text: USERS },
    { file: 'legacy/Orders.js', text: '' },
  ]);

  it('leaves out the member a problem is in, and members built on it, and serves the rest', () => {
    const orders = partial.model.cubes.get('orders')!;
    expect([...orders.dimensions.keys()]).toEqual(['id']);
    expect([...orders.measures.keys()]).toEqual(['count']);
    expect(partial.excluded).toContainEqual({
      kind: 'member',
      name: 'orders.size',
      reason: expect.stringContaining('geo dimensions'),
    });
    expect(partial.excluded.map((x) => x.name)).toContain('orders.size_label');
    expect(partial.model.views.has('order_view')).toBe(true);
  });

  it('leaves out a whole cube for a cube-level problem (calendar), and views built on it', () => {
    expect(partial.model.cubes.has('accounts')).toBe(false);
    expect(partial.model.views.has('account_view')).toBe(false);
    expect(partial.excluded).toContainEqual({
      kind: 'cube',
      name: 'accounts',
      reason: expect.stringMatching(/calendar/),
    });
    expect(partial.excluded).toContainEqual({
      kind: 'view',
      name: 'account_view',
      reason: expect.any(String),
    });
  });

  it('never serves a cube without its access policy: a policy problem leaves the cube out', () => {
    expect(partial.model.cubes.has('guarded')).toBe(false);
    expect(partial.excluded.find((x) => x.name === 'guarded')?.kind).toBe('cube');
  });

  it('names a JavaScript model file and says to convert it to YAML', () => {
    expect(partial.excluded).toContainEqual({
      kind: 'file',
      name: 'legacy/Orders.js',
      reason: expect.stringMatching(
        /JavaScript model file is not supported: convert legacy\/Orders\.js to Cube's YAML/,
      ),
    });
  });

  it('accepts keys that change nothing here with a warning', () => {
    expect(partial.warnings.map((w) => w.path).sort()).toEqual(['cubes.orders.refresh_key']);
    // pre_aggregations are rollups now: read, not warned about.
    expect(partial.model.cubes.get('orders')?.preAggregations?.map((p) => p.name)).toEqual(['main']);
    expect(partial.diagnostics.some((d) => /refresh_key|pre_aggregations/.test(d.path))).toBe(false);
  });

  it('the strict form still refuses the model, listing every problem', () => {
    let err: unknown;
    try {
      compileModel([{ file: 'orders.yml', text: ORDERS }]);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, 'MODEL_INVALID')).toBe(true);
  });
});

describe('extends', () => {
  const { model, diagnostics } = compileModelPartial([
    {
      file: 'a.yml',
      text: `cubes:
  - name: page_views
    extends: base_events
    sql_table: page_views
    dimensions:
      - { name: kind, sql: "upper({CUBE}.kind)", type: string }
      - { name: path, sql: path, type: string }
  - name: loop_a
    extends: loop_b
  - name: loop_b
    extends: loop_a
`,
    },
    {
      file: 'b.yml',
      text: `cubes:
  - name: base_events
    sql_table: events
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: kind, sql: kind, type: string }
    measures:
      - { name: count, type: count }
`,
    },
  ]);

  it('inherits members from a cube in another file, overriding by name, {CUBE} being the new cube', () => {
    const pv = model.cubes.get('page_views')!;
    expect([...pv.dimensions.keys()]).toEqual(['id', 'kind', 'path']);
    expect([...pv.measures.keys()]).toEqual(['count']);
    expect(pv.source).toEqual({ kind: 'table', schema: 'main', table: 'page_views' });
    expect(pv.dimensions.get('kind')!.sql).toContainEqual({ t: 'cube', cube: 'page_views' });
    expect(pv.primaryKeys).toEqual(['id']);
  });

  it('reports a cycle and leaves those cubes out', () => {
    expect(model.cubes.has('loop_a')).toBe(false);
    expect(diagnostics.some((d) => /cycle/.test(d.message))).toBe(true);
  });
});
