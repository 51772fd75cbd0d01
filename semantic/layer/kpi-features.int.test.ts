// Cube's KPI features (calculated, aggregate-in-SQL, rolling, multi-stage and rank measures, HAVING,
// ungrouped, total, custom granularities) through the layer on a real lake of the Synthea fixture,
// each checked against SQL written by hand over the same tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { contextFor, createCsvFixtureLake, type FixtureLake, SYNTHEA_CSV_DIR } from '../testing/index.ts';
import { SemanticLayer } from './semantic-layer.ts';

const MODEL = `cubes:
  - name: encounters
    sql_table: encounters
    joins:
      - name: patients
        relationship: many_to_one
        sql: "{CUBE}.patient = {patients}.id"
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
      - name: patient
        sql: patient
        type: string
      - name: encounterclass
        sql: encounterclass
        type: string
      - name: start
        sql: start
        type: time
        granularities:
          - name: fiscal_year
            title: Fiscal Year (from July)
            interval: 1 year
            origin: "2000-07-01"
          - name: fiscal_quarter
            interval: 3 months
            offset: 1 month
    measures:
      - name: count
        type: count
      - name: total_cost
        type: sum
        sql: total_claim_cost
      - name: total_coverage
        type: sum
        sql: payer_coverage
      - name: coverage_share
        type: number
        sql: "1.0 * {total_coverage} / NULLIF({total_cost}, 0)"
      - name: cost_per_patient
        type: number
        sql: "{total_cost} / NULLIF({patients.count}, 0)"
      - name: median_cost
        type: number
        sql: "median({CUBE}.total_claim_cost)"
      - name: p90_cost
        type: number
        sql: "quantile_cont({CUBE}.total_claim_cost, 0.9)"
      - name: approx_patients
        type: count_distinct_approx
        sql: patient
      - name: rolling_3m
        type: count
        rolling_window:
          trailing: 3 months
      - name: running_total
        type: count
        rolling_window:
          trailing: unbounded
      - name: next_month
        type: count
        rolling_window:
          leading: 1 month
      - name: count_prior_year
        type: number
        multi_stage: true
        sql: "{count}"
        time_shift:
          - interval: 1 year
            type: prior
      - name: yoy_change
        type: number
        sql: "1.0 * ({count} - {count_prior_year}) / NULLIF({count_prior_year}, 0)"
      - name: count_all_classes
        type: number
        multi_stage: true
        sql: "{count}"
        reduce_by: [encounterclass]
      - name: share_of_classes
        type: number
        sql: "1.0 * {count} / NULLIF({count_all_classes}, 0)"
      - name: count_by_class_only
        type: number
        multi_stage: true
        sql: "{count}"
        group_by: [encounterclass]
      - name: avg_cost_per_patient
        type: avg
        multi_stage: true
        sql: "{total_cost}"
        add_group_by: [patient]
      - name: class_rank
        type: rank
        multi_stage: true
        order_by:
          - sql: "{count}"
            dir: desc
        reduce_by: [encounterclass]
  - name: patients
    sql_table: patients
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
      - name: gender
        sql: gender
        type: string
    measures:
      - name: count
        type: count
`;

let fx: FixtureLake;
let layer: SemanticLayer;
const admin = contextFor('admin');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters', 'patients'] });
  layer = await SemanticLayer.load({ files: [{ file: 'kpi.yml', text: MODEL }], lake: fx.lake });
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

async function rows(query: unknown): Promise<unknown[][]> {
  const res = await layer.load(query, admin);
  const a = res.annotation;
  // Cube also returns a granular time dimension under its plain name; leave that copy out.
  const shown = (k: string) => k in a.measures || k in a.dimensions || a.timeDimensions[k]?.granularity;
  return res.data.map((r) =>
    Object.keys(r)
      .filter(shown)
      .map((k) => round(r[k])),
  );
}
async function hand(sql: string): Promise<unknown[][]> {
  return (await fx.lake.query(sql)).rows.map((r) => r.map(round));
}
function round(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.round(v * 1e6) / 1e6;
  if (v !== null && typeof v === 'object' && 'toString' in v) return round(Number(String(v)));
  return v;
}

