import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import type { CubeQuery } from '../index.ts';
import { SemanticLayer } from '../index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';

// Each fixture: a Cube query, and the SQL a person would write for the same answer.
const FIXTURES: Array<{ name: string; query: CubeQuery; sql: string }> = [
  {
    name: 'count by a dimension, ordered',
    query: {
      measures: ['encounters.count'],
      dimensions: ['encounters.encounterclass'],
      order: [
        ['encounters.count', 'desc'],
        ['encounters.encounterclass', 'asc'],
      ],
    },
    sql: 'SELECT encounterclass, count(*) AS n FROM encounters GROUP BY 1 ORDER BY n DESC, encounterclass',
  },
  {
    name: 'sum, avg and duration by year within an absolute date range',
    query: {
      measures: ['encounters.total_total_claim_cost', 'encounters.avg_duration_minutes'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2015-01-01', '2018-12-31'] },
      ],
    },
    sql: `SELECT strftime(date_trunc('year', timezone('UTC', start)), '%Y-%m-%dT%H:%M:%S.%g') AS y, sum(total_claim_cost), avg(date_diff('second', start, stop) / 60.0)
          FROM encounters WHERE timezone('UTC', start) BETWEEN TIMESTAMP '2015-01-01' AND TIMESTAMP '2018-12-31 23:59:59.999' GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'measure of a many_to_one join with a filter on the joined cube',
    query: {
      measures: ['conditions.count', 'conditions.distinct_patients'],
      dimensions: ['patients.gender'],
      filters: [{ member: 'patients.race', operator: 'equals', values: ['white'] }],
      order: { 'patients.gender': 'asc' },
    },
    sql: `SELECT p.gender, count(*), count(DISTINCT c.patient) FROM conditions c LEFT JOIN patients p ON c.patient = p.id
          WHERE p.race = 'white' GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'nested and/or filters with contains, notEquals, gt and set',
    query: {
      measures: ['encounters.count'],
      dimensions: ['encounters.encounterclass'],
      filters: [
        {
          or: [
            { member: 'encounters.description', operator: 'contains', values: ['CHECK'] },
            {
              and: [
                { member: 'encounters.total_claim_cost', operator: 'gt', values: ['1000'] },
                { member: 'encounters.encounterclass', operator: 'notEquals', values: ['wellness'] },
              ],
            },
          ],
        },
        { member: 'encounters.reasoncode', operator: 'notSet' },
      ],
      order: { 'encounters.encounterclass': 'asc' },
    },
    sql: `SELECT encounterclass, count(*) FROM encounters
          WHERE (contains(lower(description), 'check') OR (total_claim_cost > 1000 AND (encounterclass <> 'wellness' OR encounterclass IS NULL)))
            AND reasoncode IS NULL GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'segment and measure filter',
    query: {
      measures: ['encounters.count'],
      dimensions: ['encounters.patient'],
      segments: ['encounters.inpatient'],
      filters: [{ member: 'encounters.count', operator: 'gte', values: ['3'] }],
      order: [
        ['encounters.count', 'desc'],
        ['encounters.patient', 'asc'],
      ],
    },
    sql: `SELECT patient, count(*) AS n FROM encounters WHERE encounterclass = 'inpatient' GROUP BY 1 HAVING count(*) >= 3 ORDER BY n DESC, patient`,
  },
  {
    name: 'time zone and day granularity',
    query: {
      measures: ['encounters.count'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'day', dateRange: ['2019-01-01', '2019-01-31'] },
      ],
      timezone: 'America/New_York',
    },
    sql: `SELECT strftime(date_trunc('day', timezone('America/New_York', start)), '%Y-%m-%dT%H:%M:%S.%g'), count(*) FROM encounters
          WHERE timezone('America/New_York', start) BETWEEN TIMESTAMP '2019-01-01' AND TIMESTAMP '2019-01-31 23:59:59.999' GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'ungrouped rows with limit and offset',
    query: {
      dimensions: ['patients.id', 'patients.gender'],
      measures: ['patients.total_income'],
      ungrouped: true,
      order: { 'patients.id': 'asc' },
      limit: 5,
      offset: 10,
    },
    sql: 'SELECT id, gender, income FROM patients ORDER BY id LIMIT 5 OFFSET 10',
  },
  {
    name: 'number measure of two sums (payer coverage ratio)',
    query: {
      measures: ['encounters.payer_coverage_ratio'],
      dimensions: ['payers.name'],
      order: { 'payers.name': 'asc' },
    },
    sql: `SELECT y.name, 1.0 * sum(e.payer_coverage) / NULLIF(sum(e.total_claim_cost), 0) FROM encounters e LEFT JOIN payers y ON e.payer = y.id GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'view members across its join paths',
    query: {
      measures: ['encounter_details.count'],
      dimensions: ['encounter_details.organizations_city', 'encounter_details.patients_gender'],
      order: [
        ['encounter_details.count', 'desc'],
        ['encounter_details.organizations_city', 'asc'],
        ['encounter_details.patients_gender', 'asc'],
      ],
      limit: 10,
    },
    sql: `SELECT o.city, p.gender, count(*) AS n FROM encounters e LEFT JOIN patients p ON e.patient = p.id LEFT JOIN organizations o ON e.organization = o.id
          GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 10`,
  },
  // Fan-out: patients repeat once per encounter, yet each is counted (and summed) once per class.
  {
    name: 'fan-out: one-side measures grouped by a many-side dimension',
    query: {
      measures: ['patients.count', 'patients.total_income'],
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.encounterclass': 'asc' },
    },
    sql: `SELECT k.encounterclass, count(*), sum(p.income) FROM (SELECT DISTINCT encounterclass, patient FROM encounters) k JOIN patients p ON p.id = k.patient
          GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'fan-out: measures of two cubes on both sides of one_to_many joins',
    query: {
      measures: ['encounters.count', 'conditions.count', 'patients.count'],
      dimensions: ['patients.gender'],
      order: { 'patients.gender': 'asc' },
    },
    sql: `SELECT g.gender, e.n, c.n, g.n FROM (SELECT gender, count(*) AS n FROM patients GROUP BY 1) g
          LEFT JOIN (SELECT p.gender, count(*) AS n FROM encounters x LEFT JOIN patients p ON x.patient = p.id GROUP BY 1) e ON e.gender IS NOT DISTINCT FROM g.gender
          LEFT JOIN (SELECT p.gender, count(*) AS n FROM conditions x LEFT JOIN patients p ON x.patient = p.id GROUP BY 1) c ON c.gender IS NOT DISTINCT FROM g.gender
          ORDER BY 1`,
  },
  {
    name: 'fan-out: filter on a many-side cube counts patients once',
    query: {
      measures: ['patients.count', 'patients.avg_age'],
      filters: [{ member: 'conditions.description', operator: 'contains', values: ['diabetes'] }],
    },
    sql: `SELECT count(*), avg(date_diff('year', birthdate, coalesce(deathdate, current_date))) FROM patients
          WHERE id IN (SELECT patient FROM conditions WHERE contains(lower(description), 'diabetes'))`,
  },
];

