import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SemanticLayer } from '../index.ts';
import type { SecurityContext } from '../security-context.ts';
import { createCsvFixtureLake, type FixtureLake } from '../testing/index.ts';

// Issue 21: view and key forms found in Cube's own model files that did not validate here — a
// join_path that starts at a cube other than the view's first, `split: true`, hierarchy levels
// written `{CUBE}.x` or naming another cube's dimension, a hierarchy named in a view's includes,
// folders of "*", and camelCase keys (`accessPolicy`, `rowLevel`) with `security_context`.

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: amount, sql: amount, type: number }
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum, format: currency, currency: eur }
    hierarchies:
      - name: drill
        levels: ["{CUBE}.status", users.country]
    accessPolicy:
      - role: viewer
        conditions:
          - if: "{ security_context.allowed }"
        rowLevel:
          filters:
            - { member: status, operator: equals, values: ["{ security_context.status }"] }
        memberLevel:
          includes: [count, status]
      - role: admin

  - name: users
    sql_table: users
    joins:
      - name: countries
        relationship: many_to_one
        sql: "{CUBE}.country = {countries}.code"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: country, sql: country, type: string }
    measures:
      - { name: count, type: count }

  - name: countries
    sql_table: countries
    dimensions:
      - { name: code, sql: code, type: string, primary_key: true }
      - { name: name, sql: name, type: string }
    measures:
      - { name: count, type: count }

views:
  - name: sales
    cubes:
      - join_path: orders
        includes: [count, drill]
      - join_path: users
        prefix: true
        includes: [country]
      - join_path: countries
        includes: "*"
        split: true
    folders:
      - name: everything
        includes: "*"
