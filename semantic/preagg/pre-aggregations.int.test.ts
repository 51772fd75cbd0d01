// Pre-aggregations (rollups) of the bundled Synthea model on a real DuckLake lake of the fixture:
// the same answers with and without them for several query shapes and every role; used only when
// exact (policies, grains, filters); refreshed by partition after a write; never visible to the
// governed SQL gate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate } from '../../gate/index.ts';
import { SemanticLayer } from '../layer/semantic-layer.ts';
import type { SecurityContext } from '../security-context.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';

let fx: FixtureLake;
let layer: SemanticLayer;
let raw: SemanticLayer;
let org: string;
let payer: string;

const ctx = (role: string) => contextFor(role, role === 'clinician' ? { organization_id: org } : {});
const ROLES = ['admin', 'analyst', 'clinician', 'limited_data_set', 'researcher'];

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, {
    only: ['encounters', 'patients', 'organizations', 'payers', 'providers', 'conditions'],
  });
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
  const built = await layer.refreshPreAggregations({ force: true });
  expect(built.filter((b) => b.action === 'built').length).toBe(6);
  raw = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake, preAggregations: false });
  org = String(
    (await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1'))
      .rows[0]?.[0],
  );
  payer = String(
    (
      await fx.lake.query(
        'SELECT p.name FROM encounters e JOIN payers p ON p.id = e.payer GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1',
      )
    ).rows[0]?.[0],
  );
}, 180_000);
afterAll(async () => {
  await fx?.close();
});

/** Numbers to 9 significant digits: sums of DOUBLE columns differ in the last bits by order. */
function norm(v: unknown): unknown {
  if (typeof v === 'number') return v === 0 ? 0 : Number(v.toPrecision(9));
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, norm(x)]));
  return v;
}
/** The answer (or the refusal) with and without rollups, and the rollups that served it. */
async function both(query: Record<string, unknown>, c: SecurityContext) {
  const run = (l: SemanticLayer) =>
    l.load(query, c).then(
      (r) => ({ data: norm(r.data) as unknown[], used: Object.keys(r.usedPreAggregations ?? {}) }),
      (e: { code?: string; message?: string }) => ({ data: [`refused ${e.code}: ${e.message}`], used: [] }),
    );
  const [a, b] = await Promise.all([run(layer), run(raw)]);
  return { withRollups: tiesInOneOrder(a.data, query), without: tiesInOneOrder(b.data, query), used: a.used };
}

/**
 * Rows whose ordered members are equal (suppressed cells are all null) may come in either order
 * from two plans: put each run of such rows in one order, keeping the order between runs.
 */
function tiesInOneOrder(rows: unknown[], query: Record<string, unknown>): unknown[] {
  const keys = Object.keys((query.order as Record<string, string> | undefined) ?? {});
  if (!keys.length) return rows;
  const keyOf = (r: unknown) => JSON.stringify(keys.map((k) => (r as Record<string, unknown>)[k] ?? null));
  const out: unknown[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && keyOf(rows[j]) === keyOf(rows[i])) j++;
    out.push(...rows.slice(i, j).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))));
    i = j;
  }
  return out;
}

const QUERIES: Array<Record<string, unknown>> = [
  {
    measures: ['encounters.count'],
    dimensions: ['encounters.encounterclass'],
    order: { 'encounters.count': 'desc' },
  },
  {
    measures: ['encounters.total_total_claim_cost', 'encounters.avg_total_claim_cost'],
    timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
    order: { 'encounters.start': 'asc' },
  },
  { measures: ['encounters.payer_coverage_ratio', 'encounters.distinct_patients'] },
  {
    measures: ['encounters.count', 'encounters.distinct_patients', 'encounters.avg_total_claim_cost'],
    dimensions: ['payers.name'],
    order: { 'encounters.count': 'desc' },
  },
  {
    measures: ['encounters.count', 'encounters.total_payer_coverage'],
    timeDimensions: [
      { dimension: 'encounters.start', granularity: 'month', dateRange: ['2015-03-01', '2019-08-31'] },
    ],
    filters: [
      { member: 'encounters.encounterclass', operator: 'equals', values: ['ambulatory', 'wellness'] },
    ],
    order: { 'encounters.start': 'asc' },
  },
  {
    measures: ['encounters.count'],
    dimensions: ['organizations.name'],
    timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2012-01-01', '2020-12-31'] }],
    order: { 'organizations.name': 'asc' },
  },
  {
    measures: ['conditions.count'],
    dimensions: ['conditions.description'],
    order: { 'conditions.count': 'desc', 'conditions.description': 'asc' },
    limit: 10,
  },
  {
    measures: ['conditions.count'],
    dimensions: ['conditions.description'],
    timeDimensions: [{ dimension: 'conditions.start', dateRange: ['2010-01-01', '2019-12-31'] }],
    order: { 'conditions.count': 'desc', 'conditions.description': 'asc' },
    limit: 10,
  },
];

