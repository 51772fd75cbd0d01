// The result cache on a real DuckLake lake (the Synthea fixture's encounters): a repeated query is
// answered from the cache; a commit (what a sync makes) gives a new snapshot and a miss with the new
// numbers; roles whose policies compile to different SQL or parameters never share an entry, while
// callers with identical compiled SQL do; the byte bound evicts; entries expire with the retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, createCsvFixtureLake, type FixtureLake, SYNTHEA_CSV_DIR } from '../testing/index.ts';
import { ResultCache, resultCacheTtlMs } from './result-cache.ts';
import { SemanticLayer } from './semantic-layer.ts';

const MODEL = `cubes:
  - name: encounters
    sql_table: encounters
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
      - name: organization
        sql: organization
        type: string
      - name: encounterclass
        sql: encounterclass
        type: string
    measures:
      - name: count
        type: count
      - name: total_cost
        type: sum
        sql: total_claim_cost
    access_policy:
      - role: analyst
      - role: clinician
        row_level:
          filters:
            - member: organization
              operator: equals
              values: ["{ securityContext.organization_id }"]
`;

const Q = {
  measures: ['encounters.count', 'encounters.total_cost'],
  dimensions: ['encounters.encounterclass'],
};
const COUNT = { measures: ['encounters.count'] };

let fx: FixtureLake;
let orgs: string[];

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters'] });
  orgs = (
    await fx.lake.query(
      'SELECT organization FROM lake.main.encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2',
    )
  ).rows.map((r) => String(r[0]));
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

async function layerWith(cache: ResultCache): Promise<SemanticLayer> {
  return SemanticLayer.load({ files: [{ file: 'm.yml', text: MODEL }], lake: fx.lake, resultCache: cache });
}

const count = (rows: Array<Record<string, unknown>>) => Number(rows[0]?.['encounters.count']);

