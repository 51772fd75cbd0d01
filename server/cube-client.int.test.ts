// `@cubejs-client/core`, unchanged, against a running `analyst serve`: it sends the token bare in
// Authorization; loads match hand-written SQL over the lake (as admin); meta follows the caller's
// policies; row-level policies apply to what a scoped user loads.
import { mkdtemp, rm } from 'node:fs/promises';
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
  server = await startServer(ws);
  apiUrl = `${server.url}/cubejs-api/v1`;
  await Promise.all(
    ['admin', 'analyst', 'clinician'].map(async (u) => {
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