describe('same answers with and without rollups', () => {
  it('for every query shape and every role', async () => {
    let served = 0;
    for (const role of ROLES)
      for (const q of QUERIES) {
        const r = await both(q, ctx(role));
        expect(r.withRollups, `${role} ${JSON.stringify(q)}`).toEqual(r.without);
        expect(Array.isArray(r.withRollups) && r.withRollups.length > 0, `${role} ${JSON.stringify(q)}`).toBe(
          true,
        );
        if (r.used.length) served++;
      }
    // Most shapes are served from a rollup for the roles that allow it.
    expect(served).toBeGreaterThanOrEqual(20);
  });

  it('with the dashboard filters (payer, organization), for the payer filter a role may not see', async () => {
    const q = {
      measures: ['encounters.total_total_claim_cost'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2010-01-01', '2022-12-31'] },
      ],
      filters: [{ member: 'payers.name', operator: 'equals', values: [payer] }],
    };
    for (const role of ['admin', 'analyst', 'clinician']) {
      const r = await both(q, ctx(role));
      expect(r.withRollups).toEqual(r.without);
      expect(r.used).toEqual(['encounters.by_day']);
    }
  });
});

describe('a rollup is used only when exact', () => {
  const used = (q: Record<string, unknown>, role = 'admin') => layer.compile(q, ctx(role)).compiled.rollups;
  const byClass = { measures: ['encounters.count'], dimensions: ['encounters.encounterclass'] };

  it('the coarsest rollup that holds the query, named in the answer and its SQL', async () => {
    expect(used(byClass)).toEqual(['encounters.by_year_class']);
    const res = await layer.load(byClass, ctx('admin'));
    expect(Object.keys(res.usedPreAggregations ?? {})).toEqual(['encounters.by_year_class']);
    const [sql] = layer.sql(byClass, ctx('admin')).sql.sql;
    expect(sql).toContain('pre-aggregations: encounters.by_year_class');
    expect(sql).toContain('"_preagg"."encounters__by_year_class"');
  });

  it('read from in-memory copies of the rollups as of the latest snapshot; each role’s policy still applies', async () => {
    const q = {
      measures: ['encounters.count'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
    };
    const [admin, clinician] = await Promise.all([
      layer.load(q, ctx('admin')),
      layer.load(q, ctx('clinician')),
    ]);
    const held = fx.lake.heldCopies();
    expect(held.snapshot).toBe(await fx.lake.currentSnapshot());
    expect(held.tables.map((t) => t.table)).toEqual(
      expect.arrayContaining(['_preagg.encounters__by_year_class', '_preagg.encounters__by_day']),
    );
    // The clinician reads the same copy of by_day under their organization's filter.
    const sum = (r: { data: Array<Record<string, unknown>> }) =>
      r.data.reduce((n, row) => n + Number(row['encounters.count']), 0);
    expect(sum(clinician)).toBeLessThan(sum(admin));
    const [rawAdmin, rawClinician] = await Promise.all([
      raw.load(q, ctx('admin')),
      raw.load(q, ctx('clinician')),
    ]);
    expect(norm(admin.data)).toEqual(norm(rawAdmin.data));
    expect(norm(clinician.data)).toEqual(norm(rawClinician.data));
  });

  it("a role's row filter must be on a dimension the rollup holds", () => {
    // The clinician's policy filters on organization: only by_day holds it.
    expect(used(byClass, 'clinician')).toEqual(['encounters.by_day']);
    const [sql] = layer.sql(byClass, ctx('clinician')).sql.sql;
    expect(sql).toMatch(/"_preagg"\."encounters__by_day" AS "encounters" WHERE/);
    // Distinct patients by payer: by_payer holds them at that grain, but not the organization.
    expect(
      used({ measures: ['encounters.distinct_patients'], dimensions: ['payers.name'] }, 'admin'),
    ).toEqual(['encounters.by_payer']);
    expect(
      used({ measures: ['encounters.distinct_patients'], dimensions: ['payers.name'] }, 'clinician'),
    ).toEqual([]);
  });

  it('not for small-cell suppression without a person key, segments, other zones or finer grains', async () => {
    expect(used(byClass, 'researcher')).toEqual(['encounters.by_year_class']);
    // ...as compiled without suppression; what runs for the researcher counts persons per cell.
    expect((await layer.load(byClass, ctx('researcher'))).usedPreAggregations).toBeUndefined();
    expect(used({ ...byClass, segments: ['encounters.inpatient'] })).toEqual([]);
    expect(used({ ...byClass, timezone: 'America/New_York' })).toEqual([]);
    expect(
      used({
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: 'encounters.start', granularity: 'hour' }],
      }),
    ).toEqual([]);
  });

  it('distinct counts only at the grain they were counted at', () => {
    expect(used({ measures: ['encounters.distinct_patients'] })).toEqual(['encounters.totals']);
    expect(
      used({
        measures: ['encounters.distinct_patients'],
        timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
      }),
    ).toEqual([]);
    expect(
      used({ measures: ['encounters.distinct_patients'], dimensions: ['encounters.encounterclass'] }),
    ).toEqual([]);
  });

  it('filters only on rollup dimensions, and times only on whole buckets', () => {
    expect(
      used({
        ...byClass,
        filters: [{ member: 'encounters.description', operator: 'equals', values: ['x'] }],
      }),
    ).toEqual([]);
    expect(
      used({
        ...byClass,
        filters: [{ member: 'encounters.start', operator: 'afterDate', values: ['2015-06-01T12:00:00'] }],
      }),
    ).toEqual([]);
    expect(
      used({
        ...byClass,
        filters: [{ member: 'encounters.start', operator: 'afterDate', values: ['2015-06-01'] }],
      }),
    ).toEqual(['encounters.by_day']);
  });
});

