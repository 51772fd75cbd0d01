// Issue 13 B2, at the semantic layer: the bundled analyst role sees every person-level date as
// its year and record keys as pseudonyms, the mask applies before grouping, and KPIs that hold no
// date element (lengths of stay, readmission rates, per-patient figures) still equal admin's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SemanticLayer } from '../index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';

let fx: FixtureLake;
let layer: SemanticLayer;
const admin = contextFor('admin');
const analyst = contextFor('analyst');
const lds = contextFor('limited_data_set');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
}, 120_000);
afterAll(async () => {
  await fx?.close();
});

describe('analyst: years and pseudonyms, declared in the model', () => {
  it('masks every time dimension of every cube to 1 January, before grouping by month', async () => {
    const meta = layer.meta(analyst);
    const times = meta.cubes
      .filter((c) => c.type === 'cube')
      .flatMap((c) => c.dimensions.filter((d) => d.type === 'time').map((d) => d.name));
    expect(times.length).toBeGreaterThan(20);
    for (const dimension of times) {
      const res = await layer.load(
        { measures: [], timeDimensions: [{ dimension, granularity: 'month' }], limit: 50_000 },
        analyst,
      );
      for (const row of res.data) {
        const v = row[`${dimension}.month`];
        if (v !== null) expect(String(v), dimension).toMatch(/^\d{4}-01-01T00:00:00\.000$/);
      }
      const m = meta.cubes.flatMap((c) => c.dimensions).find((d) => d.name === dimension);
      expect(m?.meta?.masked_to, dimension).toBe('year');
    }
  });

  it('answers in a time zone too: a masked date is a calendar date, never shifted', async () => {
    const res = await layer.load(
      {
        measures: ['encounters.count'],
        timezone: 'America/New_York',
        timeDimensions: [
          { dimension: 'encounters.start', granularity: 'day', dateRange: ['2019-01-01', '2019-12-31'] },
        ],
      },
      analyst,
    );
    expect(res.data.map((r) => r['encounters.start.day'])).toEqual(['2019-01-01T00:00:00.000']);
    expect(Number(res.data[0]?.['encounters.count'])).toBeGreaterThan(0);
  });

  it('shows no record key as it is, for analyst or a limited data set the keys stay', async () => {
    const keys = ['encounters.id', 'encounters.patient', 'conditions.patient', 'conditions.encounter'];
    const real = await layer.load({ dimensions: keys, ungrouped: true, limit: 200 }, admin);
    const masked = await layer.load({ dimensions: keys, ungrouped: true, limit: 200 }, analyst);
    const realValues = new Set(real.data.flatMap((r) => keys.map((k) => String(r[k]))));
    for (const row of masked.data)
      for (const k of keys) {
        if (row[k] === null) continue;
        expect(String(row[k])).toMatch(/^[0-9a-f]{32}$/);
        expect(realValues.has(String(row[k]))).toBe(false);
      }
    const kept = await layer.load({ dimensions: ['encounters.id'], limit: 5 }, lds);
    expect(String(kept.data[0]?.['encounters.id'])).toMatch(/^[0-9a-f]{8}-/);
  });

  it('keeps KPIs without a date element equal to admin’s', async () => {
    const measures = [
      'encounters.readmission_rate_30d',
      'encounters.stays_followed_by_readmission_30d',
      'encounters.encounters_per_patient',
      'encounters.distinct_patients',
      'patients.deceased_count',
    ];
    const [a, b] = await Promise.all([layer.load({ measures }, admin), layer.load({ measures }, analyst)]);
    for (const m of measures) {
      expect(b.data[0]?.[m], m).not.toBeNull();
      expect(Number(b.data[0]?.[m]), m).toBeCloseTo(Number(a.data[0]?.[m]), 9);
    }
    // Per-patient counts through pseudonyms: the same distribution.
    const per = async (ctx: typeof admin) =>
      (
        await layer.load(
          { measures: ['encounters.count'], dimensions: ['encounters.patient'], limit: 50_000 },
          ctx,
        )
      ).data
        .map((r) => Number(r['encounters.count']))
        .sort((x, y) => x - y);
    expect(await per(analyst)).toEqual(await per(admin));
  });

  it('releases lengths of stay, but not for a stay that crosses New Year (its years and length would place it)', async () => {
    const rows = await layer.load(
      {
        dimensions: ['encounters.start', 'encounters.stop', 'encounters.duration_minutes'],
        ungrouped: true,
        limit: 50_000,
      },
      analyst,
    );
    const crossing = rows.data.filter(
      (r) =>
        String(r['encounters.start']).slice(0, 4) !== String(r['encounters.stop']).slice(0, 4) &&
        r['encounters.stop'] !== null,
    );
    expect(crossing.length).toBeGreaterThan(0);
    for (const r of crossing) expect(r['encounters.duration_minutes']).toBeNull();
    const hand = await fx.lake.query(
      `SELECT avg(date_diff('second', start, stop) / 60.0) FROM encounters
        WHERE year(timezone('UTC', start)) = year(timezone('UTC', stop))`,
    );
    const got = await layer.load({ measures: ['encounters.avg_duration_minutes'] }, analyst);
    expect(Number(got.data[0]?.['encounters.avg_duration_minutes'])).toBeCloseTo(
      Number(hand.rows[0]?.[0]),
      9,
    );
  });

  it('limited data set: exact dates, no direct identifiers', async () => {
    const res = await layer.load(
      { dimensions: ['patients.birthdate', 'patients.first', 'patients.ssn', 'patients.zip'], limit: 500 },
      lds,
    );
    expect(res.data.some((r) => !String(r['patients.birthdate']).includes('-01-01T'))).toBe(true);
    for (const r of res.data) {
      expect(r['patients.first']).toBeNull();
      expect(r['patients.ssn']).toBeNull();
    }
    expect(res.data.some((r) => String(r['patients.zip']).length === 5)).toBe(true);
  });
});