describe('calculated and aggregate measures', () => {
  it('combines measures of two cubes without fan-out (cost per patient by gender)', async () => {
    const got = await rows({
      measures: ['encounters.cost_per_patient', 'encounters.coverage_share'],
      dimensions: ['patients.gender'],
      order: { 'patients.gender': 'asc' },
    });
    const want = await hand(`
      WITH e AS (SELECT p.gender, sum(e.total_claim_cost) AS cost, sum(e.payer_coverage) AS cov
                 FROM encounters e LEFT JOIN patients p ON e.patient = p.id GROUP BY 1),
           n AS (SELECT gender, count(*) AS n FROM patients GROUP BY 1)
      SELECT n.gender, e.cost / n.n, 1.0 * e.cov / e.cost FROM n LEFT JOIN e ON e.gender = n.gender ORDER BY 1`);
    expect(want.length).toBe(2);
    expect(got).toEqual(want);
  });

  it('computes median, 90th percentile and approximate distinct counts', async () => {
    const got = await rows({
      measures: ['encounters.median_cost', 'encounters.p90_cost', 'encounters.approx_patients'],
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.encounterclass': 'asc' },
    });
    const want =
      await hand(`SELECT encounterclass, median(total_claim_cost), quantile_cont(total_claim_cost, 0.9),
      approx_count_distinct(patient) FROM encounters GROUP BY 1 ORDER BY 1`);
    expect(got).toEqual(want);
  });

  it('filters on a measure (HAVING), returns a total and ungrouped rows', async () => {
    const res = await layer.load(
      {
        measures: ['encounters.count'],
        dimensions: ['encounters.patient'],
        filters: [{ member: 'encounters.count', operator: 'gt', values: ['100'] }],
        order: { 'encounters.patient': 'asc' },
        limit: 2,
        total: true,
      },
      admin,
    );
    const want = await hand(
      'SELECT patient, count(*) FROM encounters GROUP BY 1 HAVING count(*) > 100 ORDER BY 1',
    );
    expect(want.length).toBeGreaterThan(2);
    expect(res.total).toBe(want.length);
    expect(res.data.map((r) => Object.values(r).map(round))).toEqual(want.slice(0, 2));
    const ungrouped = await rows({
      dimensions: ['encounters.id'],
      measures: ['encounters.total_cost'],
      ungrouped: true,
      order: { 'encounters.id': 'asc' },
      limit: 3,
    });
    expect(ungrouped).toEqual(await hand('SELECT id, total_claim_cost FROM encounters ORDER BY 1 LIMIT 3'));
  });
});

describe('custom granularities', () => {
  it('buckets by a fiscal year starting in July and a quarter offset by a month', async () => {
    const fy = await rows({
      measures: ['encounters.count'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'fiscal_year' }],
      order: { 'encounters.start': 'asc' },
    });
    const wantFy = await hand(`SELECT strftime(CASE WHEN month(start) >= 7 THEN make_date(year(start), 7, 1)
        ELSE make_date(year(start) - 1, 7, 1) END, '%Y-%m-%dT00:00:00.000') AS fy, count(*)
      FROM encounters GROUP BY 1 ORDER BY 1`);
    expect(fy.map((r) => r.slice(0, 2))).toEqual(wantFy);
    const fq = await rows({
      measures: ['encounters.count'],
      timeDimensions: [
        {
          dimension: 'encounters.start',
          granularity: 'fiscal_quarter',
          dateRange: ['2020-01-01', '2020-12-31'],
        },
      ],
    });
    const wantFq =
      await hand(`SELECT strftime(date_trunc('quarter', start - INTERVAL 1 MONTH) + INTERVAL 1 MONTH,
        '%Y-%m-%dT%H:%M:%S.000') AS q, count(*) FROM encounters
      WHERE start >= TIMESTAMP '2020-01-01' AND start < TIMESTAMP '2021-01-01' GROUP BY 1 ORDER BY 1`);
    expect(fq.map((r) => r.slice(0, 2))).toEqual(wantFq);
    expect(String(fq[0]?.[0])).toBe('2019-11-01T00:00:00.000');
  });

  it('lists custom granularities in meta and annotates them in results', async () => {
    const meta = layer.meta(admin);
    const start = meta.cubes
      .find((c) => c.name === 'encounters')
      ?.dimensions.find((d) => d.name === 'encounters.start');
    expect(start?.granularities).toEqual([
      { name: 'fiscal_year', title: 'Fiscal Year (from July)', interval: '1 year', origin: '2000-07-01' },
      { name: 'fiscal_quarter', title: 'Fiscal Quarter', interval: '3 months', offset: '1 month' },
    ]);
    const rolling = meta.cubes
      .find((c) => c.name === 'encounters')
      ?.measures.find((m) => m.name === 'encounters.rolling_3m');
    expect(rolling?.cumulative).toBe(true);
    const res = await layer.load(
      {
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: 'encounters.start', granularity: 'fiscal_year' }],
      },
      admin,
    );
    expect(res.annotation.timeDimensions['encounters.start.fiscal_year']?.granularity).toEqual({
      name: 'fiscal_year',
      title: 'Fiscal Year (from July)',
      interval: '1 year',
    });
  });

  it('refuses a granularity the dimension does not define', async () => {
    const err = await layer
      .load(
        {
          measures: ['encounters.count'],
          timeDimensions: [{ dimension: 'encounters.start', granularity: 'fortnight' }],
        },
        admin,
      )
      .catch((e: unknown) => e);
    expect(hasCode(err, 'QUERY_INVALID')).toBe(true);
  });
});

