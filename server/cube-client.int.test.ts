// `@cubejs-client/core`, unchanged, against a running `analyst serve`: it sends the token bare in
// Authorization; loads match hand-written SQL over the lake (as admin); meta follows the caller's
// policies; row-level policies apply to what a scoped user loads.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cube from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, type LiveServer, postJson, startServer, syntheaWorkspace } from './testing/live-server.ts';

let root = '';
let server: LiveServer;
let apiUrl = '';
const tokens: Record<string, string> = {};

async function sqlAsAdmin(sql: string): Promise<unknown[][]> {
  const r = await postJson(`${server.url}/v1/sql`, tokens.admin as string, { sql });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body as { rows: unknown[][] }).rows;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cube-client-'));
  const ws = await syntheaWorkspace(join(root, 'ws'));
  // A researcher (small-cell suppression) beside the default dev users.
  await appendFile(
    join(ws, 'users.yaml'),
    '  - { id: researcher, name: Researcher, roles: [researcher], attributes: {} }\n',
  );
  server = await startServer(ws);
  apiUrl = `${server.url}/cubejs-api/v1`;
  await Promise.all(
    ['admin', 'analyst', 'clinician', 'researcher'].map(async (u) => {
      tokens[u] = await devToken(ws, u);
    }),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('@cubejs-client/core against analyst serve', () => {
  it('loads measures by a dimension with the numbers hand-written SQL gives', async () => {
    const api = cube(tokens.analyst as string, { apiUrl });
    const rs = await api.load({
      measures: ['encounters.count', 'encounters.total_total_claim_cost'],
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.encounterclass': 'asc' },
    });
    const got = rs
      .tablePivot()
      .map((r) => [
        r['encounters.encounterclass'],
        Number(r['encounters.count']),
        Number(r['encounters.total_total_claim_cost']),
      ]);
    const want = (
      await sqlAsAdmin(
        'SELECT encounterclass, count(*), sum(total_claim_cost) FROM encounters GROUP BY 1 ORDER BY 1',
      )
    ).map((r) => [r[0], Number(r[1]), Number(r[2])]);
    expect(got.length).toBeGreaterThan(3);
    expect(got.map((r) => r.slice(0, 2))).toEqual(want.map((r) => r.slice(0, 2)));
    for (const [i, r] of got.entries()) expect(r[2]).toBeCloseTo(want[i]?.[2] as number, 2);
  });

  it('loads a time series with a date range and a filter, matching SQL', async () => {
    const api = cube(tokens.analyst as string, { apiUrl });
    const rs = await api.load({
      measures: ['encounters.count'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2015-01-01', '2019-12-31'] },
      ],
      filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: ['ambulatory'] }],
    });
    const got = rs
      .tablePivot()
      .map((r) => [String(r['encounters.start.year']).slice(0, 4), Number(r['encounters.count'])]);
    const want = (
      await sqlAsAdmin(
        `SELECT strftime(date_trunc('year', start), '%Y'), count(*) FROM encounters
         WHERE encounterclass = 'ambulatory' AND start >= TIMESTAMP '2015-01-01' AND start < TIMESTAMP '2020-01-01'
         GROUP BY 1 ORDER BY 1`,
      )
    ).map((r) => [r[0], Number(r[1])]);
    expect(want.length).toBe(5);
    expect(got.sort()).toEqual(want);
  });

  it('meta lists the cubes the caller may see, with their members', async () => {
    const meta = await cube(tokens.analyst as string, { apiUrl }).meta();
    const names = meta.cubes.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['patients', 'encounters', 'payers']));
    const encounters = meta.cubes.find((c) => c.name === 'encounters');
    expect(encounters?.measures.map((m) => m.name)).toContain('encounters.count');
    expect(encounters?.dimensions.map((d) => d.name)).toContain('encounters.encounterclass');
    expect(meta.resolveMember('encounters.count', 'measures')).toMatchObject({ title: expect.any(String) });
  });

  it('takes the token bare (as the client sends it) and with Bearer; refuses a missing or forged one', async () => {
    const query = { measures: ['patients.count'] };
    const bare = await cube(tokens.analyst as string, { apiUrl }).load(query);
    expect(bare.tablePivot()[0]?.['patients.count']).toBe(110);
    const bearer = await cube(`Bearer ${tokens.analyst}`, { apiUrl }).load(query);
    expect(bearer.tablePivot()).toEqual(bare.tablePivot());
    const noToken = await fetch(`${apiUrl}/load?query=${encodeURIComponent(JSON.stringify(query))}`);
    expect(noToken.status).toBe(401);
    const forged = `${(tokens.analyst as string).slice(0, -4)}AAAA`;
    await expect(cube(forged, { apiUrl }).load(query)).rejects.toThrow();
  });

  it("applies the caller's row-level policy: the clinician sees one organization's encounters", async () => {
    const query = { measures: ['encounters.count'] };
    const all = (await cube(tokens.analyst as string, { apiUrl }).load(query)).tablePivot()[0];
    const scoped = (await cube(tokens.clinician as string, { apiUrl }).load(query)).tablePivot()[0];
    const [[busiest]] = (await sqlAsAdmin(
      'SELECT count(*) FROM encounters GROUP BY organization ORDER BY 1 DESC LIMIT 1',
    )) as [[unknown]];
    expect(Number(scoped?.['encounters.count'])).toBe(Number(busiest));
    expect(Number(scoped?.['encounters.count'])).toBeLessThan(Number(all?.['encounters.count']));
  });
});

