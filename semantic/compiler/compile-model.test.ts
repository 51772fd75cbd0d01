import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { ModelInvalidError } from '../errors.ts';
import { compileModel } from './compile-model.ts';

const ok = `
cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: belongs_to
        sql: "{CUBE}.user_id = {users.id}"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: "{CUBE}.status"
        type: string
        meta:
          synonyms: [state]
    measures:
      - name: count
        type: count
      - name: total
        type: sum
        sql: amount
      - name: avg_total
        type: number
        sql: "{total} / NULLIF({count}, 0)"
      - name: completed
        type: count
        filters:
          - sql: "{status} = 'done'"
    segments:
      - name: done
        sql: "{CUBE}.status = 'done'"
  - name: users
    sql_table: shop.users
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
views:
  - name: order_view
    cubes:
      - join_path: orders
        includes: "*"
      - join_path: orders.users
        prefix: true
        includes: [id]
`;

function errorsOf(files: Array<{ file: string; text: string }>): ModelInvalidError {
  try {
    compileModel(files);
  } catch (err) {
    if (err instanceof ModelInvalidError) return err;
    throw err;
  }
  throw new Error('the model compiled');
}

describe('compileModel', () => {
  it('compiles cubes, joins, measures, segments and views', () => {
    const model = compileModel([{ file: 'shop.yml', text: ok }]);
    const orders = model.cubes.get('orders')!;
    expect(orders.primaryKeys).toEqual(['id']);
    expect(orders.joins[0]).toMatchObject({ to: 'users', relationship: 'many_to_one' });
    expect(orders.measures.get('avg_total')!.sql).toContainEqual({
      t: 'member',
      cube: 'orders',
      member: 'total',
    });
    expect(orders.dimensions.get('status')!.meta).toEqual({ synonyms: ['state'] });
    expect(model.cubes.get('users')!.source).toEqual({ kind: 'table', schema: 'shop', table: 'users' });
    const view = model.views.get('order_view')!;
    expect([...view.members.keys()]).toEqual([
      'id',
      'status',
      'count',
      'total',
      'avg_total',
      'completed',
      'done',
      'users_id',
    ]);
    expect(view.edges).toEqual([{ parent: 'orders', child: 'users' }]);
  });

  it('reports every problem of every file together, with file, line and member path', () => {
    const bad = `cubes:
  - name: orders
    sql_table: orders
    refresh_key:
      every: 1 hour
    dimensions:
      - name: status
        sql: "{CUBE}.status"
        type: geo
      - name: created
        type: time
    measures:
      - name: rolling
        type: sum
        sql: amount
        rolling_window:
          type: to_date
          granularity: fortnight
      - name: broken
        type: sum
        sql: "{missing_member}"
`;
    const other = `cubes:
  - name: users
    sql_table: users
    dimensions:
      - name: id
        sql: "{FILTER_PARAMS.users.id}"
        type: string
    pre_aggregations: []
`;
    const err = errorsOf([
      { file: 'orders.yml', text: bad },
      { file: 'users.yml', text: other },
    ]);
    expect(hasCode(err, 'MODEL_INVALID')).toBe(true);
    const found = err.diagnostics.map((d) => `${d.file}:${d.line} ${d.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'orders.yml:9 cubes.orders.dimensions.status.type',
        'orders.yml:10 cubes.orders.dimensions.created.sql',
        'orders.yml:18 cubes.orders.measures.rolling.rolling_window.granularity',
        'orders.yml:21 cubes.orders.measures.broken',
        'users.yml:6 cubes.users.dimensions.id',
      ]),
    );
    // refresh_key and pre_aggregations change nothing here: accepted with a warning, not problems.
    expect(found.some((f) => /refresh_key|pre_aggregations/.test(f))).toBe(false);
    // A to_date window's granularity is a calendar period (fortnight is a custom granularity).
    expect(err.diagnostics.find((d) => d.path.endsWith('rolling_window.granularity'))!.message).toMatch(
      /year/,
    );
    expect(err.message).toContain('orders.yml:9 cubes.orders.dimensions.status.type');
  });

  it('rejects unknown keys, bad references, duplicate names and bad policies', () => {
    const text = `cubes:
  - name: a
    sql_table: a
    joins:
      - name: nowhere
        relationship: many_to_one
        sql: "{CUBE}.x = {nowhere}.id"
    dimensions:
      - name: x
        sql: x
        type: string
        colour: red
      - name: x
        sql: x
        type: string
    measures:
      - name: m
        type: sum
        sql: "{n}"
      - name: n
        type: number
        sql: "{x} + {m}"
    access_policy:
      - group: analyst
        member_level:
          excludes: [nope]
        row_level:
          filters:
            - member: x
              operator: equals
              values: ["{ secret.x }"]
      - member_level:
          includes: "*"
`;
    const err = errorsOf([{ file: 'a.yml', text }]);
    const messages = err.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n');
    expect(messages).toMatch(/joins\.nowhere: there is no cube nowhere/);
    expect(messages).toMatch(/unknown key "colour"/);
    expect(messages).toMatch(/"x" is defined twice/);
    expect(messages).toMatch(/\{n\} is a measure; only number measures/);
    expect(messages).toMatch(
      /a number measure either combines measures or aggregates .*\{x\} is a dimension/,
    );
    expect(messages).toMatch(/nope is not a member/);
    expect(messages).toMatch(
      /secret\.x \} is not a security context value|\{secret\.x\} is not a security context value/,
    );
    expect(messages).toMatch(/a policy needs group/);
  });

  it('reports YAML syntax errors with their line', () => {
    const err = errorsOf([{ file: 'x.yml', text: 'cubes:\n  - name: a\n    sql_table: [unclosed\n' }]);
    expect(err.diagnostics[0]).toMatchObject({ file: 'x.yml', path: '(file)' });
  });

  it('rejects a view whose join path has no join, and member cycles', () => {
    const text = `cubes:
  - name: a
    sql_table: a
    dimensions:
      - name: p
        sql: "{q} + 1"
        type: number
      - name: q
        sql: "{p} + 1"
        type: number
  - name: b
    sql_table: b
    dimensions:
      - name: id
        sql: id
        type: number
views:
  - name: v
    cubes:
      - join_path: a.b
        includes: "*"
`;
    const messages = errorsOf([{ file: 'c.yml', text }])
      .diagnostics.map((d) => d.message)
      .join('\n');
    expect(messages).toMatch(/cycle/);
    expect(messages).toMatch(/cubes a and b have no join/);
  });

  it('checks KPI features: intervals, multi-stage options, rank, granularities, cycles across cubes', () => {
    const text = `cubes:
  - name: a
    sql_table: a
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
      - name: at
        sql: at
        type: time
        granularities:
          - name: fiscal
            interval: 1 fortnight
          - name: both
            interval: 1 year
            origin: "2020-07-01"
            offset: 1 month
      - name: label
        sql: label
        type: string
        granularities:
          - name: g
            interval: 1 year
    measures:
      - name: count
        type: count
      - name: shifted
        type: number
        sql: "{count}"
        time_shift:
          - interval: 1 year
      - name: ranked
        type: rank
      - name: window
        type: count
        rolling_window:
          trailing: three days
      - name: regrouped
        type: number
        multi_stage: true
        sql: "{count}"
        reduce_by: [nope]
        group_by: [label]
      - name: loop
        type: number
        sql: "{b.loop}"
  - name: b
    sql_table: b
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
    measures:
      - name: loop
        type: number
        sql: "{a.loop} + 1"
`;
    const messages = errorsOf([{ file: 'k.yml', text }])
      .diagnostics.map((d) => `${d.path}: ${d.message}`)
      .join('\n');
    expect(messages).toMatch(/granularities\.fiscal\.interval: "1 fortnight" is not an interval/);
    expect(messages).toMatch(/granularities\.both: takes origin or offset, not both/);
    expect(messages).toMatch(/label\.granularities: only time dimensions have granularities/);
    expect(messages).toMatch(/shifted\.time_shift: time_shift needs multi_stage: true/);
    expect(messages).toMatch(/ranked\.type: a rank measure needs multi_stage: true/);
    expect(messages).toMatch(/window\.rolling_window\.trailing: "three days" is not an interval/);
    expect(messages).toMatch(/regrouped: takes one of group_by, reduce_by and add_group_by/);
    expect(messages).toMatch(/regrouped\.reduce_by: a\.nope is not a dimension/);
    expect(messages).toMatch(/measures reference each other in a cycle: a\.loop -> b\.loop -> a\.loop/);
  });
});

describe('keys inside meta', () => {
  it('keeps every key under meta as written, at any depth (value synonyms keyed by stored values)', () => {
    const model = compileModel([
      {
        file: 'people.yml',
        text: `
cubes:
  - name: people
    sql_table: people
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: sex
        sql: sex
        type: string
        meta:
          value_synonyms:
            F: [female, women]
            M: [male, men]
          displayHints: { shortLabel: Sex }
`,
      },
    ]);
    expect(model.cubes.get('people')!.dimensions.get('sex')!.meta).toEqual({
      value_synonyms: { F: ['female', 'women'], M: ['male', 'men'] },
      displayHints: { shortLabel: 'Sex' },
    });
  });
});