describe('result cache', () => {
  it('answers a repeated query from the cache, with the same data', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
    const layer = await layerWith(cache);
    const analyst = contextFor('analyst');
    const first = await layer.load(Q, analyst);
    expect(cache.stats()).toMatchObject({ hits: 0, entries: 1 });
    const second = await layer.load(Q, analyst);
    expect(cache.stats()).toMatchObject({ hits: 1, entries: 1 });
    expect(second.data).toEqual(first.data);
    const hand = await fx.lake.query(
      'SELECT encounterclass, count(*) FROM lake.main.encounters GROUP BY 1 ORDER BY 1',
    );
    expect(
      second.data
        .map((r) => [r['encounters.encounterclass'], Number(r['encounters.count'])])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(hand.rows.map((r) => [r[0], Number(r[1])]));
    cache.close();
  });

  it('misses after a new snapshot (a commit) and answers with the new data', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
    const layer = await layerWith(cache);
    const analyst = contextFor('analyst');
    const before = count((await layer.load(COUNT, analyst)).data);
    expect(count((await layer.load(COUNT, analyst)).data)).toBe(before);
    expect(cache.stats().hits).toBe(1);
    const snapshot = await fx.lake.currentSnapshot();
    const added = await fx.lake.append(
      'encounters',
      "SELECT * REPLACE ('cache-test-' || id AS id) FROM lake.main.encounters LIMIT 3",
      { author: 'test', message: 'append three encounters (as a sync would)' },
    );
    expect(added).toBe(3);
    expect(await fx.lake.currentSnapshot()).toBeGreaterThan(snapshot);
    const after = count((await layer.load(COUNT, analyst)).data);
    expect(after).toBe(before + 3);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 2 });
    cache.close();
  });

  it('never shares an entry between roles or attributes whose compiled SQL differs', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
    const layer = await layerWith(cache);
    const [orgA, orgB] = orgs as [string, string];
    const hand = async (org?: string) =>
      Number(
        (
          await fx.lake.query(
            `SELECT count(*) FROM lake.main.encounters${org ? ' WHERE organization = $1' : ''}`,
            org ? [org] : [],
          )
        ).rows[0]?.[0],
      );
    // The analyst first, so a wrongly shared entry would hand the clinicians the whole table.
    expect(count((await layer.load(COUNT, contextFor('analyst'))).data)).toBe(await hand());
    const a = count((await layer.load(COUNT, contextFor('clinician', { organization_id: orgA }))).data);
    const b = count((await layer.load(COUNT, contextFor('clinician', { organization_id: orgB }))).data);
    expect(a).toBe(await hand(orgA));
    expect(b).toBe(await hand(orgB));
    expect(a).not.toBe(b);
    expect(cache.stats()).toMatchObject({ hits: 0, entries: 3 });
    // Another clinician of organization A compiles to the same SQL and parameters: one entry.
    const other = {
      userId: 'another-clinician',
      roles: ['clinician'],
      attributes: { organization_id: orgA },
    };
    expect(count((await layer.load(COUNT, other)).data)).toBe(a);
    expect(cache.stats()).toMatchObject({ hits: 1, entries: 3 });
    cache.close();
  });

  it('evicts the least recently used entries to stay within its byte bound', async () => {
    const [orgA, orgB] = orgs as [string, string];
    const sizeOf = async (org: string) => {
      const probe = new ResultCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
      await (await layerWith(probe)).load(Q, contextFor('clinician', { organization_id: org }));
      const bytes = probe.stats().bytes;
      probe.close();
      return bytes;
    };
    const a = await sizeOf(orgA);
    const b = await sizeOf(orgB);
    // Room for either entry, not both.
    const cache = new ResultCache({ maxBytes: a + b - 1, ttlMs: 60_000 });
    const layer = await layerWith(cache);
    await layer.load(Q, contextFor('clinician', { organization_id: orgA }));
    await layer.load(Q, contextFor('clinician', { organization_id: orgB }));
    expect(cache.stats().evictions).toBeGreaterThanOrEqual(1);
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.options.maxBytes);
    // B is cached, A was evicted: asking A again is a miss.
    await layer.load(Q, contextFor('clinician', { organization_id: orgB }));
    expect(cache.stats().hits).toBe(1);
    await layer.load(Q, contextFor('clinician', { organization_id: orgA }));
    expect(cache.stats().hits).toBe(1);
    cache.close();
  });

  it('expires entries after the retention, and sweeps them out of memory', async () => {
    let now = 1_000_000;
    const ttlMs = resultCacheTtlMs(3600, [1, 365]);
    expect(ttlMs).toBe(3_600_000);
    // A conversation retention shorter than the configured TTL wins.
    expect(resultCacheTtlMs(86_400 * 7, [2, 365])).toBe(2 * 86_400_000);
    const cache = new ResultCache({ maxBytes: 1 << 20, ttlMs, now: () => now });
    const layer = await layerWith(cache);
    const analyst = contextFor('analyst');
    await layer.load(COUNT, analyst);
    now += ttlMs - 1;
    await layer.load(COUNT, analyst);
    expect(cache.stats().hits).toBe(1);
    now += 2;
    await layer.load(COUNT, analyst);
    expect(cache.stats()).toMatchObject({ hits: 1, expirations: 1, entries: 1 });
    now += ttlMs;
    cache.sweep();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 2 });
    cache.close();
  });

  it('keys a time-travel view on its pinned snapshot', async () => {
    const { lakeAtSnapshot } = await import('../../lakehouse/index.ts');
    const cache = new ResultCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
    const analyst = contextFor('analyst');
    const snapshot = await fx.lake.currentSnapshot();
    const past = await SemanticLayer.load({
      files: [{ file: 'm.yml', text: MODEL }],
      lake: lakeAtSnapshot(fx.lake, snapshot),
      resultCache: cache,
    });
    const then = count((await past.load(COUNT, analyst)).data);
    await fx.lake.append(
      'encounters',
      "SELECT * REPLACE ('cache-tt-' || id AS id) FROM lake.main.encounters WHERE id NOT LIKE 'cache-%' LIMIT 2",
      { author: 'test', message: 'append two encounters' },
    );
    // The pinned view still answers from its snapshot (a hit), the live layer sees the new rows.
    expect(count((await past.load(COUNT, analyst)).data)).toBe(then);
    expect(cache.stats().hits).toBe(1);
    const live = await layerWith(cache);
    expect(count((await live.load(COUNT, analyst)).data)).toBe(then + 2);
    cache.close();
  });
});
