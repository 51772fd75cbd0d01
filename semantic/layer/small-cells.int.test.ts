// Small-cell suppression on a real lake of the Synthea fixture: a role whose policy sets
// min_group_size gets cells of fewer persons suppressed, complementary cells with them, the same
// decision whether it groups or filters, and refusals for what suppression cannot protect;
// differencing attacks (total minus shown rows, overlapping filters) recover no suppressed cell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { contextFor, createCsvFixtureLake, type FixtureLake, SYNTHEA_CSV_DIR } from '../testing/index.ts';
import { SemanticLayer } from './semantic-layer.ts';

const K = 11;
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
        meta:
          person_key: true
      - name: encounterclass
        sql: encounterclass
        type: string
      - name: start
        sql: start
        type: time
    measures:
      - name: count
        type: count
      - name: patients
        type: count_distinct
        sql: patient
      - name: total_cost
        type: sum
        sql: total_claim_cost
      - name: hospice_count
        type: count
        filters:
          - sql: "{CUBE}.encounterclass = 'hospice'"
      - name: hospice_share
        type: number
        sql: "1.0 * {hospice_count} / NULLIF({count}, 0)"
      - name: cost_per_encounter
        type: number
        sql: "{total_cost} / NULLIF({count}, 0)"
      - name: count_prior_year
        type: number
        multi_stage: true
        sql: "{count}"
        time_shift:
          - interval: 1 year
    access_policy:
      - role: analyst
      - role: researcher
        min_group_size: ${K}
  - name: patients
    sql_table: patients
    dimensions:
      - name: id
        sql: id
        type: string
        primary_key: true
        meta:
          person_key: true
      - name: gender
        sql: gender
        type: string
      - name: race
        sql: race
        type: string
    measures:
      - name: count
        type: count
    access_policy:
      - role: analyst
      - role: researcher
        min_group_size: ${K}
