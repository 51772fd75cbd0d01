// The KPI library of the bundled Synthea model: each KPI through the semantic layer equals SQL
// written by hand from its stated definition, on the shared fixture and on 1,000 demo patients.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheaDemo, syncConnector, syntheaConnector } from '../../connectors/index.ts';
import { generateKey, Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';
import { SemanticLayer } from './semantic-layer.ts';

/** A KPI question as a Cube query, and the same question in hand-written SQL (same column order). */
export const KPI_CASES: Array<{ name: string; query: Record<string, unknown>; sql: string }> = [
  {
    name: 'payer coverage share of claim cost by encounter class',
    query: {
      measures: ['encounters.payer_coverage_ratio'],
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.encounterclass': 'asc' },
    },
    sql: `SELECT encounterclass, sum(payer_coverage) / NULLIF(sum(total_claim_cost), 0)
          FROM encounters GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'claim cost and encounters per patient by year',
    query: {
      measures: ['encounters.claim_cost_per_patient', 'encounters.encounters_per_patient'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
      order: { 'encounters.start': 'asc' },
    },
    sql: `SELECT strftime(date_trunc('year', start), '%Y-%m-%dT%H:%M:%S.000'),
            sum(total_claim_cost) / count(DISTINCT patient), count(*) / count(DISTINCT patient)
          FROM encounters GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'median and 90th percentile claim cost',
    query: { measures: ['encounters.median_claim_cost', 'encounters.p90_claim_cost'] },
    sql: 'SELECT median(total_claim_cost), quantile_cont(total_claim_cost, 0.9) FROM encounters',
  },
  {
    name: 'inpatient length of stay in days',
    query: { measures: ['encounters.avg_inpatient_length_of_stay_days'] },
    sql: `SELECT avg(epoch(stop) - epoch(start)) / 86400 FROM encounters WHERE encounterclass = 'inpatient'`,
  },
  {
    name: '30-day readmission rate by year of the index stay',
    query: {
      measures: ['encounters.readmission_rate_30d', 'encounters.inpatient_count'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
      filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] }],
      order: { 'encounters.start': 'asc' },
    },
    // Each inpatient stay, and whether a later inpatient admission of the same patient starts
    // within 30 days after its discharge.
    sql: `WITH stays AS (SELECT id, patient, start, stop FROM encounters WHERE encounterclass = 'inpatient'),
          flagged AS (
            SELECT a.id, a.start, count(b.id) > 0 AS readmitted FROM stays a
            LEFT JOIN stays b ON b.patient = a.patient AND b.id <> a.id
              AND b.start >= a.stop AND b.start <= a.stop + INTERVAL 30 DAY
            GROUP BY a.id, a.start)
          SELECT strftime(date_trunc('year', start), '%Y-%m-%dT%H:%M:%S.000'),
            avg(CASE WHEN readmitted THEN 1.0 ELSE 0.0 END), count(*)
          FROM flagged GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'mortality rate by gender',
    query: {
      measures: ['patients.mortality_rate'],
      dimensions: ['patients.gender'],
      order: { 'patients.gender': 'asc' },
    },
    sql: `SELECT gender, avg(CASE WHEN deathdate IS NOT NULL THEN 1.0 ELSE 0.0 END) FROM patients GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'condition prevalence and patients per 1,000 by condition',
    query: {
      measures: ['conditions.prevalence', 'conditions.prevalence_per_1000'],
      dimensions: ['conditions.description'],
      order: { 'conditions.description': 'asc' },
    },
    sql: `SELECT description, count(DISTINCT patient) / (SELECT count(*) FROM patients),
            1000 * count(DISTINCT patient) / (SELECT count(*) FROM patients)
          FROM conditions GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'year-over-year change of encounters and claim cost',
    query: {
      measures: ['encounters.yoy_encounter_change', 'encounters.yoy_claim_cost_change'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2016-01-01', '2023-12-31'] },
      ],
      order: { 'encounters.start': 'asc' },
    },
    sql: `WITH y AS (SELECT year(start) AS y, count(*) AS n, sum(total_claim_cost) AS cost FROM encounters GROUP BY 1)
          SELECT strftime(make_date(a.y, 1, 1), '%Y-%m-%dT00:00:00.000'),
            (a.n - b.n) / b.n, (a.cost - b.cost) / NULLIF(b.cost, 0)
          FROM y a LEFT JOIN y b ON b.y = a.y - 1 WHERE a.y BETWEEN 2016 AND 2023 ORDER BY a.y`,
  },
];

const admin = contextFor('admin');

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object') return Number(String(v));
  return v;
}

/** Rows of a layer answer, without Cube's plain-named copy of a granular time dimension. */
async function layerRows(layer: SemanticLayer, query: Record<string, unknown>): Promise<unknown[][]> {
  const res = await layer.load(query, admin);
  const a = res.annotation;
  const shown = (k: string) => k in a.measures || k in a.dimensions || a.timeDimensions[k]?.granularity;
  return res.data.map((r) =>
    Object.keys(r)
      .filter(shown)
      .map((k) => plain(r[k])),
  );
}

function expectSameRows(got: unknown[][], want: unknown[][], name: string): void {
  expect(got.length, name).toBe(want.length);
  got.forEach((row, i) => {
    row.forEach((v, j) => {
      const w = plain(want[i]?.[j]);
      if (typeof v === 'number' && typeof w === 'number')
        expect(Math.abs(v - w), `${name} row ${i} col ${j}: ${v} vs ${w}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(w)),
        );
      else expect(v, `${name} row ${i} col ${j}`).toEqual(w);
    });
  });
}

