// Issue 21: every query shape Cube's REST documentation describes, sent through the real
// `@cubejs-client/core` (load, sql, dryRun; meta once) to a real `analyst serve` on loopback. Each
// answers 200 or 400 in Cube's `{"error": "<string>"}` shape, never 500, and the client never throws
// anything but its own RequestError for a 400 — including while it reads the answer (tablePivot,
// chartPivot, series, decompose, sql text, dry-run's normalized queries).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cube, { type CubeApi, RequestError } from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { cubeQueryShapes } from './testing/cube-query-shapes.ts';
import { devToken, type LiveServer, startServer, syntheaWorkspace } from './testing/live-server.ts';

let root = '';
let server: LiveServer;
let api: CubeApi;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cube-shapes-'));
  const ws = await syntheaWorkspace(join(root, 'ws'));
  // Three calls per shape from one user: lift the per-minute request limit for this test only.
  const configFile = join(ws, 'analyst.yaml');
  const config = parse(await readFile(configFile, 'utf8')) as Record<string, Record<string, unknown>>;
  config.server = {
    ...config.server,
    limits: { ...(config.server?.limits ?? {}), requests_per_minute: 5000 },
  };
  await writeFile(configFile, stringify(config));
  server = await startServer(ws);
  api = cube(await devToken(ws, 'analyst'), { apiUrl: `${server.url}/cubejs-api/v1` });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

type Outcome = 'ok' | 'refused';

/** Runs one client call and reads its answer; a 400 RequestError is `refused`, anything else throws. */
async function outcome(name: string, call: () => Promise<void>): Promise<Outcome> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    if (e instanceof RequestError) {
      expect(e.status, `${name}: ${e.message}`).toBe(400);
      expect(typeof (e.response as { error?: unknown }).error, name).toBe('string');
      expect(e.message.length, name).toBeGreaterThan(0);
      return 'refused';
    }
    throw new Error(`${name}: the client threw ${(e as Error).name}: ${(e as Error).message}`);
  }
}

describe('every documented query shape through @cubejs-client/core', () => {
  it('load answers each shape, and the client reads every answer', async () => {
    const got: Record<string, Outcome> = {};
    for (const { name, query } of cubeQueryShapes) {
      got[name] = await outcome(`load ${name}`, async () => {
        const rs = await api.load(query as never);
        rs.tablePivot();
        rs.chartPivot();
        rs.series();
        rs.seriesNames();
        rs.tableColumns();
        rs.totalRow();
        for (const part of rs.decompose()) part.tablePivot();
      });
    }
    // The documented shapes answer; the malformed ones are refused with a reason.
    for (const ok of [
      'measure',
      'granularity in the member name',
      'relative range this year with a granularity',
      'relative range last 12 months with a granularity',
      'relative range from now to 2 weeks from now',
      'compareDateRange relative',
      'order array',
      'order by an unselected member',
      'responseFormat compact',
      'ungrouped',
      'timezone',
      'data blending (an array)',
      'numeric filter values as numbers',
    ])
      expect(got[ok], ok).toBe('ok');
    for (const refused of [
      'unknown measure',
      'a dimension as a measure',
      'empty query',
      'unknown timezone',
      'unknown operator',
      'negative limit',
      'relative range nonsense',
      'measure filter inside or', // as Cube: "You cannot use dimension and measure in same condition"
      'limit over 50,000', // as Cube: its default maximum row limit is 50,000
    ])
      expect(got[refused], refused).toBe('refused');
  }, 300_000);

  it('responseFormat compact comes back as rows the client unpacks, equal to the default format', async () => {
    const query = { measures: ['encounters.count'], dimensions: ['encounters.encounterclass'] };
    const plain = (await api.load(query)).tablePivot();
    const compact = (await api.load({ ...query, responseFormat: 'compact' } as never)).tablePivot();
    expect(plain.length).toBeGreaterThan(2);
    expect(compact).toEqual(plain);
  });

  it('a relative range with a granularity comes back resolved to a pair of dates', async () => {
    const rs = await api.load({
      measures: ['encounters.count'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'month', dateRange: 'last 12 months' }],
    });
    const range = (rs.query().timeDimensions?.[0] as { dateRange?: unknown } | undefined)?.dateRange;
    expect(Array.isArray(range) && range.length === 2 && range.every((d) => typeof d === 'string')).toBe(
      true,
    );
  });

  it('sql and dryRun answer each shape', async () => {
    const counts = { ok: 0, refused: 0 };
    for (const { name, query } of cubeQueryShapes) {
      const s = await outcome(`sql ${name}`, async () => {
        const sql = await api.sql(query as never);
        expect(typeof sql.rawQuery().sql[0]).toBe('string');
        expect(sql.sql()).toMatch(/select/i);
      });
      const d = await outcome(`dryRun ${name}`, async () => {
        const dry = await api.dryRun(query as never);
        expect(Array.isArray(dry.normalizedQueries)).toBe(true);
        expect(dry.queryType).toMatch(/regularQuery|compareDateRangeQuery|blendingQuery/);
      });
      counts[s]++;
      counts[d]++;
    }
    expect(counts.ok).toBeGreaterThan(cubeQueryShapes.length);
    expect(counts.refused).toBeGreaterThan(10);
  }, 300_000);

  it('meta is read by the client: members resolve, and query members are found', async () => {
    const meta = await api.meta();
    expect(meta.resolveMember('encounters.count', 'measures')).toMatchObject({ name: 'encounters.count' });
    expect(meta.resolveMember('encounters.nope', 'measures')).toMatchObject({ error: expect.any(String) });
    const members = meta.membersForQuery(null, 'dimensions');
    expect(members.map((m) => m.name)).toContain('encounters.encounterclass');
    expect(meta.filterOperatorsForMember('encounters.start', 'dimensions').map((o) => o.name)).toContain(
      'inDateRange',
    );
  });
});
