import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { syncConnector } from '../sync/engine.ts';
import { restConnector } from './connector.ts';

const TOKEN = 'tok-SECRET-7f3a9c51';
const items: Array<{ id: number; name: string; score: number; updated_at: string; tags: string[] }> = [];
const add = (n: number) => {
  for (let i = 0; i < n; i++) {
    const id = items.length + 1;
    items.push({
      id,
      name: `item "${id}", ok`,
      score: id * 0.5,
      updated_at: new Date(Date.UTC(2024, 0, 1, 0, id)).toISOString(),
      tags: ['a', `t${id % 3}`],
    });
  }
};
let server: Server;
let baseUrl = '';
let transient = 0;
const served = { throttled: 0, failed: 0 };

function start(): Promise<void> {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    // Every third request first meets a 429, then a 503: the client must ride both out.
    transient++;
    if (transient % 3 === 1) {
      served.throttled++;
      res.writeHead(429, { 'retry-after': '0' }).end();
      return;
    }
    if (transient % 3 === 2) {
      served.failed++;
      res.writeHead(503).end();
      return;
    }
    const since = url.searchParams.get('since');
    const pool = since ? items.filter((i) => i.updated_at > since) : items;
    const json = (body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (url.pathname === '/items') {
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const page = pool.slice(from, from + 30);
      json({ data: page, next_cursor: from + 30 < pool.length ? String(from + 30) : null });
    } else if (url.pathname === '/offset') {
      const off = Number(url.searchParams.get('offset'));
      const lim = Number(url.searchParams.get('limit'));
      json({ results: { rows: pool.slice(off, off + lim) } });
    } else if (url.pathname === '/linked') {
      const page = Number(url.searchParams.get('page') ?? 0);
      const rows = pool.slice(page * 40, page * 40 + 40);
      const more = (page + 1) * 40 < pool.length;
      json(rows, more ? { link: `<${baseUrl}/linked?page=${page + 1}>; rel="next"` } : {});
    } else res.writeHead(404).end();
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => {
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      r();
    }),
  );
}

const options = (token = TOKEN) =>
  restConnector.spec.parse({
    base_url: baseUrl,
    auth: { value: token },
    backoff_ms: 1,
    streams: {
      items: {
        path: '/items',
        pagination: { type: 'cursor' },
        primary_key: ['id'],
        cursor_field: 'updated_at',
        cursor_param: 'since',
      },
      offset_items: { path: '/offset', records: 'results.rows', pagination: { type: 'offset', limit: 25 } },
      linked_items: { path: '/linked', records: '', pagination: { type: 'link' } },
    },
  });

runConnectorSuite({
  connector: restConnector,
  setup: async () => {
    add(95);
    await start();
  },
  options: () => options(),
  badOptions: () => options('tok-WRONG-secret-0042'),
  badOptionsCode: 'CONNECTOR_AUTH_FAILED',
  stream: 'items',
  expectedRows: 95,
  addRows: async () => {
    add(12);
    return 12;
  },
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('rest: pagination styles and retries', () => {
  let dir: string;
  let lake: Lakehouse;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-rest-'));
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'c.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider('rest-connector-test-key-01234567'),
      create: true,
    });
  });
  afterAll(async () => {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads offset and Link-header pages completely through 429 and 503 answers', async () => {
    const before = { ...served };
    const run = await syncConnector(
      {
        name: 'api',
        type: 'rest',
        options: options() as never,
        streams: ['offset_items', 'linked_items'],
        mode: 'full_refresh',
        on_reject: 'fail',
      },
      { lake, connectors: new Map([['rest', restConnector]]), resolveSecret: (v) => v },
    );
    expect(run.streams.map((s) => [s.stream, s.status, s.rows, s.error?.message])).toEqual([
      ['offset_items', 'ok', items.length, undefined],
      ['linked_items', 'ok', items.length, undefined],
    ]);
    expect(served.throttled).toBeGreaterThan(before.throttled);
    expect(served.failed).toBeGreaterThan(before.failed);
    const r = await lake.query(`SELECT name, score, tags FROM ${lake.tableRef('linked_items')} WHERE id = 3`);
    expect(r.rows[0]).toEqual(['item "3", ok', 1.5, '["a","t0"]']);
    const distinct = await lake.query(`SELECT count(DISTINCT id) FROM ${lake.tableRef('offset_items')}`);
    expect(distinct.rows[0]).toEqual([items.length]);
  });
});
