import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SemanticLayer } from '../index.ts';
import type { SecurityContext } from '../security-context.ts';
import { createCsvFixtureLake, type FixtureLake } from '../testing/index.ts';

// Cube model files as Cube users write them (issue 21): bare column SQL, `${CUBE}`, a trailing `;`
// in cube SQL, `sql_table: public.x`. Two cubes share the column names `id` and `status`.

const MODEL = `
cubes:
  - name: orders
    sql_table: public.orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "\${CUBE}.user_id = \${users}.id"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: status
        type: string
      - name: created_at
        sql: created_at
        type: time
      - name: amount_band
        sql: "CASE WHEN \${CUBE}.amount >= 100 THEN 'big' ELSE 'small' END"
        type: string
      - name: size
        type: string
        case:
          when:
            - sql: "{CUBE}.amount >= 200"
              label: large
            - sql: "{CUBE}.amount >= 100"
              label: { sql: "{status}" }
          else:
            label: small
    measures:
      - name: count
        type: count
      - name: total
        sql: amount
        type: sum
      - name: completed_total
        sql: amount
        type: sum
        filters:
          - sql: "\${CUBE}.status = 'completed'"
    segments:
      - name: completed
        sql: "{CUBE}.status = 'completed'"
    hierarchies:
      - name: breakdown
        levels: [status, size]

  - name: users
    sql: "SELECT * FROM users;  "
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: status
        type: string
    measures:
      - name: count
        type: count

  - name: ghosts
    sql_table: public.ghosts
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }

views:
  - name: order_facts
    cubes:
      - join_path: orders
        includes: [count, status, size]
      - join_path: orders.users
        prefix: true
        includes: [status]
    folders:
      - name: Order
        includes: [count, status, { name: Shape, includes: [size] }]
      - name: Customer
        includes: [users_status]
`;

let fx: FixtureLake;
let dir: string;
let layer: SemanticLayer;
const admin: SecurityContext = { userId: 'a', roles: ['admin'], attributes: {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'analyst-cube-compat-'));
  await writeFile(
    join(dir, 'orders.csv'),
    'id,user_id,amount,status,created_at\n1,1,50,completed,2020-03-01\n2,1,150,completed,2020-07-01\n3,2,20,cancelled,2021-02-01\n4,3,300,completed,2019-01-01\n',
  );
  await writeFile(join(dir, 'users.csv'), 'id,status\n1,active\n2,active\n3,blocked\n');
  fx = await createCsvFixtureLake(dir);
  layer = await SemanticLayer.load({
    files: [{ file: 'model.yml', text: MODEL }],
    lake: fx.lake,
    now: () => new Date('2021-03-15T12:00:00Z'),
  });
});
afterAll(async () => {
  await fx?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Cube model SQL as Cube reads it', () => {
  it('qualifies bare columns with the cube alias, so joined cubes may share column names', async () => {
    const res = await layer.load(
      {
        measures: ['orders.count', 'orders.total'],
        dimensions: ['users.status', 'orders.status'],
        order: [
          ['users.status', 'asc'],
          ['orders.status', 'asc'],
        ],
      },
      admin,
    );
    expect(res.data).toEqual([
      { 'users.status': 'active', 'orders.status': 'cancelled', 'orders.count': 1, 'orders.total': 20 },
      { 'users.status': 'active', 'orders.status': 'completed', 'orders.count': 2, 'orders.total': 200 },
      { 'users.status': 'blocked', 'orders.status': 'completed', 'orders.count': 1, 'orders.total': 300 },
    ]);
  });

  it('reads $-prefixed {CUBE} and {other} like {CUBE} and {other}, in members, filters and joins', async () => {
    const res = await layer.load(
      { measures: ['orders.completed_total', 'users.count'], dimensions: ['orders.amount_band'] },
      admin,
    );
    const byBand = Object.fromEntries(res.data.map((r) => [r['orders.amount_band'], r]));
    expect(byBand.big?.['orders.completed_total']).toBe(450);
    expect(byBand.small?.['orders.completed_total']).toBe(50);
  });

  it('reads a case dimension: labels as text or SQL, with an else', async () => {
    const res = await layer.load(
      { measures: ['orders.count'], dimensions: ['orders.size'], order: { 'orders.size': 'asc' } },
      admin,
    );
    expect(res.data).toEqual([
      { 'orders.size': 'completed', 'orders.count': 1 },
      { 'orders.size': 'large', 'orders.count': 1 },
      { 'orders.size': 'small', 'orders.count': 2 },
    ]);
  });

  it('accepts a trailing ; in cube SQL', async () => {
    const res = await layer.load({ measures: ['users.count'] }, admin);
    expect(res.data[0]?.['users.count']).toBe(3);
    expect(layer.unavailableCubes().map((c) => c.cube)).not.toContain('users');
  });

  it('reads sql_table: public.x from main, where connectors load; a missing one is named clearly', async () => {
    const res = await layer.load({ measures: ['orders.count'], segments: ['orders.completed'] }, admin);
    expect(res.data[0]?.['orders.count']).toBe(3);
    expect(layer.unavailableCubes()).toEqual([
      {
        cube: 'ghosts',
        reason: 'the lake has no table public.ghosts, nor ghosts in main (where connectors load)',
      },
    ]);
  });

  it('echoes a relative dateRange resolved to a pair, as Cube does (its client reads a pair)', async () => {
    const res = await layer.load(
      {
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'year', dateRange: 'last year' }],
      },
      admin,
    );
    const td = (res.query as { timeDimensions: Array<{ dateRange: unknown }> }).timeDimensions[0];
    expect(td?.dateRange).toEqual(['2020-01-01T00:00:00.000', '2020-12-31T23:59:59.999']);
    expect(res.data).toEqual([
      {
        'orders.created_at.year': '2020-01-01T00:00:00.000',
        'orders.created_at': '2020-01-01T00:00:00.000',
        'orders.count': 2,
      },
    ]);
  });

  it('shows hierarchies and folders in /meta', () => {
    const meta = layer.meta(admin);
    const orders = meta.cubes.find((c) => c.name === 'orders');
    expect(orders?.hierarchies).toEqual([
      {
        name: 'orders.breakdown',
        title: 'Breakdown',
        public: true,
        levels: ['orders.status', 'orders.size'],
      },
    ]);
    const view = meta.cubes.find((c) => c.name === 'order_facts');
    expect(view?.folders).toEqual([
      { name: 'Order', members: ['order_facts.count', 'order_facts.status', 'order_facts.size'] },
      { name: 'Customer', members: ['order_facts.users_status'] },
    ]);
  });
});
