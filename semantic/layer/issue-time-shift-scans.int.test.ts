// A time-shifted measure (previous year, next month) is computed in the same scan as the measures it
// is compared with when that is exact (whole buckets moved), and in a stage of its own otherwise.
// Either way the numbers are those of SQL written by hand, on a real lake of the Synthea fixture:
// dimensions, unaligned date ranges, measure filters, query filters, and a shift that does not
// move whole buckets (a year by week).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, createCsvFixtureLake, type FixtureLake, SYNTHEA_CSV_DIR } from '../testing/index.ts';
import { SemanticLayer } from './semantic-layer.ts';

const MODEL = `cubes:
  - name: encounters
    sql_table: encounters
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
      - name: encounterclass
        sql: encounterclass
        type: string
      - name: start
        sql: start
        type: time
    measures:
      - name: count
        type: count
      - name: inpatient_count
        type: count
        filters:
          - sql: "{CUBE}.encounterclass = 'inpatient'"
      - name: total_cost
        type: sum
        sql: total_claim_cost
      - name: count_prior_year
        type: number
        multi_stage: true
        sql: "{count}"
        time_shift:
          - interval: 1 year
            type: prior
      - name: inpatient_prior_year
        type: number
        multi_stage: true
        sql: "{inpatient_count}"
        time_shift:
          - interval: 1 year
            type: prior
      - name: cost_next_month
        type: number
        multi_stage: true
        sql: "{total_cost}"
        time_shift:
          - interval: 1 month
            type: next
`;

let fx: FixtureLake;
let layer: SemanticLayer;
const admin = contextFor('admin');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters'] });
  layer = await SemanticLayer.load({ files: [{ file: 'shift.yml', text: MODEL }], lake: fx.lake });
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

async function rows(query: Record<string, unknown>): Promise<unknown[][]> {
  const res = await layer.load(query, admin);
  const keys = [
    ...((query.dimensions as string[] | undefined) ?? []),
    ...((query.timeDimensions as Array<{ dimension: string; granularity?: string }> | undefined) ?? [])
      .filter((t) => t.granularity)
      .map((t) => `${t.dimension}.${t.granularity}`),
    ...(query.measures as string[]),
  ];
  return res.data.map((r) => keys.map((k) => round(r[k])));
}
async function hand(sql: string): Promise<unknown[][]> {
  return (await fx.lake.query(sql)).rows.map((r) => r.map(round));
}
function round(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.round(v * 1e4) / 1e4;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return round(Number(v));
  if (typeof v === 'object' && 'toString' in v) return round(Number(String(v)));
  return v;
}
const scans = (query: unknown) => {
  const [sql] = layer.sql(query, admin).sql.sql as [string, unknown[]];
  return sql.split('"encounters" AS "encounters"').length - 1;
};
const FROM = "TIMESTAMP '2019-03-15'";
const TO = "TIMESTAMP '2020-06-20 23:59:59.999'";

describe('time shifts in the same scan', () => {
  it('by class and month over an unaligned range, with a measure filter: one scan, exact', async () => {
    const query = {
      measures: ['encounters.count', 'encounters.count_prior_year', 'encounters.inpatient_prior_year'],
      dimensions: ['encounters.encounterclass'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'month', dateRange: ['2019-03-15', '2020-06-20'] },
      ],
      order: [
        ['encounters.encounterclass', 'asc'],
        ['encounters.start', 'asc'],
      ],
      limit: 5000,
    };
    expect(scans(query)).toBe(1);
    const got = await rows(query);
    const want = await hand(`
      WITH base AS (
        SELECT encounterclass AS c, date_trunc('month', start) AS m, count(*) AS n FROM encounters
        WHERE start >= ${FROM} AND start <= ${TO} GROUP BY 1, 2),
      prior AS (
        SELECT encounterclass AS c, date_trunc('month', start + INTERVAL 1 YEAR) AS m, count(*) AS n,
          count(*) FILTER (WHERE encounterclass = 'inpatient') AS i FROM encounters
        WHERE start + INTERVAL 1 YEAR >= ${FROM} AND start + INTERVAL 1 YEAR <= ${TO} GROUP BY 1, 2)
      SELECT b.c, strftime(b.m, '%Y-%m-%dT%H:%M:%S.000'), b.n, p.n, p.i
      FROM base b LEFT JOIN prior p ON p.c = b.c AND p.m = b.m ORDER BY 1, 2`);
    expect(want.length).toBeGreaterThan(20);
    expect(want.some((r) => r[3] === null)).toBe(true);
    expect(got).toEqual(want);
  });

  it('two shifts (previous year, next month) by month under a query filter: one scan', async () => {
    const query = {
      measures: ['encounters.total_cost', 'encounters.count_prior_year', 'encounters.cost_next_month'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'month' }],
      filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: ['ambulatory'] }],
      order: { 'encounters.start': 'asc' },
      limit: 5000,
    };
    expect(scans(query)).toBe(1);
    const got = await rows(query);
    const want = await hand(`
      WITH e AS (SELECT * FROM encounters WHERE encounterclass = 'ambulatory'),
      base AS (SELECT date_trunc('month', start) AS q, sum(total_claim_cost) AS cost FROM e GROUP BY 1),
      prior AS (SELECT date_trunc('month', start + INTERVAL 1 YEAR) AS q, count(*) AS n FROM e GROUP BY 1),
      nxt AS (SELECT date_trunc('month', start - INTERVAL 1 MONTH) AS q, sum(total_claim_cost) AS cost FROM e GROUP BY 1)
      SELECT strftime(b.q, '%Y-%m-%dT%H:%M:%S.000'), b.cost, p.n, x.cost
      FROM base b LEFT JOIN prior p ON p.q = b.q LEFT JOIN nxt x ON x.q = b.q ORDER BY 1`);
    expect(want.length).toBeGreaterThan(50);
    expect(got).toEqual(want);
  });

  it('without a granularity: the date range and the same range a year before', async () => {
    const query = {
      measures: ['encounters.count', 'encounters.count_prior_year'],
      timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2019-03-15', '2020-06-20'] }],
    };
    const got = await rows(query);
    const want = await hand(`
      SELECT count(*) FILTER (WHERE start >= ${FROM} AND start <= ${TO}),
        count(*) FILTER (WHERE start + INTERVAL 1 YEAR >= ${FROM} AND start + INTERVAL 1 YEAR <= ${TO})
      FROM encounters`);
    expect(got).toEqual(want);
  });

  it('a year by week does not move whole weeks: its own stage, still exact', async () => {
    const query = {
      measures: ['encounters.count', 'encounters.count_prior_year'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'week', dateRange: ['2019-03-15', '2020-06-20'] },
      ],
      order: { 'encounters.start': 'asc' },
      limit: 5000,
    };
    expect(scans(query)).toBe(2);
    const got = await rows(query);
    const want = await hand(`
      WITH base AS (SELECT date_trunc('week', start) AS w, count(*) AS n FROM encounters
        WHERE start >= ${FROM} AND start <= ${TO} GROUP BY 1),
      prior AS (SELECT date_trunc('week', start + INTERVAL 1 YEAR) AS w, count(*) AS n FROM encounters
        WHERE start + INTERVAL 1 YEAR >= ${FROM} AND start + INTERVAL 1 YEAR <= ${TO} GROUP BY 1)
      SELECT strftime(b.w, '%Y-%m-%dT%H:%M:%S.000'), b.n, p.n FROM base b LEFT JOIN prior p ON p.w = b.w ORDER BY 1`);
    expect(want.length).toBeGreaterThan(20);
    expect(got).toEqual(want);
  });
});
