// Regression (issue 13, also found): on the Cube API a 3,000-deep nested filter overflowed the
// stack and answered 500, and invalid queries answered 500 (the error map knew INVALID_QUERY, the
// compiler raises QUERY_INVALID). Against a real `analyst serve`, both are 400 in Cube's
// {"error": "..."} shape, on load and sql, and the server answers the next query.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, type LiveServer, postJson, startServer, syntheaWorkspace } from './testing/live-server.ts';

let root = '';
let server: LiveServer;
let token = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cube-errors-'));
  const ws = await syntheaWorkspace(join(root, 'ws'));
  server = await startServer(ws);
  token = await devToken(ws, 'analyst');
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

const leaf = { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] };
/** A query whose filter nests `depth` levels of `or`, as JSON text (JSON.stringify itself overflows). */
function nestedJson(depth: number): string {
  const one = JSON.stringify(leaf);
  let f = one;
  for (let i = 1; i < depth; i++) f = `{"or":[${f}]}`;
  return `{"measures":["encounters.count"],"filters":[${f}]}`;
}

async function postRaw(endpoint: string, body: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/cubejs-api/v1/${endpoint}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function expectCubeError(res: { status: number; body: unknown }, pattern: RegExp): Promise<void> {
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
  const body = res.body as { error?: unknown; code?: unknown };
  expect(typeof body.error).toBe('string');
  expect(body.error as string).toMatch(pattern);
  expect(body.code).toBe('QUERY_INVALID');
}

describe('Cube API errors', () => {
  it('a 3,000-deep nested filter is a 400 with a clear message, on load and sql', async () => {
    for (const endpoint of ['load', 'sql']) {
      const res = await postRaw(endpoint, `{"query":${nestedJson(3_000)}}`);
      await expectCubeError(res, /filters nest more than 32 levels/);
    }
    // Over GET too (a depth that fits in a URL).
    const get = await fetch(`${server.url}/cubejs-api/v1/load?query=${encodeURIComponent(nestedJson(40))}`, {
      headers: { Authorization: token },
    });
    await expectCubeError({ status: get.status, body: await get.json() }, /nest more than/);
    // A nesting within the bound still runs.
    const ok = await postRaw('load', `{"query":${nestedJson(20)}}`);
    expect(ok.status).toBe(200);
  }, 60_000);

  it('an invalid query is a 400 in Cube’s shape, on load and sql, and the server answers the next one', async () => {
    for (const endpoint of ['load', 'sql']) {
      for (const query of [
        {
          measures: ['encounters.count'],
          filters: [{ member: 'encounters.encounterclass', operator: 'nope' }],
        },
        { measures: ['encounters.count'], limit: -1 },
        { measures: ['encounters.count'], order: { 'patients.count': 'sideways' } },
      ]) {
        const res = await postJson(`${server.url}/cubejs-api/v1/${endpoint}`, token, { query });
        await expectCubeError(res, /not valid|operator|order/i);
      }
    }
    const next = await postJson(`${server.url}/cubejs-api/v1/load`, token, {
      query: { measures: ['encounters.count'] },
    });
    expect(next.status).toBe(200);
    expect((next.body as { data: unknown[] }).data).toHaveLength(1);
  }, 60_000);

  it('dry-run answers the normalized query without running it, and an invalid one is a 400', async () => {
    const query = {
      measures: ['encounters.count'],
      dimensions: ['encounters.encounterclass'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: 'from 2015-01-01 to 2016-12-31' },
      ],
    };
    const res = await postJson(`${server.url}/cubejs-api/v1/dry-run`, token, { query });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    const body = res.body as { queryType: string; normalizedQueries: Array<Record<string, unknown>> };
    expect(body.queryType).toBe('regularQuery');
    expect(body.normalizedQueries[0]?.measures).toEqual(['encounters.count']);
    expect(
      (body.normalizedQueries[0]?.timeDimensions as Array<{ dateRange: unknown }> | undefined)?.[0]
        ?.dateRange,
    ).toEqual(['2015-01-01T00:00:00.000', '2016-12-31T23:59:59.999']);
    const bad = await postJson(`${server.url}/cubejs-api/v1/dry-run`, token, {
      query: { measures: ['encounters.count'], limit: -1 },
    });
    await expectCubeError(bad, /not valid/);
  }, 60_000);
});