`;

let fx: FixtureLake;
let dir: string;
let layer: SemanticLayer;
const admin: SecurityContext = { userId: 'a', roles: ['admin'], attributes: {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'analyst-cube-views-'));
  await writeFile(
    join(dir, 'orders.csv'),
    'id,user_id,amount,status\n1,1,50,completed\n2,1,150,completed\n3,2,20,cancelled\n4,3,300,completed\n',
  );
  await writeFile(join(dir, 'users.csv'), 'id,country\n1,FR\n2,FR\n3,DE\n');
  await writeFile(join(dir, 'countries.csv'), 'code,name\nFR,France\nDE,Germany\n');
  fx = await createCsvFixtureLake(dir);
  layer = await SemanticLayer.load({ files: [{ file: 'model.yml', text: MODEL }], lake: fx.lake });
});
afterAll(async () => {
  await fx?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('views and keys as Cube’s own model files write them', () => {
  it('a join_path starting at a joined cube is reached from the view’s first cube', async () => {
    const res = await layer.load(
      {
        measures: ['sales.count'],
        dimensions: ['sales.users_country'],
        order: { 'sales.users_country': 'asc' },
      },
      admin,
    );
    expect(res.data).toEqual([
      { 'sales.users_country': 'DE', 'sales.count': 1 },
      { 'sales.users_country': 'FR', 'sales.count': 3 },
    ]);
  });

  it('split: true puts the cube’s members in the view <view>_<cube>, not in the view', async () => {
    const meta = layer.meta(admin);
    const sales = meta.cubes.find((c) => c.name === 'sales')!;
    const split = meta.cubes.find((c) => c.name === 'sales_countries')!;
    expect(sales.dimensions.map((d) => d.name)).not.toContain('sales.name');
    expect(split.dimensions.map((d) => d.name).sort()).toEqual([
      'sales_countries.code',
      'sales_countries.name',
    ]);
    const res = await layer.load(
      {
        measures: ['sales_countries.count'],
        dimensions: ['sales_countries.name'],
        order: { 'sales_countries.name': 'asc' },
      },
      admin,
    );
    expect(res.data).toEqual([
      { 'sales_countries.name': 'France', 'sales_countries.count': 1 },
      { 'sales_countries.name': 'Germany', 'sales_countries.count': 1 },
    ]);
  });

  it('hierarchy levels name {CUBE}.x and other cubes’ dimensions; a view including a hierarchy gets its levels', () => {
    const meta = layer.meta(admin);
    const orders = meta.cubes.find((c) => c.name === 'orders')!;
    expect(orders.hierarchies).toEqual([
      expect.objectContaining({ name: 'orders.drill', levels: ['orders.status', 'users.country'] }),
    ]);
    const sales = meta.cubes.find((c) => c.name === 'sales')!;
    expect(sales.dimensions.map((d) => d.name)).toContain('sales.status');
    const total = orders.measures.find((m) => m.name === 'orders.total') as unknown as Record<
      string,
      unknown
    >;
    expect(total).toMatchObject({ format: 'currency', currency: 'EUR' });
    const folders = (sales as unknown as { folders: Array<{ name: string; members: string[] }> }).folders;
    expect(folders[0]?.members.sort()).toEqual(['sales.count', 'sales.status', 'sales.users_country']);
  });

  it('reads camelCase keys and { security_context.x } as Cube does: the policy applies', async () => {
    const allowed: SecurityContext = {
      userId: 'v',
      roles: ['viewer'],
      attributes: { allowed: true, status: 'completed' },
    };
    const res = await layer.load({ measures: ['orders.count'], dimensions: ['orders.status'] }, allowed);
    expect(res.data).toEqual([{ 'orders.status': 'completed', 'orders.count': 3 }]);
    const cancelled = { ...allowed, attributes: { allowed: true, status: 'cancelled' } };
    const other = await layer.load({ measures: ['orders.count'], dimensions: ['orders.status'] }, cancelled);
    expect(other.data).toEqual([{ 'orders.status': 'cancelled', 'orders.count': 1 }]);
    // A missing value denies (no rows), never matches everything.
    const noStatus = { ...allowed, attributes: { allowed: true } };
    const none = await layer.load({ measures: ['orders.count'] }, noStatus);
    expect(none.data).toEqual([{ 'orders.count': 0 }]);
    await expect(layer.load({ measures: ['orders.total'] }, allowed)).rejects.toThrow(/orders\.total/);
    const notAllowed: SecurityContext = { userId: 'w', roles: ['viewer'], attributes: {} };
    await expect(layer.load({ measures: ['orders.count'] }, notAllowed)).rejects.toThrow();
  });
});

describe('a split view under its parent view’s policies', () => {
  it('keeps them: a row filter on a member the split view lacks lets no row through (never more than the parent)', async () => {
    const model = `${MODEL.replace(
      '        includes: "*"\n        split: true\n',
      '        includes: "*"\n        split: true\n    access_policy:\n      - role: viewer\n        row_level:\n          filters:\n            - { member: users_country, operator: equals, values: [FR] }\n',
    )}`;
    expect(model).toContain('users_country, operator');
    const policed = await SemanticLayer.load({ files: [{ file: 'model.yml', text: model }], lake: fx.lake });
    const viewer: SecurityContext = {
      userId: 'v',
      roles: ['viewer'],
      attributes: { allowed: true, status: 'completed' },
    };
    const parent = await policed.load({ measures: ['sales.count'] }, viewer);
    expect(parent.data).toEqual([{ 'sales.count': 2 }]); // FR and completed
    const split = await policed.load({ measures: ['sales_countries.count'] }, viewer);
    expect(split.data).toEqual([{ 'sales_countries.count': 0 }]);
    // No policy of the parent matches the admin: the split view is closed to them too.
    await expect(policed.load({ measures: ['sales_countries.count'] }, admin)).rejects.toThrow(/no access/);
  });
});

describe('FILTER_PARAMS in cube SQL', () => {
  const model = `
cubes:
  - name: big_orders
    sql: >
      SELECT * FROM orders WHERE {FILTER_PARAMS.big_orders.status.filter('status')} AND amount > 40
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
    measures:
      - { name: count, type: count }
  - name: foreign
    sql: "SELECT * FROM orders WHERE {FILTER_PARAMS.orders.status.filter('status')}"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
