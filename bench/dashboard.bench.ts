// Dashboards: a tile through the embed data route (token check, filters, policies, semantic
// compile, DuckDB, shaping, Vega-Lite spec) against DuckDB running the tile's compiled SQL
// directly, in the same run. Aim: the whole HTTP path costs at most 1.5x the query itself.
// The audit sink is a no-op here (the audit trail has its own benchmark).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardStore, installBundledDashboards, tileQuery } from '../dashboards/index.ts';
import { SemanticLayer } from '../semantic/index.ts';
import { createCsvFixtureLake, SYNTHEA_CSV_DIR, SYNTHEA_MODEL_DIR } from '../semantic/testing/index.ts';
import { ApiKeyStore, Authenticator, createApp, EmbedTokens } from '../server/index.ts';
import { serverConfigSchema } from '../workspace/index.ts';
import { type Bench, percentiles, timeMs } from './result.ts';

const FILTERS = { period: ['2015-01-01', '2022-12-31'], payer: 'Medicare' };

export const run: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  const fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR);
  try {
    const layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
    await installBundledDashboards(dir, ['synthea']);
    const store = new DashboardStore(join(dir, 'dashboards'));
    const dashboard = await store.get('synthea');
    const tokens = await EmbedTokens.open(dir);
    const config = serverConfigSchema.parse({ limits: { requests_per_minute: 1_000_000 } });
    const app = createApp({
      config,
      authenticator: new Authenticator({
        config: config.auth,
        apiKeys: new ApiKeyStore(join(dir, 'k.json')),
      }),
      async *ask() {},
      conversation: async (id) => ({ id, turns: [] }),
      governedSql: async () => ({ columns: [], rows: [], truncated: false, sqlExecuted: '' }),
      cube: {
        load: async (q, ctx) => layer.load(q, ctx),
        sql: async (q, ctx) => layer.sql(q, ctx),
        meta: async (ctx) => layer.meta(ctx),
      },
      audit: async () => 'bench',
      readiness: async () => ({}),
      dashboards: store,
      embedTokens: tokens,
    });
    const viewer = { id: 'bench', roles: ['analyst'], attributes: {} };
    const { token } = await tokens.issue(
      { dashboardId: 'synthea', viewer, origins: ['https://portal.example.org'] },
      'bench',
      3600,
    );
    const ctx = { userId: 'embed:bench', roles: viewer.roles, attributes: viewer.attributes };
    const viaRoute = (tile: string) =>
      Promise.resolve(
        app.request(`/v1/embed/dashboards/synthea/tiles/${tile}/data`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ filters: FILTERS }),
        }),
      ).then(async (r) => {
        if (r.status !== 200) throw new Error(`tile ${tile}: ${r.status} ${await r.text()}`);
        return r.json();
      });
    const compiled = dashboard.tiles.map((t) => ({
      id: t.id,
      sql: layer.compile(tileQuery(dashboard, t, FILTERS as never).query, ctx).compiled,
    }));
    // Warm both paths.
    for (const t of compiled) {
      await viaRoute(t.id);
      await fx.lake.query(t.sql.sql, t.sql.params);
    }
    const route: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const t of compiled) {
        const a = () => timeMs(() => viaRoute(t.id)).then((ms) => route.push(ms));
        const b = () => timeMs(() => fx.lake.query(t.sql.sql, t.sql.params)).then((ms) => direct.push(ms));
        // Alternate the order so neither side always runs on a warmer cache.
        if (i % 2) await a().then(b);
        else await b().then(a);
      }
    }
    const r = percentiles(route);
    const d = percentiles(direct);
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    return [
      {
        name: 'dashboard.tile.p50',
        value: r.p50,
        unit: 'ms',
        anchor: 'DuckDB running the tile’s compiled SQL directly, p50',
        anchorValue: d.p50,
        ratio: r.p50 / d.p50,
        aim: '<= 1.5',
      },
      {
        name: 'dashboard.full',
        value: sum(route) / 20,
        unit: 'ms/dashboard',
        anchor: `the ${compiled.length} tiles’ SQL run directly on DuckDB`,
        anchorValue: sum(direct) / 20,
        ratio: sum(route) / sum(direct),
        aim: '<= 1.5',
      },
    ];
  } finally {
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