let fx: FixtureLake;
let layer: SemanticLayer;
const admin = contextFor('admin');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  layer = await SemanticLayer.load({
    modelDir: SYNTHEA_MODEL_DIR,
    lake: fx.lake,
    now: () => new Date('2024-05-15T12:00:00Z'),
  });
});
afterAll(async () => {
  await fx?.close();
});

describe('compiled queries match hand-written SQL', () => {
  for (const f of FIXTURES) {
    it(f.name, async () => {
      const sql = layer.sql(f.query, admin).sql.sql;
      expect(sql[0]).toMatchSnapshot();
      expect(sql[0]).not.toMatch(/'(white|CHECK|wellness|diabetes)'/); // values are bound, never inlined
      const res = await layer.load(f.query, admin);
      const hand = await fx.lake.query(f.sql);
      const got = res.data.map((row) =>
        Object.keys(row)
          .filter((k) => !isPlainAlias(k, row, res.query))
          .map((k) => row[k]),
      );
      expect(got).toEqual(hand.rows.map((r) => r.map(round)).map((r) => r));
      expect(hand.rows.length).toBeGreaterThan(0);
    });
  }

  it('counts fan-out correctly where a naive join would not', async () => {
    const naive = await fx.lake.query(
      `SELECT p.gender, count(*) FROM patients p LEFT JOIN encounters e ON e.patient = p.id LEFT JOIN conditions c ON c.encounter = e.id GROUP BY 1 ORDER BY 1`,
    );
    const res = await layer.load(
      { measures: ['patients.count'], dimensions: ['patients.gender'], order: { 'patients.gender': 'asc' } },
      admin,
    );
    expect(res.data.map((r) => r['patients.count'])).not.toEqual(naive.rows.map((r) => r[1]));
  });

  it('measures durations to the second, not by minute boundaries crossed', async () => {
    const res = await layer.load({ measures: ['encounters.avg_duration_minutes'] }, admin);
    const got = Number(res.data[0]?.['encounters.avg_duration_minutes']);
    const [exact, boundaries] = (
      await fx.lake.query(
        `SELECT avg((epoch(stop) - epoch(start)) / 60.0), avg(date_diff('minute', start, stop)) FROM encounters`,
      )
    ).rows[0] as [number, number];
    expect(got).toBeCloseTo(Number(exact), 9);
    // The fixture has stays whose seconds differ at start and stop: the two readings part.
    expect(Math.abs(got - Number(boundaries))).toBeGreaterThan(0.001);
  });

  it('returns total beside a limited page', async () => {
    const res = await layer.load({ dimensions: ['patients.id'], limit: 3, total: true }, admin);
    expect(res.data).toHaveLength(3);
    expect(res.total).toBe(110);
  });

  it('reports ambiguous and missing join paths', async () => {
    expect(() => layer.sql({ measures: ['patients.count'], dimensions: ['payers.name'] }, admin)).toThrow(
      expect.objectContaining({ code: 'JOIN_PATH_AMBIGUOUS' }),
    );
    const lone = await SemanticLayer.load({
      lake: fx.lake,
      files: [
        {
          file: 'lone.yml',
          text: `cubes:
  - name: a
    sql_table: patients
    dimensions: [{ name: id, sql: id, type: string, primary_key: true }]
    measures: [{ name: count, type: count }]
  - name: b
    sql_table: payers
    dimensions: [{ name: name, sql: name, type: string }]
`,
        },
      ],
    });
    expect(() => lone.sql({ measures: ['a.count'], dimensions: ['b.name'] }, admin)).toThrow(
      expect.objectContaining({ code: 'JOIN_PATH_NOT_FOUND' }),
    );
  });

  it('needs a primary key to count across a one_to_many join', async () => {
    const nokey = await SemanticLayer.load({
      lake: fx.lake,
      files: [
        {
          file: 'nokey.yml',
          text: `cubes:
  - name: p
    sql_table: patients
    joins: [{ name: e, relationship: one_to_many, sql: "{CUBE}.id = {e}.patient" }]
    dimensions: [{ name: gender, sql: gender, type: string }]
    measures: [{ name: count, type: count }]
  - name: e
    sql_table: encounters
    dimensions: [{ name: encounterclass, sql: encounterclass, type: string }]
`,
        },
      ],
    });
    let err: unknown;
    try {
      nokey.sql({ measures: ['p.count'], dimensions: ['e.encounterclass'] }, admin);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, 'PRIMARY_KEY_REQUIRED')).toBe(true);
  });

  it('rejects malformed queries with QUERY_INVALID', () => {
    for (const q of [
      { measures: ['encounters.count'], limit: -1 },
      { measures: ['encounters.count'], bogus: true },
      {
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: 'encounters.start', dateRange: 'whenever' }],
      },
      {
        measures: ['encounters.count'],
        filters: [
          {
            or: [
              { member: 'encounters.count', operator: 'gt', values: ['1'] },
              { member: 'encounters.encounterclass', operator: 'equals', values: ['x'] },
            ],
          },
        ],
      },
    ]) {
      let err: unknown;
      try {
        layer.sql(q, admin);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, 'QUERY_INVALID'), JSON.stringify(q)).toBe(true);
    }
    expect(() => layer.sql({ measures: ['encounters.nope'] }, admin)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MEMBER' }),
    );
  });

  it('drops an order entry for a member not in the query, as Cube does (its orderBy rejects it)', () => {
    const q = { dimensions: ['encounters.encounterclass'] };
    const none = layer.sql({ ...q, order: {} }, admin).sql;
    const stale = layer.sql({ ...q, order: { 'encounters.count': 'desc' } }, admin).sql;
    expect(stale.order).toEqual([]);
    expect(stale.sql[0]).toBe(none.sql[0]);
    const kept = layer.sql(
      {
        ...q,
        order: [
          ['encounters.count', 'desc'],
          ['encounters.encounterclass', 'desc'],
        ],
      },
      admin,
    ).sql;
    expect(kept.order).toEqual([{ id: 'encounters.encounterclass', desc: true }]);
  });
});

// Cube returns a granular time dimension also under its plain name; hand SQL has it once.
function isPlainAlias(key: string, row: Record<string, unknown>, query: Record<string, unknown>): boolean {
  const tds = (query.timeDimensions as Array<{ dimension: string; granularity?: string }>) ?? [];
  return tds.some((t) => t.granularity && t.dimension === key && `${key}.${t.granularity}` in row);
}

function round(v: unknown): unknown {
  return v;
}