describe('compareDateRange and errors in Cube’s shapes', () => {
  it('compares encounters in 2020 and 2021: one result per range, decompose() gives each', async () => {
    const api = cube(tokens.analyst as string, { apiUrl });
    const rs = await api.load({
      measures: ['encounters.count'],
      timeDimensions: [
        {
          dimension: 'encounters.start',
          granularity: 'year',
          compareDateRange: [
            ['2020-01-01', '2020-12-31'],
            ['2021-01-01', '2021-12-31'],
          ],
        },
      ],
    });
    const parts = rs.decompose();
    expect(parts).toHaveLength(2);
    const counts = parts.map((p) => p.tablePivot().map((r) => Number(r['encounters.count'])));
    const want = (
      await sqlAsAdmin(
        `SELECT year(start), count(*) FROM encounters WHERE year(start) IN (2020, 2021) GROUP BY 1 ORDER BY 1`,
      )
    ).map((r) => Number(r[1]));
    expect(want).toHaveLength(2);
    expect(counts).toEqual([[want[0]], [want[1]]]);
    // The pivot puts the ranges side by side, as with Cube.
    const series = rs.series();
    expect(series).toHaveLength(2);
    expect(series.map((s) => s.series.reduce((n, p) => n + Number(p.value), 0))).toEqual(want);
  });

  it('a bad member is a 4xx with {"error": "..."} (the client rejects with its message)', async () => {
    const api = cube(tokens.analyst as string, { apiUrl });
    await expect(api.load({ measures: ['encounters.nope'] })).rejects.toThrow(/encounters\.nope/);
    const res = await fetch(
      `${apiUrl}/load?query=${encodeURIComponent(JSON.stringify({ measures: ['encounters.nope'] }))}`,
      { headers: { Authorization: tokens.analyst as string } },
    );
    expect(res.status).toBe(400);
    expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
  });

  it('every query shape Cube documents gets 200 or 400, never a 500', async () => {
    const td = 'encounters.start';
    const shapes: unknown[] = [
      { measures: ['encounters.count'] },
      { dimensions: ['encounters.encounterclass'] },
      { measures: ['encounters.count'], dimensions: ['encounters.encounterclass', 'patients.gender'] },
      ...['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'fortnight'].map((g) => ({
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: td, granularity: g, dateRange: ['2020-01-01', '2020-01-02'] }],
      })),
      ...[
        'today',
        'yesterday',
        'this week',
        'last month',
        'last 7 days',
        'last year',
        'from 7 days ago to now',
        'last 2 quarters',
        'next year',
        'nonsense',
      ].map((r) => ({ measures: ['encounters.count'], timeDimensions: [{ dimension: td, dateRange: r }] })),
      ...[
        ['equals', ['ambulatory']],
        ['notEquals', ['ambulatory']],
        ['contains', ['amb']],
        ['notContains', ['amb']],
        ['startsWith', ['amb']],
        ['notStartsWith', ['amb']],
        ['endsWith', ['ory']],
        ['notEndsWith', ['ory']],
        ['set', undefined],
        ['notSet', undefined],
        ['gt', ['1']],
        ['lt', ['1']],
        ['equals', []],
        ['between', ['1', '2']],
      ].map(([operator, values]) => ({
        measures: ['encounters.count'],
        filters: [{ member: 'encounters.encounterclass', operator, ...(values ? { values } : {}) }],
      })),
      ...[
        ['gt', ['100']],
        ['gte', ['100']],
        ['lt', ['100']],
        ['lte', ['100']],
        ['equals', ['100']],
        ['inDateRange', ['2020-01-01', '2020-12-31']],
      ].map(([operator, values]) => ({
        measures: ['encounters.count'],
        dimensions: ['encounters.encounterclass'],
        filters: [{ member: 'encounters.count', operator, values }],
      })),
      ...[
        ['inDateRange', ['2020-01-01', '2020-12-31']],
        ['notInDateRange', ['2020-01-01', '2020-12-31']],
        ['beforeDate', ['2020-01-01']],
        ['beforeOrOnDate', ['2020-01-01']],
        ['afterDate', ['2020-01-01']],
        ['afterOrOnDate', ['2020-01-01']],
        ['inDateRange', ['last year']],
        ['beforeDate', ['not a date']],
      ].map(([operator, values]) => ({
        measures: ['encounters.count'],
        filters: [{ member: td, operator, values }],
      })),
      {
        measures: ['encounters.count'],
        filters: [{ dimension: 'encounters.encounterclass', operator: 'equals', values: ['x'] }],
      },
      {
        measures: ['encounters.count'],
        filters: [
          {
            or: [
              { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] },
              { and: [{ member: 'patients.gender', operator: 'equals', values: ['F'] }] },
            ],
          },
        ],
      },
      {
        measures: ['encounters.count'],
        filters: [
          {
            or: [
              { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] },
              { member: 'encounters.count', operator: 'gt', values: ['1'] },
            ],
          },
        ],
      },
      { measures: ['encounters.count'], segments: ['encounters.inpatient'] },
      { measures: ['encounters.count'], segments: ['encounters.nope'] },
      {
        measures: ['encounters.count'],
        dimensions: ['encounters.encounterclass'],
        order: { 'encounters.count': 'desc' },
      },
      {
        measures: ['encounters.count'],
        dimensions: ['encounters.encounterclass'],
        order: [['encounters.encounterclass', 'asc']],
      },
      { measures: ['encounters.count'], order: { 'patients.gender': 'asc' } },
      {
        measures: ['encounters.count'],
        dimensions: ['encounters.encounterclass'],
        limit: 2,
        offset: 1,
        total: true,
      },
      { measures: ['encounters.count'], limit: 1_000_000 },
      { measures: ['encounters.count'], rowLimit: 5 },
      {
        dimensions: ['encounters.id'],
        measures: ['encounters.total_total_claim_cost'],
        ungrouped: true,
        limit: 3,
      },
      {
        measures: ['encounters.count'],
        timezone: 'America/New_York',
        timeDimensions: [{ dimension: td, granularity: 'day', dateRange: 'last week' }],
      },
      { measures: ['encounters.count'], timezone: 'Not/AZone' },
      { measures: ['encounters.count'], renewQuery: true },
      { measures: ['encounters.count'], responseFormat: 'compact' },
      { measures: ['encounters.count'], joinHints: [['encounters', 'patients']] },
      {
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: td, compareDateRange: ['last year', 'this year'] }],
      },
      { measures: ['encounters.count'], timeDimensions: [{ dimension: td, compareDateRange: [] }] },
      {
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: td, dateRange: 'last year', compareDateRange: ['last year'] }],
      },
      [{ measures: ['encounters.count'] }, { measures: ['patients.count'] }],
      { measures: ['encounters.nope'] },
      { measures: ['encounters.encounterclass'] },
      { dimensions: ['encounters.count'] },
      { measures: ['nope'] },
      { measures: 'encounters.count' },
      {},
      { timeDimensions: [{ dimension: 'encounters.encounterclass', granularity: 'day' }] },
    ];
    const statuses: number[] = [];
    // Each shape once (the rate limit is per user), half of them as the client sends them (multi).
    for (const [i, q] of shapes.entries()) {
      for (const multi of [i % 2 === 1]) {
        const res = await fetch(
          `${apiUrl}/load?query=${encodeURIComponent(JSON.stringify(q))}${multi ? '&queryType=multi' : ''}`,
          { headers: { Authorization: tokens.analyst as string } },
        );
        const body = (await res.json()) as { error?: unknown };
        expect([200, 400], `${JSON.stringify(q)} multi=${multi}: ${JSON.stringify(body)}`).toContain(
          res.status,
        );
        if (res.status === 400) expect(typeof body.error).toBe('string');
        statuses.push(res.status);
      }
    }
    // Both answers occur: the shapes are not all refused (or all accepted) for one reason.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(30);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThan(10);
  }, 120_000);
});