`;

let fx: FixtureLake;
let layer: SemanticLayer;
const researcher = contextFor('researcher');
const analyst = contextFor('analyst');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters', 'patients'] });
  layer = await SemanticLayer.load({ files: [{ file: 'm.yml', text: MODEL }], lake: fx.lake });
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

async function refused(query: unknown): Promise<boolean> {
  const err = await layer.load(query, researcher).then(
    () => null,
    (e: unknown) => e,
  );
  return hasCode(err, 'ACCESS_DENIED');
}

describe('small-cell suppression', () => {
  it('suppresses cells of fewer than K persons and, complementarily, the next smallest', async () => {
    const q = {
      measures: ['patients.count'],
      dimensions: ['patients.race'],
      order: { 'patients.race': 'asc' },
    };
    const exact = (await fx.lake.query('SELECT race, count(*) FROM patients GROUP BY 1 ORDER BY 1')).rows.map(
      (r) => [r[0], Number(r[1])] as [string, number],
    );
    const small = exact.filter(([, n]) => n < K);
    expect(small.length).toBeGreaterThan(0);
    expect(exact.some(([, n]) => n >= K)).toBe(true);
    const res = await layer.load(q, researcher);
    expect(res.minGroupSize).toBe(K);
    expect(res.data.map((r) => r['patients.race'])).toEqual(exact.map(([race]) => race));
    const suppressed = res.data.filter((r) => r.suppressed === true);
    for (const [race, n] of exact) {
      const row = res.data.find((r) => r['patients.race'] === race)!;
      if (n < K) expect(row).toMatchObject({ 'patients.count': null, suppressed: true });
      else if (row.suppressed !== true) expect(row['patients.count']).toBe(n);
    }
    // Total minus the shown rows is never one suppressed cell: at least two are suppressed.
    expect(suppressed.length).toBeGreaterThanOrEqual(2);
    const [total] = (await layer.load({ measures: ['patients.count'] }, researcher)).data;
    const shown = res.data
      .filter((r) => r.suppressed !== true)
      .reduce((n, r) => n + Number(r['patients.count']), 0);
    const remainder = Number(total?.['patients.count']) - shown;
    for (const [, n] of small) expect(remainder).not.toBe(n);
    // The analyst's policy has no min_group_size: exact numbers.
    const plain = await layer.load(q, analyst);
    expect(plain.data.map((r) => [r['patients.race'], r['patients.count']])).toEqual(exact);
    expect(plain.data.some((r) => 'suppressed' in r)).toBe(false);
  });

  it('a filter picks a cell of the same table: the same decision as grouping (no overlapping-filter attack)', async () => {
    const grouped = await layer.load(
      { measures: ['encounters.count', 'encounters.total_cost'], dimensions: ['encounters.encounterclass'] },
      researcher,
    );
    const classes = grouped.data.map((r) => String(r['encounters.encounterclass']));
    expect(grouped.data.some((r) => r.suppressed === true)).toBe(true);
    for (const c of classes) {
      const one = await layer.load(
        {
          measures: ['encounters.count', 'encounters.total_cost'],
          filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: [c] }],
        },
        researcher,
      );
      const row = grouped.data.find((r) => r['encounters.encounterclass'] === c)!;
      expect(one.data).toHaveLength(1);
      expect(one.data[0]?.suppressed === true, c).toBe(row.suppressed === true);
      expect(one.data[0]?.['encounters.count']).toBe(row['encounters.count']);
    }
    // Two overlapping filters (a class, and the class without one gender) are not both answerable:
    // "all but one value" is refused, so their difference cannot isolate a small cell.
    expect(
      await refused({
        measures: ['encounters.count'],
        filters: [
          { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] },
          { member: 'patients.gender', operator: 'notEquals', values: ['F'] },
        ],
      }),
    ).toBe(true);
    // The class by gender is a cell of the class x gender table, suppressed with its line.
    const byGender = await layer.load(
      { measures: ['encounters.count'], dimensions: ['encounters.encounterclass', 'patients.gender'] },
      researcher,
    );
    expect(byGender.data.some((r) => r.suppressed === true)).toBe(true);
    expect(byGender.data.some((r) => r.suppressed !== true)).toBe(true);
    for (const r of byGender.data) {
      const one = await layer.load(
        {
          measures: ['encounters.count'],
          dimensions: ['patients.gender'],
          filters: [
            {
              member: 'encounters.encounterclass',
              operator: 'equals',
              values: [String(r['encounters.encounterclass'])],
            },
          ],
        },
        researcher,
      );
      const same = one.data.find((x) => x['patients.gender'] === r['patients.gender']);
      expect(same?.suppressed === true).toBe(r.suppressed === true);
    }
    // Every line of the table has zero or at least two suppressed cells.
    const lines = new Map<string, number[]>();
    for (const r of byGender.data) {
      for (const line of [`c:${r['encounters.encounterclass']}`, `g:${r['patients.gender']}`])
        lines.set(line, [...(lines.get(line) ?? []), r.suppressed === true ? 1 : 0]);
    }
    for (const [line, flags] of lines) {
      const n = flags.reduce((a, b) => a + b, 0);
      if (flags.length > 1) expect(n === 0 || n >= 2, line).toBe(true);
    }
  });

  it('judges a measure with filters by the persons it counts (a small numerator in a large cell)', async () => {
    const res = await layer.load(
      {
        measures: ['encounters.count', 'encounters.hospice_count', 'encounters.hospice_share'],
        dimensions: ['patients.gender'],
        order: { 'patients.gender': 'asc' },
      },
      researcher,
    );
    const hand = (
      await fx.lake.query(`SELECT p.gender, count(*), count(DISTINCT e.patient),
          count(DISTINCT e.patient) FILTER (WHERE e.encounterclass = 'hospice')
        FROM encounters e JOIN patients p ON p.id = e.patient GROUP BY 1 ORDER BY 1`)
    ).rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    expect(hand.every((r) => Number(r[2]) >= K && Number(r[3]) < K)).toBe(true);
    expect(res.data.map((r) => [r['patients.gender'], r['encounters.count']])).toEqual(
      hand.map((r) => [r[0], r[1]]),
    );
    for (const r of res.data) {
      expect(r['encounters.hospice_count']).toBeNull();
      expect(r['encounters.hospice_share']).toBeNull();
      expect(r.suppressed).toBe(true);
    }
  });

  it('refuses what suppression cannot protect, and governed SQL', async () => {
    expect(
      await refused({ dimensions: ['encounters.id'], measures: ['encounters.total_cost'], ungrouped: true }),
    ).toBe(true);
    expect(await refused({ dimensions: ['encounters.encounterclass'] })).toBe(true);
    expect(
      await refused({
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2020-01-01', '2020-01-31'] }],
      }),
    ).toBe(true);
    expect(
      await refused({
        measures: ['encounters.count'],
        filters: [{ member: 'encounters.count', operator: 'gt', values: ['5'] }],
        dimensions: ['encounters.encounterclass'],
      }),
    ).toBe(true);
    expect(
      await refused({
        measures: ['encounters.count'],
        dimensions: ['encounters.encounterclass', 'patients.gender', 'patients.race'],
      }),
    ).toBe(true);
    expect(
      await refused({
        measures: ['encounters.count_prior_year'],
        timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
      }),
    ).toBe(true);
    expect(await refused({ measures: ['encounters.count', 'patients.count'] })).toBe(true);
    expect(() => layer.governedRelations(researcher)).toThrow(/governed SQL is not available/);
    expect(layer.governedRelations(analyst).size).toBeGreaterThan(0);
  });

  it('orders and pages after suppression; a calculated measure is suppressed with its cell', async () => {
    const res = await layer.load(
      {
        measures: ['encounters.cost_per_encounter', 'encounters.patients'],
        dimensions: ['encounters.encounterclass'],
        order: { 'encounters.cost_per_encounter': 'desc' },
        limit: 3,
        total: true,
      },
      researcher,
    );
    const all = await layer.load(
      {
        measures: ['encounters.cost_per_encounter', 'encounters.patients'],
        dimensions: ['encounters.encounterclass'],
      },
      researcher,
    );
    expect(res.total).toBe(all.data.length);
    expect(res.data).toHaveLength(3);
    const values = res.data.map((r) => r['encounters.cost_per_encounter']);
    const shown = values.filter((v) => v !== null) as number[];
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    for (const r of all.data) {
      if (r.suppressed === true) expect(r['encounters.cost_per_encounter']).toBeNull();
      else expect(Number(r['encounters.patients'])).toBeGreaterThanOrEqual(K);
    }
  });
});