`;
  it("reads the cube's own FILTER_PARAMS as TRUE (with a warning); the query's filter still applies", async () => {
    const layer2 = await SemanticLayer.load({ files: [{ file: 'm.yml', text: model }], lake: fx.lake });
    const problems = layer2.modelProblems();
    expect(problems.warnings.map((w) => w.path)).toContain('cubes.big_orders.sql');
    expect(problems.excluded.map((x) => `${x.kind} ${x.name}`)).toEqual(['cube foreign']);
    const all = await layer2.load({ measures: ['big_orders.count'] }, admin);
    expect(all.data).toEqual([{ 'big_orders.count': 3 }]); // amount > 40: orders 1, 2, 4
    const filtered = await layer2.load(
      {
        measures: ['big_orders.count'],
        filters: [{ member: 'big_orders.status', operator: 'equals', values: ['cancelled'] }],
      },
      admin,
    );
    expect(filtered.data).toEqual([{ 'big_orders.count': 0 }]);
    // Another cube's FILTER_PARAMS would filter these rows by a filter on other rows: not read.
    await expect(layer2.load({ dimensions: ['foreign.id'] }, admin)).rejects.toThrow();
  });
});

describe('a dimension reading a joined cube’s dimension ({users.country})', () => {
  const model = `
cubes:
  - name: orders
    sql_table: orders
    joins:
      - { name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: user_country, sql: "{users.country}", type: string }
      - { name: country_label, sql: "coalesce({users.country_name}, '?')", type: string }
      - { name: far, sql: "{countries.name}", type: string }
    measures:
      - { name: count, type: count }
  - name: users
    sql_table: users
    joins:
      - { name: countries, relationship: many_to_one, sql: "{CUBE}.country = {countries}.code" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: country, sql: country, type: string, mask: "XX" }
      - { name: country_name, sql: "{countries.name}", type: string }
    access_policy:
      - role: admin
      - role: masker
        member_level: { includes: "*", excludes: [country] }
        member_masking: { includes: [country] }
      - role: hider
        member_level: { includes: [id, country_name] }
  - name: countries
    sql_table: countries
    dimensions:
      - { name: code, sql: code, type: string, primary_key: true }
      - { name: name, sql: name, type: string }
`;
  let joined: SemanticLayer;
  beforeAll(async () => {
    joined = await SemanticLayer.load({ files: [{ file: 'm.yml', text: model }], lake: fx.lake });
  });

  it('joins the cube it reads, also through another such dimension, and filters on it', async () => {
    const byCountry = await joined.load(
      {
        measures: ['orders.count'],
        dimensions: ['orders.user_country'],
        order: { 'orders.user_country': 'asc' },
      },
      admin,
    );
    expect(byCountry.data).toEqual([
      { 'orders.user_country': 'DE', 'orders.count': 1 },
      { 'orders.user_country': 'FR', 'orders.count': 3 },
    ]);
    const byLabel = await joined.load(
      {
        measures: ['orders.count'],
        dimensions: ['orders.country_label'],
        order: { 'orders.country_label': 'asc' },
      },
      admin,
    );
    expect(byLabel.data).toEqual([
      { 'orders.country_label': 'France', 'orders.count': 3 },
      { 'orders.country_label': 'Germany', 'orders.count': 1 },
    ]);
    const fr = await joined.load(
      {
        measures: ['orders.count'],
        filters: [{ member: 'orders.user_country', operator: 'equals', values: ['FR'] }],
      },
      admin,
    );
    expect(fr.data).toEqual([{ 'orders.count': 3 }]);
  });

  it('reads the other cube’s member as the caller sees it: masked there, masked here', async () => {
    const masker: SecurityContext = { userId: 'm', roles: ['masker'], attributes: {} };
    const res = await joined.load(
      { measures: ['orders.count'], dimensions: ['orders.user_country'] },
      masker,
    );
    expect(res.data).toEqual([{ 'orders.user_country': 'XX', 'orders.count': 4 }]);
    // Hidden there (not even masked): its mask or null here, never the value.
    const hider: SecurityContext = { userId: 'h', roles: ['hider'], attributes: {} };
    const hidden = await joined.load(
      { measures: ['orders.count'], dimensions: ['orders.user_country'] },
      hider,
    );
    expect(hidden.data.map((r) => r['orders.user_country'])).not.toContain('FR');
    expect(hidden.data.map((r) => r['orders.user_country'])).not.toContain('DE');
    expect(hidden.data.reduce((n, r) => n + Number(r['orders.count']), 0)).toBe(4);
  });

  it('a cube its cube does not join directly is refused, with the reason; the rest is served', () => {
    const excluded = joined.modelProblems().excluded.map((x) => `${x.kind} ${x.name}: ${x.reason}`);
    expect(excluded).toEqual([expect.stringMatching(/^member orders\.far: .*joins directly/)]);
  });
});