describe('small-cell suppression for the researcher role', () => {
  it('the Cube client gets small cells as null with suppressed: true; the analyst gets exact counts', async () => {
    const query = {
      measures: ['patients.count'],
      dimensions: ['patients.race'],
      order: { 'patients.race': 'asc' as const },
    };
    const exact = (await sqlAsAdmin('SELECT race, count(*) FROM patients GROUP BY 1 ORDER BY 1')).map(
      (r) => [r[0], Number(r[1])] as [unknown, number],
    );
    expect(exact.some(([, n]) => n < 11)).toBe(true);
    const rs = await cube(tokens.researcher as string, { apiUrl }).load(query);
    const rows = rs.rawData();
    expect(rows.map((r) => r['patients.race'])).toEqual(exact.map(([race]) => race));
    for (const [race, n] of exact) {
      const row = rows.find((r) => r['patients.race'] === race)!;
      if (n < 11) expect(row).toMatchObject({ 'patients.count': null, suppressed: true });
      else if (row.suppressed !== true) expect(Number(row['patients.count'])).toBe(n);
    }
    expect(rows.filter((r) => r.suppressed === true).length).toBeGreaterThanOrEqual(2);
    const plain = await cube(tokens.analyst as string, { apiUrl }).load(query);
    expect(plain.rawData().map((r) => [r['patients.race'], Number(r['patients.count'])])).toEqual(exact);
  });

  it('refuses the researcher ungrouped rows and governed SQL (403), not a 500', async () => {
    const res = await fetch(
      `${apiUrl}/load?query=${encodeURIComponent(JSON.stringify({ dimensions: ['patients.id'], measures: ['patients.count'], ungrouped: true }))}`,
      { headers: { Authorization: tokens.researcher as string } },
    );
    expect(res.status).toBe(403);
    expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
    const sql = await postJson(`${server.url}/v1/sql`, tokens.researcher as string, {
      sql: 'SELECT count(*) FROM patients',
    });
    expect(sql.status).toBe(403);
  });
});