function suite(label: string, open: () => Promise<FixtureLake>) {
  describe(`KPI library on ${label}`, () => {
    let fx: FixtureLake;
    let layer: SemanticLayer;
    beforeAll(async () => {
      fx = await open();
      layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
    }, 180_000);
    afterAll(async () => {
      await fx?.close();
    });

    for (const c of KPI_CASES) {
      it(c.name, async () => {
        const want = (await fx.lake.query(c.sql)).rows;
        expect(want.length, 'the hand-written SQL finds rows').toBeGreaterThan(0);
        // Not a vacuous comparison: some KPI value is a number other than zero.
        expect(want.some((r) => r.some((v) => typeof plain(v) === 'number' && plain(v) !== 0))).toBe(true);
        expectSameRows(await layerRows(layer, c.query), want, c.name);
      });
    }

    it('every KPI has a title and a description stating its definition', () => {
      const kpis = [...layer.model.cubes.values()].flatMap((c) =>
        [...c.measures.values()].filter((m) => m.meta?.kpi === true),
      );
      expect(kpis.length).toBeGreaterThanOrEqual(11);
      for (const m of kpis) {
        expect(m.title, m.name).not.toBe('');
        expect(m.description?.length ?? 0, m.name).toBeGreaterThan(30);
      }
    });
  });
}

suite('the Synthea fixture', () => createCsvFixtureLake(SYNTHEA_CSV_DIR));
suite('1,000 demo patients', async () => {
  // Demo data as `analyst init --demo` makes it: generated CSV files synced by the Synthea connector.
  const dir = await mkdtemp(join(tmpdir(), 'kpi-demo-'));
  const csv = join(dir, 'csv');
  let lake: Lakehouse | undefined;
  try {
    await generateSyntheaDemo({ dir: csv, patients: 1000, seed: 16 });
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider(generateKey()),
      create: true,
      readConnections: 2,
      sandbox: { readDirectories: [csv] },
    });
    const run = await syncConnector(
      { name: 'synthea', type: 'synthea', options: { path: csv }, mode: 'full_refresh', on_reject: 'skip' },
      {
        lake,
        connectors: new Map([['synthea', syntheaConnector]]),
        resolveSecret: (ref) => ref,
        requireSecretReferences: false,
        author: 'kpi-test',
      },
    );
    expect(run.streams.filter((r) => r.status !== 'ok')).toEqual([]);
    const opened = lake;
    return {
      lake: opened,
      dir,
      close: async () => {
        await opened.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await lake?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
});
