import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { SemanticLayer } from '../index.ts';
import type { SecurityContext } from '../security-context.ts';
import { createCsvFixtureLake, type FixtureLake } from '../testing/index.ts';

// Conformance with Cube's documented access-policy semantics, one case per rule, on a model of our
// own (the shape of Cube's `policy_overlap_test`): ten items, ids 1..10, north = ids 1..4.
// Every expectation is an exact row count a Cube deployment gives for the same model and user,
// or, where we are deliberately stricter, fewer (the case says so).

const MODEL = `
cubes:
  - name: overlap
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: a, sql: a, type: string }
      - { name: b, sql: b, type: string }
      - { name: c, sql: c, type: string }
    measures:
      - { name: count, type: count }
      - { name: distinct_a, sql: "{a}", type: count_distinct }
    access_policy:
      - group: "*"
        member_level: { includes: [id, a, b, count, distinct_a] }
        row_level: { filters: [{ member: id, operator: lt, values: ["5"] }] }
      - group: p2
        member_level: { includes: [id, b, c, count, distinct_a] }
        row_level: { filters: [{ member: id, operator: gte, values: ["5"] }] }

  - name: keyed
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: region, sql: region, type: string }
      - { name: a, sql: a, type: string }
    measures:
      - { name: count, type: count }
    access_policy:
      - group: g1
        row_level: { filters: [{ member: region, operator: equals, values: [north] }] }
      - group: g1
        row_level: { filters: [{ member: id, operator: lte, values: ["2"] }] }
      - group: g2
        row_level: { filters: [{ member: id, operator: gte, values: ["9"] }] }
      - group: open
      - group: opened
        row_level: { allow_all: true }
      - group: "*"
        row_level: { allow_all: false }
      - group: manager
        row_level: { filters: [{ member: region, operator: equals, values: ["{ securityContext.region }"] }] }
      - group: auditor
        conditions:
          - if: "{ securityContext.audit_open }"

  - name: union_members
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: a, sql: a, type: string }
      - { name: b, sql: b, type: string }
      - { name: c, sql: c, type: string }
    measures:
      - { name: count, type: count }
    access_policy:
      - group: ga
        member_level: { includes: [a, count] }
      - group: gb
        member_level: { includes: [b, count] }
      - group: gx
        member_level: { includes: "*", excludes: [c] }

  - name: secret
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: region, sql: region, type: string }
      - { name: a, sql: a, type: string }
      - { name: c, sql: c, type: string }
      - { name: a_upper, sql: "upper(a)", type: string }
    measures:
      - { name: count, type: count }
    access_policy:
      - group: "*"
        member_level: { includes: "*", excludes: [c, a] }
        member_masking: { includes: [a] }
        row_level: { filters: [{ member: region, operator: equals, values: [north] }] }

  - name: loose
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: a, sql: a, type: string }
      - { name: a_upper, sql: "upper(a)", type: string }
    measures:
      - { name: count, type: count }
    access_policy:
      - group: "*"
        member_level: { includes: "*", excludes: [a] }
        member_masking: { includes: [a] }
        protect_columns: false

views:
  - name: secret_view
    cubes:
      - join_path: secret
        includes: "*"
    access_policy:
      - group: "*"
  - name: narrow_view
    cubes:
      - join_path: secret
        includes: [id, c, count]
    access_policy:
      - group: "*"
        row_level: { filters: [{ member: id, operator: lte, values: ["2"] }] }
`;

let fx: FixtureLake;
let csvDir: string;
let layer: SemanticLayer;

const as = (roles: string[], attributes: Record<string, unknown> = {}): SecurityContext => ({
  userId: 'u',
  roles,
  attributes,
});

async function rows(
  query: Record<string, unknown>,
  ctx: SecurityContext,
): Promise<Array<Record<string, unknown>>> {
  return (await layer.load({ limit: 1000, ...query }, ctx)).data;
}

async function refused(query: Record<string, unknown>, ctx: SecurityContext): Promise<string> {
  try {
    await layer.load(query, ctx);
  } catch (err) {
    if (hasCode(err, 'UNKNOWN_MEMBER')) return 'UNKNOWN_MEMBER';
    if (hasCode(err, 'ACCESS_DENIED')) return 'ACCESS_DENIED';
    throw err;
  }
  return 'answered';
}

beforeAll(async () => {
  csvDir = await mkdtemp(join(tmpdir(), 'analyst-policy-conformance-'));
  const lines = ['id,region,a,b,c'];
  for (let i = 1; i <= 10; i++) lines.push(`${i},${i <= 4 ? 'north' : 'south'},a${i},b${i},c${i}`);
  await writeFile(join(csvDir, 'items.csv'), `${lines.join('\n')}\n`);
  fx = await createCsvFixtureLake(csvDir);
  layer = await SemanticLayer.load({ files: [{ file: 'model.yml', text: MODEL }], lake: fx.lake });
});
afterAll(async () => {
  await fx?.close();
  await rm(csvDir, { recursive: true, force: true });
});

