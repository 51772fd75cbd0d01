import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cube from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAnalystError } from '../../core/index.ts';
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
let server: Server;
let apiUrl: string;

// A tiny stand-in for the server routes: the token is the role (the real server verifies JWTs).
beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ctx = contextFor(String(req.headers.authorization ?? 'nobody'));
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const handle = async () => {
      const raw = url.searchParams.get('query');
      const query = raw ? JSON.parse(raw) : undefined;
      if (url.pathname === '/cubejs-api/v1/meta') return send(200, layer.meta(ctx));
      if (url.pathname === '/cubejs-api/v1/sql') return send(200, layer.sql(query, ctx));
      if (url.pathname === '/cubejs-api/v1/load') {
        if (url.searchParams.get('queryType') === 'multi')
          return send(200, await layer.loadMulti(query, ctx));
        return send(200, await layer.load(query, ctx));
      }
      send(404, { error: 'not found' });
    };
    handle().catch((err: unknown) =>
      send(isAnalystError(err) ? 400 : 500, { error: isAnalystError(err) ? err.message : 'internal error' }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cubejs-api/v1`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await fx?.close();
});

describe('@cubejs-client/core against the layer', () => {
  it('loads a query and gets the numbers hand-written SQL gives', async () => {
    const api = cube('analyst', { apiUrl });
    const rs = await api.load({
      measures: ['encounters.count', 'encounters.total_total_claim_cost'],
      dimensions: ['encounters.encounterclass'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2016-01-01', '2017-12-31'] },
      ],
      order: [
        ['encounters.start', 'asc'],
        ['encounters.encounterclass', 'asc'],
      ],
    });
    const rows = rs.tablePivot();
    const hand = await fx.lake.query(
      `SELECT strftime(date_trunc('year', timezone('UTC', start)), '%Y-%m-%dT%H:%M:%S.%g'), encounterclass, count(*), sum(total_claim_cost)
       FROM encounters WHERE timezone('UTC', start) BETWEEN TIMESTAMP '2016-01-01' AND TIMESTAMP '2017-12-31 23:59:59.999'
       GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(
      rows.map((r) => [
        r['encounters.start.year'],
        r['encounters.encounterclass'],
        r['encounters.count'],
        r['encounters.total_total_claim_cost'],
      ]),
    ).toEqual(hand.rows);
    expect(rs.seriesNames().length).toBeGreaterThan(0);
    expect(rs.chartPivot()[0]!.x).toBe('2016-01-01T00:00:00.000');
  });

  it('reads meta and sql for the caller', async () => {
    const api = cube('auditor', { apiUrl });
    const meta = await api.meta();
    expect(meta.meta.cubes.map((c) => c.name).sort()).toEqual(['organizations', 'payers', 'providers']);
    expect(meta.resolveMember('organizations.count', 'measures')).toMatchObject({
      title: 'Organizations Organizations Count',
    });
    const sql = await cube('admin', { apiUrl }).sql({
      measures: ['payers.count'],
      filters: [{ member: 'payers.name', operator: 'equals', values: ['Medicare'] }],
    });
    expect(sql.sql()).toContain('"payers".name = $1');
    expect(sql.rawQuery().sql[1]).toContain('Medicare');
  });

  it('surfaces a policy refusal as a request error', async () => {
    const api = cube('auditor', { apiUrl });
    await expect(api.load({ measures: ['patients.count'] })).rejects.toThrow(/no access to patients/);
  });
});