describe('compiled queries are kept per caller', () => {
  const q = {
    measures: ['encounters.count'],
    dimensions: ['encounters.encounterclass'],
    order: { 'encounters.encounterclass': 'asc' },
  };

  it('shared only by identical contexts: another role or another organization compiles its own', async () => {
    const other = String(
      (await fx.lake.query('SELECT organization FROM encounters WHERE organization <> $1 LIMIT 1', [org]))
        .rows[0]?.[0],
    );
    const a = layer.compile(q, ctx('clinician'));
    expect(layer.compile(q, ctx('clinician'))).toBe(a);
    const b = layer.compile(q, contextFor('clinician', { organization_id: other }));
    const analyst = layer.compile(q, ctx('analyst'));
    expect(b).not.toBe(a);
    expect(b.compiled.params).toContain(other);
    expect(a.compiled.params).toContain(org);
    expect(analyst.compiled.sql).not.toBe(a.compiled.sql);
    // Each answer is its own organization's, as without rollups or the cache.
    for (const c of [ctx('clinician'), contextFor('clinician', { organization_id: other }), ctx('analyst')]) {
      const [x, y] = await Promise.all([layer.load(q, c), raw.load(q, c)]);
      expect(norm(x.data)).toEqual(norm(y.data));
    }
  });

  it('not for date ranges (they may be relative to now); a refresh of the rollups clears them', async () => {
    let now = new Date('2020-06-15T12:00:00Z');
    const own = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake, now: () => now });
    const lastYear = {
      measures: ['encounters.count'],
      timeDimensions: [{ dimension: 'encounters.start', dateRange: 'last year' }],
    };
    const first = own.compile(lastYear, ctx('admin')).compiled.params;
    now = new Date('2022-06-15T12:00:00Z');
    const second = own.compile(lastYear, ctx('admin')).compiled.params;
    expect(JSON.stringify(first)).toContain('2019-01-01');
    expect(JSON.stringify(second)).toContain('2021-01-01');

    const kept = own.compile(q, ctx('admin'));
    expect(own.compile(q, ctx('admin'))).toBe(kept);
    await own.refreshPreAggregations({ only: ['encounters.totals'] });
    const after = own.compile(q, ctx('admin'));
    expect(after).not.toBe(kept);
    expect(after.compiled.sql).toBe(kept.compiled.sql);
  });
});