describe('which policies apply: those covering every member the query uses', () => {
  const p2 = as(['p2']);
  it('members (a, b): only the first policy covers them, its rows only', async () => {
    expect(await rows({ dimensions: ['overlap.id', 'overlap.a', 'overlap.b'] }, p2)).toHaveLength(4);
  });
  it('members (b, c): only the second policy covers them, its rows only', async () => {
    expect(await rows({ dimensions: ['overlap.id', 'overlap.b', 'overlap.c'] }, p2)).toHaveLength(6);
  });
  it('member (b): both policies cover it, the union of their rows', async () => {
    expect(await rows({ dimensions: ['overlap.id', 'overlap.b'] }, p2)).toHaveLength(10);
  });
  it('members (a, b, c): no policy covers all three, no rows', async () => {
    expect(
      await rows({ dimensions: ['overlap.id', 'overlap.a', 'overlap.b', 'overlap.c'] }, p2),
    ).toHaveLength(0);
    const counted = await rows({ measures: ['overlap.count'], dimensions: ['overlap.a', 'overlap.c'] }, p2);
    expect(counted).toHaveLength(0);
  });
  it('members in filters count as used', async () => {
    const res = await rows(
      { measures: ['overlap.count'], filters: [{ member: 'overlap.a', operator: 'set' }] },
      p2,
    );
    expect(res[0]?.['overlap.count']).toBe(4);
  });
  it('members a measure references count as used (the second policy does not cover a)', async () => {
    const res = await rows({ measures: ['overlap.distinct_a'] }, p2);
    expect(res[0]?.['overlap.distinct_a']).toBe(4);
  });
  it('a member no matching policy grants is refused, as Cube refuses a hidden member', async () => {
    expect(await refused({ dimensions: ['overlap.c'] }, as(['other']))).toBe('UNKNOWN_MEMBER');
    expect(await rows({ dimensions: ['overlap.id', 'overlap.b'] }, as(['other']))).toHaveLength(4);
  });
});

describe('how row filters combine', () => {
  const total = async (ctx: SecurityContext) =>
    (await rows({ measures: ['keyed.count'] }, ctx))[0]?.['keyed.count'];
  it('filters of policies with the same group are AND-ed', async () => {
    expect(await total(as(['g1']))).toBe(2);
  });
  it('filters of different groups are OR-ed', async () => {
    expect(await total(as(['g1', 'g2']))).toBe(4);
  });
  it('a policy without row_level lets every row through, whatever the others filter', async () => {
    expect(await total(as(['g1', 'open']))).toBe(10);
  });
  it('allow_all: true lets every row through', async () => {
    expect(await total(as(['g2', 'opened']))).toBe(10);
  });
  it('allow_all: false alone gives no rows; with another group it adds none', async () => {
    expect(await total(as([]))).toBe(0);
    expect(await total(as(['manager'], { region: 'north' }))).toBe(4);
  });
  it('a missing security-context value denies rather than matching everything', async () => {
    expect(await total(as(['manager']))).toBe(0);
  });
  it('conditions must all hold for a policy to match', async () => {
    expect(await total(as(['auditor'], { audit_open: true }))).toBe(10);
    expect(await total(as(['auditor'], { audit_open: false }))).toBe(0);
  });
  it('an entity with policies and none matching is denied', async () => {
    expect(await refused({ measures: ['union_members.count'] }, as(['nobody']))).toBe('ACCESS_DENIED');
  });
});

describe('member level', () => {
  it('is the union of the matching policies', async () => {
    const both = as(['ga', 'gb']);
    const meta = layer.meta(both).cubes.find((c) => c.name === 'union_members');
    const dims = meta?.dimensions.map((d) => d.name).sort();
    expect(dims).toEqual(['union_members.a', 'union_members.b']);
    // ... but no one policy covers a and b together: no rows (Cube's rule).
    expect(await rows({ dimensions: ['union_members.a', 'union_members.b'] }, both)).toHaveLength(0);
    expect(await rows({ dimensions: ['union_members.a'] }, both)).toHaveLength(10);
  });
  it('excludes take members out of includes', async () => {
    expect(await refused({ dimensions: ['union_members.c'] }, as(['gx']))).toBe('UNKNOWN_MEMBER');
    expect(await rows({ dimensions: ['union_members.id', 'union_members.b'] }, as(['gx']))).toHaveLength(10);
  });
});

describe('views', () => {
  const anyone = as(['someone']);
  it('a view may expose a member its cube hides; the cube rows filters still apply', async () => {
    expect(await refused({ dimensions: ['secret.c'] }, anyone)).toBe('UNKNOWN_MEMBER');
    const res = await rows({ dimensions: ['secret_view.id', 'secret_view.c'] }, anyone);
    expect(res).toHaveLength(4);
    expect(res.map((r) => r['secret_view.c']).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  });
  it("a view's row filters are AND-ed with its cubes'", async () => {
    expect(await rows({ dimensions: ['narrow_view.id', 'narrow_view.c'] }, anyone)).toHaveLength(2);
  });
  it('ours, stricter: a member its cube masks stays masked through a view', async () => {
    const res = await rows({ dimensions: ['secret_view.id', 'secret_view.a'] }, anyone);
    expect(res).toHaveLength(4);
    expect(res.every((r) => r['secret_view.a'] !== 'a1' && !String(r['secret_view.a']).startsWith('a'))).toBe(
      true,
    );
  });
});

describe('protect_columns (ours, not Cube)', () => {
  const anyone = as(['someone']);
  it('by default masks a member that reads a masked column', async () => {
    const res = await rows({ dimensions: ['secret.id', 'secret.a_upper'] }, anyone);
    expect(res).toHaveLength(4);
    expect(res.some((r) => String(r['secret.a_upper']).startsWith('A'))).toBe(false);
  });
  it('protect_columns: false gives Cube behaviour: the derived member is returned as is', async () => {
    const res = await rows(
      { dimensions: ['loose.id', 'loose.a_upper'], order: { 'loose.id': 'asc' } },
      anyone,
    );
    expect(res).toHaveLength(10);
    expect(res[0]?.['loose.a_upper']).toBe('A1');
  });
});