describe('rolling windows', () => {
  it('trailing 3 months, cumulative and leading windows by month over a date range', async () => {
    const got = await rows({
      measures: [
        'encounters.rolling_3m',
        'encounters.running_total',
        'encounters.next_month',
        'encounters.count',
      ],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'month', dateRange: ['2020-01-01', '2020-06-30'] },
      ],
      order: { 'encounters.start': 'asc' },
    });
    const want = await hand(`
      WITH b AS (SELECT unnest(generate_series(TIMESTAMP '2020-01-01', TIMESTAMP '2020-06-01', INTERVAL 1 MONTH)) AS m)
      SELECT strftime(m, '%Y-%m-%dT%H:%M:%S.000'),
        (SELECT count(*) FROM encounters WHERE start >= m - INTERVAL 2 MONTH AND start < m + INTERVAL 1 MONTH),
        (SELECT count(*) FROM encounters WHERE start < m + INTERVAL 1 MONTH),
        (SELECT count(*) FROM encounters WHERE start >= m + INTERVAL 1 MONTH AND start < m + INTERVAL 2 MONTH),
        (SELECT count(*) FROM encounters WHERE start >= m AND start < m + INTERVAL 1 MONTH)
      FROM b ORDER BY m`);
    expect(want.length).toBe(6);
    expect(got).toEqual(want);
  });
});

describe('multi-stage measures', () => {
  it('previous year and year-over-year change by year', async () => {
    const got = await rows({
      measures: ['encounters.count', 'encounters.count_prior_year', 'encounters.yoy_change'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2015-01-01', '2021-12-31'] },
      ],
      order: { 'encounters.start': 'asc' },
    });
    const want = await hand(`
      WITH y AS (SELECT date_trunc('year', start) AS y, count(*) AS n FROM encounters GROUP BY 1)
      SELECT strftime(a.y, '%Y-%m-%dT%H:%M:%S.000'), a.n, b.n, 1.0 * (a.n - b.n) / NULLIF(b.n, 0)
      FROM y a LEFT JOIN y b ON b.y = a.y - INTERVAL 1 YEAR
      WHERE a.y BETWEEN TIMESTAMP '2015-01-01' AND TIMESTAMP '2021-01-01' ORDER BY a.y`);
    expect(want.length).toBe(7);
    expect(got).toEqual(want);
  });

  it('a time shift needs a time dimension', async () => {
    const err = await layer
      .load({ measures: ['encounters.count_prior_year'] }, admin)
      .catch((e: unknown) => e);
    expect(hasCode(err, 'QUERY_INVALID')).toBe(true);
  });

  it('percent of total (reduce_by), group_by and rank within a year', async () => {
    const got = await rows({
      measures: [
        'encounters.count',
        'encounters.share_of_classes',
        'encounters.count_by_class_only',
        'encounters.class_rank',
      ],
      dimensions: ['encounters.encounterclass'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2019-01-01', '2020-12-31'] },
      ],
      order: [
        ['encounters.start', 'asc'],
        ['encounters.encounterclass', 'asc'],
      ],
    });
    const want = await hand(`
      WITH c AS (SELECT encounterclass AS k, date_trunc('year', start) AS y, count(*) AS n FROM encounters
                 WHERE start >= TIMESTAMP '2019-01-01' AND start < TIMESTAMP '2021-01-01' GROUP BY 1, 2)
      SELECT k, strftime(y, '%Y-%m-%dT%H:%M:%S.000'), n, 1.0 * n / sum(n) OVER (PARTITION BY y),
        sum(n) OVER (PARTITION BY k), rank() OVER (PARTITION BY y ORDER BY n DESC)
      FROM c ORDER BY y, k`);
    expect(want.length).toBeGreaterThan(6);
    expect(got).toEqual(want);
  });

  it('per-entity average: the mean over patients of each patient’s total cost (add_group_by)', async () => {
    const got = await rows({
      measures: ['encounters.avg_cost_per_patient'],
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.encounterclass': 'asc' },
    });
    const want =
      await hand(`SELECT k, avg(c) FROM (SELECT encounterclass AS k, patient, sum(total_claim_cost) AS c
      FROM encounters GROUP BY 1, 2) GROUP BY 1 ORDER BY 1`);
    expect(got).toEqual(want);
  });

  it('refuses multi-stage measures in ungrouped queries', async () => {
    const err = await layer
      .load({ dimensions: ['encounters.id'], measures: ['encounters.class_rank'], ungrouped: true }, admin)
      .catch((e: unknown) => e);
    expect(hasCode(err, 'QUERY_INVALID')).toBe(true);
  });
});