describe('refresh after a write', () => {
  it('rewrites only the partitions whose rows changed; a stale rollup is not read meanwhile', async () => {
    // A sync's append: copies of two encounters moved into March and April 2019, in one commit.
    await fx.lake.withTransaction({ author: 'test-sync', message: 'append encounters' }, (tx) =>
      tx.run(
        `INSERT INTO lake.main.encounters SELECT * REPLACE (id || '-copy' AS id,
           CASE WHEN row_number() OVER (ORDER BY id) = 1 THEN TIMESTAMP '2019-03-10 09:00:00' ELSE TIMESTAMP '2019-04-20 10:00:00' END AS start)
         FROM (SELECT * FROM lake.main.encounters ORDER BY id LIMIT 2)`,
      ),
    );
    const q = {
      measures: ['encounters.count'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'month', dateRange: ['2019-01-01', '2019-12-31'] },
      ],
    };
    // A layer loaded after the write (as the server reloads after a sync) reads no stale rollup.
    const after = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
    expect(after.compile(q, ctx('admin')).compiled.rollups).toEqual([]);
    const before = (await after.preAggregations.status()).find((s) => s.id === 'encounters.by_day')!;
    expect(before.current).toBe(false);

    const report = await after.refreshPreAggregations({ afterSync: true, builtOnly: true });
    const byDay = report.find((r) => r.id === 'encounters.by_day')!;
    expect(byDay.action).toBe('refreshed');
    expect(byDay.partitions).toEqual(['2019-03-01T00:00:00', '2019-04-01T00:00:00']);
    // Rollups without partitions are rebuilt; those of other tables are untouched.
    expect(report.find((r) => r.id === 'encounters.by_year_class')!.action).toBe('built');
    expect(report.find((r) => r.id === 'conditions.by_day')!.action).toBe('unchanged');

    const status = (await after.preAggregations.status()).find((s) => s.id === 'encounters.by_day')!;
    expect(status.current).toBe(true);
    const march = status.partitions.find((p) => p.partition === '2019-03-01T00:00:00')!;
    const untouched = status.partitions.find((p) => p.partition === '2019-02-01T00:00:00')!;
    expect(march.refreshedAt >= untouched.refreshedAt).toBe(true);
    expect(status.snapshot).toBeGreaterThan(before.snapshot!);

    const fresh = await SemanticLayer.load({
      modelDir: SYNTHEA_MODEL_DIR,
      lake: fx.lake,
      preAggregations: false,
    });
    expect(after.compile(q, ctx('admin')).compiled.rollups).toEqual(['encounters.by_day']);
    const [a, b] = await Promise.all([after.load(q, ctx('admin')), fresh.load(q, ctx('admin'))]);
    expect(norm(a.data)).toEqual(norm(b.data));
  });
});

describe('the governed SQL gate', () => {
  it('never exposes rollup tables or their bookkeeping to callers', async () => {
    const gate = await Gate.create<SecurityContext>({
      lake: fx.lake,
      relations: (c) => [...layer.governedRelations(c)].map(([name, r]) => ({ name, sql: r.sql })),
    });
    const names = [...layer.governedRelations(ctx('admin')).keys()];
    expect(names.some((n) => /preagg|__/.test(n))).toBe(false);
    for (const sql of [
      'SELECT * FROM _preagg.encounters__by_day',
      'SELECT * FROM lake._preagg.encounters__by_day',
      'SELECT * FROM "_preagg"."__state"',
      'SELECT * FROM encounters__by_day',
      'SELECT count(*) FROM encounters WHERE organization IN (SELECT "encounters.organization" FROM lake._preagg.encounters__by_day)',
      "SELECT * FROM ducklake_table_changes('lake', '_preagg', 'encounters__by_day', 0, 100)",
    ]) {
      await expect(gate.governedSql(sql, ctx('admin')), sql).rejects.toMatchObject({ code: 'SQL_REFUSED' });
      await expect(gate.governedSql(sql, ctx('clinician')), sql).rejects.toMatchObject({
        code: 'SQL_REFUSED',
      });
    }
  });
});
