// Dashboards for signed-in users through the real app: filters reach the tile's query, CSV is
// audited as an export, only editors change dashboards, broken files are reported, not fatal.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteFixture, routeFixture } from '../testing/route-services.ts';

let f: RouteFixture;
let analyst: string;
let clinician: string;

beforeAll(async () => {
  f = await routeFixture();
  analyst = await f.devToken({ id: 'ana', roles: ['analyst'] });
  clinician = await f.devToken({ id: 'cli', roles: ['clinician'], attributes: { organization_id: 'org-9' } });
});
afterAll(() => f.remove());

const call = (token: string, method: string, path: string, body?: unknown) =>
  f.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('dashboard routes', () => {
  it('lists dashboards and reports a broken file without failing the list', async () => {
    writeFileSync(join(f.dir, 'dashboards', 'broken.yaml'), 'title: B\ntiles:\n  - id: x\n    query: {}\n');
    const list = (await (await call(analyst, 'GET', '/v1/dashboards')).json()) as {
      dashboards: Array<{ id: string; problem?: string }>;
    };
    expect(list.dashboards.map((d) => d.id)).toEqual(['broken', 'ops', 'other']);
    expect(list.dashboards[0]?.problem).toMatch(/tiles\.0\.title/);
    const res = await call(analyst, 'GET', '/v1/dashboards/broken');
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ error: { code: 'DASHBOARD_INVALID' } });
    expect((await call(analyst, 'GET', '/v1/dashboards/..%2Fanalyst')).status).toBe(404);
    expect((await f.app.request('/v1/dashboards')).status).toBe(401);
  });

  it('runs a tile with the dashboard’s filters applied, as the caller', async () => {
    const res = await call(clinician, 'POST', '/v1/dashboards/ops/tiles/visits/data', {
      filters: { period: ['2020-01-01', '2020-12-31'], payer: 'Medicare' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { spec: { mark: { type: string } }; applied: string[] };
    expect(body.spec.mark.type).toBe('bar');
    expect(body.applied).toEqual(['period', 'payer']);
    expect(f.queries.at(-1)).toMatchObject({
      query: {
        measures: ['encounters.count'],
        dimensions: ['encounters.encounterclass'],
        timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2020-01-01', '2020-12-31'] }],
        filters: [{ member: 'payers.name', operator: 'equals', values: ['Medicare'] }],
      },
      ctx: { userId: 'cli', attributes: { organization_id: 'org-9' } },
    });
    const bad = await call(clinician, 'POST', '/v1/dashboards/ops/tiles/visits/data', {
      filters: { nope: 'x' },
    });
    expect(bad.status).toBe(400);
  });

  it('audits CSV downloads as exports and drills only into the tile’s own dimensions', async () => {
    const csv = await call(analyst, 'POST', '/v1/dashboards/ops/tiles/visits/csv', { filters: {} });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('Content-Disposition')).toBe('attachment; filename="ops-visits.csv"');
    expect((await csv.text()).split('\r\n')[0]).toBe('encounters.encounterclass,encounters.count');
    expect(f.audits.at(-1)).toMatchObject({
      type: 'export',
      identity: { userId: 'ana' },
      detail: { format: 'csv', rowsReturned: 1, action: 'csv tile' },
    });
    const drill = await call(analyst, 'POST', '/v1/dashboards/ops/tiles/visits/drill', {
      filters: {},
      point: { 'encounters.encounterclass': 'inpatient' },
    });
    expect(drill.status).toBe(200);
    expect(f.queries.at(-1)?.query).toMatchObject({
      dimensions: ['encounters.id', 'encounters.patient'],
      ungrouped: true,
      filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] }],
    });
    expect(
      (await call(analyst, 'POST', '/v1/dashboards/ops/tiles/total/drill', { filters: {} })).status,
    ).toBe(400);
  });

  it('lets analysts and admins add a chat answer as a tile, keeping the file’s comments', async () => {
    const tile = {
      title: 'Patients by gender',
      query: { measures: ['patients.count'], dimensions: ['patients.gender'] },
      chart: 'bar',
    };
    expect((await call(clinician, 'POST', '/v1/dashboards/ops/tiles', tile)).status).toBe(403);
    // The role is checked before the body is read: a viewer learns nothing about its shape.
    expect((await call(clinician, 'POST', '/v1/dashboards/ops/tiles', { nonsense: 1 })).status).toBe(403);
    expect((await call(analyst, 'POST', '/v1/dashboards/ops/tiles', { nonsense: 1 })).status).toBe(400);
    const added = await call(analyst, 'POST', '/v1/dashboards/ops/tiles', tile);
    expect(added.status).toBe(201);
    expect((await added.json()) as object).toMatchObject({
      id: 'patients-by-gender',
      position: { x: 0, y: 4, w: 6, h: 4 },
    });
    const file = readFileSync(join(f.dir, 'dashboards', 'ops.yaml'), 'utf8');
    expect(file.startsWith('# A test dashboard.')).toBe(true);
    expect(file).toContain('patients.gender');
    expect(f.audits.at(-1)).toMatchObject({
      type: 'config',
      detail: { action: 'add tile patients-by-gender to dashboard ops' },
    });
    const again = (await (await call(analyst, 'POST', '/v1/dashboards/ops/tiles', tile)).json()) as {
      id: string;
    };
    expect(again.id).toBe('patients-by-gender-2');
    const bad = await call(analyst, 'POST', '/v1/dashboards/ops/tiles', {
      ...tile,
      query: { measures: 'x' },
    });
    expect(bad.status).toBe(400);

    const created = await call(analyst, 'POST', '/v1/dashboards', { title: 'Team metrics' });
    expect(created.status).toBe(201);
    expect((await created.json()) as object).toMatchObject({ id: 'team-metrics', tiles: [] });
    expect((await call(analyst, 'POST', '/v1/dashboards', { title: 'Team metrics' })).status).toBe(409);
  });

  it('offers a select filter’s values under the caller’s policies', async () => {
    const res = await call(clinician, 'GET', '/v1/dashboards/ops/filters/payer/options');
    expect((await res.json()) as object).toEqual({ values: ['payers.name:cli|org-9'] });
    expect((await call(clinician, 'GET', '/v1/dashboards/ops/filters/period/options')).status).toBe(400);
  });
});
