// Embed tokens through the real app: issuance rights, then every way a token can be wrong —
// expired, tampered, for another dashboard, from another origin, on another route — answered
// 401/403 before anything is looked up or run. (Superset's guest tokens were the warning.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteFixture, routeFixture } from '../testing/route-services.ts';

const ORIGIN = 'https://portal.example.org';
const VIEWER = { id: 'p-7', roles: ['clinician'], attributes: { organization_id: 'org-1' } };
let f: RouteFixture;
let admin: string;

beforeAll(async () => {
  f = await routeFixture();
  admin = await f.devToken({ id: 'root', roles: ['admin'] });
});
afterAll(() => f.remove());

async function issue(
  auth: string,
  body: Record<string, unknown> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await f.app.request('/v1/embed-tokens', {
    method: 'POST',
    headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      dashboardId: 'ops',
      viewer: VIEWER,
      allowedOrigins: [ORIGIN],
      ttlSeconds: 300,
      ...body,
    }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function token(body: Record<string, unknown> = {}): Promise<string> {
  const r = await issue(admin, body);
  expect(r.status).toBe(201);
  return r.json.token as string;
}

function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  return `${h}.${Buffer.from(JSON.stringify({ ...claims, dsh: 'other', attributes: {} })).toString('base64url')}.${s}`;
}

const data = (
  t: string | null,
  path = '/v1/embed/dashboards/ops/tiles/visits/data',
  headers: Record<string, string> = {},
) =>
  f.app.request(path, {
    method: path.endsWith('/options') || /\/ops$|\/other$|\/nope$/.test(path) ? 'GET' : 'POST',
    headers: {
      ...(t ? { Authorization: `Bearer ${t}` } : {}),
      'Content-Type': 'application/json',
      ...headers,
    },
    ...(path.endsWith('/options') || /\/ops$|\/other$|\/nope$/.test(path) ? {} : { body: '{"filters":{}}' }),
  });

const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('issuing embed tokens', () => {
  it('is for admins and service keys with the embed scope only', async () => {
    expect((await issue(admin)).status).toBe(201);
    expect((await issue(await f.devToken({ id: 'ana', roles: ['analyst'] }))).status).toBe(403);
    // Who may issue is checked before the body is read: a bad body tells a non-admin nothing.
    const ana = await f.devToken({ id: 'ana', roles: ['analyst'] });
    expect((await issue(ana, { allowedOrigins: 'nope' })).status).toBe(403);
    expect((await issue(admin, { allowedOrigins: 'nope' })).status).toBe(400);
    const embedKey = await f.apiKeys.create({ name: 'portal', scopes: ['embed'], roles: [] });
    expect((await issue(embedKey.key)).status).toBe(201);
    const queryKey = await f.apiKeys.create({ name: 'bi', scopes: ['query'], roles: ['admin'] });
    expect((await issue(queryKey.key)).status).toBe(403);
    const audit = f.audits.filter((a) => a.type === 'admin' && a.route === 'POST /v1/embed-tokens');
    expect(audit.length).toBe(2);
    expect(String(audit[0]?.detail?.action)).toContain(`origins ${ORIGIN}`);
  });

  it('refuses privileged viewers, unsafe origins, long lives and unknown dashboards', async () => {
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ viewer: { ...VIEWER, roles: ['admin'] } }, 400],
      [{ viewer: { ...VIEWER, roles: ['auditor'] } }, 400],
      [{ allowedOrigins: ['http://portal.example.org'] }, 400],
      [{ allowedOrigins: ['https://portal.example.org/path'] }, 400],
      [{ allowedOrigins: ["https://a.org 'unsafe-inline'"] }, 400],
      [{ allowedOrigins: ['https://a.org;script-src *'] }, 400],
      [{ allowedOrigins: [] }, 400],
      [{ ttlSeconds: 7200 }, 400],
      [{ dashboardId: 'nope' }, 404],
    ];
    for (const [body, status] of cases)
      expect((await issue(admin, body)).status, JSON.stringify(body)).toBe(status);
    expect((await issue(admin, { allowedOrigins: ['http://localhost:5173'] })).status).toBe(201);
  });
});

describe('the embed page', () => {
  it('is framed only by the token’s origins', async () => {
    const res = await f.app.request(`/embed/dashboards/ops?token=${await token()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Security-Policy')).toContain(`frame-ancestors ${ORIGIN}`);
    expect(res.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(res.headers.get('X-Frame-Options')).toBeNull();
    expect(await res.text()).toContain('/app/embed.js');
  });

  it('checks the token before the id: a bad token is 401 whether or not the dashboard exists', async () => {
    const valid = await token();
    const expired = await token({ ttlSeconds: 1 });
    f.advance(5_000);
    try {
      for (const id of ['ops', 'other', 'nope']) {
        for (const [name, t] of [
          ['missing', ''],
          ['garbage', 'not-a-jwt'],
          ['tampered', tamper(valid)],
          ['expired', expired],
        ] as const) {
          const res = await f.app.request(`/embed/dashboards/${id}${t ? `?token=${t}` : ''}`);
          expect(res.status, `${name} on ${id}`).toBe(401);
          const html = await res.text();
          expect(html, name).toContain('no longer valid');
          expect(html).not.toContain('embed.js');
        }
        // A valid token for ops opens nothing else, existing or not.
        const other = await f.app.request(`/embed/dashboards/${id}?token=${valid}`);
        expect(other.status, id).toBe(id === 'ops' ? 200 : 403);
      }
    } finally {
      f.advance(-5_000);
    }
    expect(f.audits.some((a) => a.type === 'auth_failure' && a.detail?.code === 'AUTH_EXPIRED')).toBe(true);
  });

  it('refuses a page embedding it from an origin the token does not name', async () => {
    const t = await token();
    const from = (referer: string) =>
      f.app.request(`/embed/dashboards/ops?token=${t}`, { headers: { Referer: referer } });
    expect((await from('https://evil.example.com/page')).status).toBe(403);
    expect((await from('https://portal.example.org.evil.com/')).status).toBe(403);
    expect((await from(`${ORIGIN}/clinic/42`)).status).toBe(200);
  });
});

describe('embed data requests', () => {
  it('run the tile’s own query as the token’s viewer, audited', async () => {
    const t = await token();
    const res = await data(t);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: unknown[][]; query?: unknown };
    expect(body.rows[0]?.[0]).toBe('encounters.encounterclass:embed:p-7|org-1');
    expect(body.query).toBeUndefined();
    const last = f.queries.at(-1)!;
    expect(last.ctx).toEqual({
      userId: 'embed:p-7',
      roles: ['clinician'],
      attributes: { organization_id: 'org-1' },
    });
    expect(f.audits.at(-1)).toMatchObject({
      type: 'data',
      identity: { userId: 'embed:p-7', method: 'embed' },
    });
    // The definition sent to an embed has the layout, not the queries.
    const def = (await (await data(t, '/v1/embed/dashboards/ops')).json()) as {
      tiles: Array<Record<string, unknown>>;
    };
    expect(def.tiles[0]).not.toHaveProperty('query');
    expect(def.tiles[0]).toMatchObject({ id: 'visits', drillable: true });
  });

  it('refuses tampered, foreign, misplaced and out-of-scope tokens before running anything', async () => {
    const t = await token();
    const before = f.queries.length;
    const app = await f.devToken({ id: 'ana', roles: ['analyst'] });
    const cases: Array<[string, Response | Promise<Response>, number, string]> = [
      ['no token', data(null), 401, 'AUTH_MISSING'],
      ['tampered', data(tamper(t)), 401, 'AUTH_SIGNATURE'],
      ['an app token', data(app), 401, 'AUTH_SIGNATURE'],
      [
        'token in the query string',
        data(null, `/v1/embed/dashboards/ops/tiles/visits/data?token=${t}`),
        401,
        'AUTH_MISSING',
      ],
      ['another dashboard', data(t, '/v1/embed/dashboards/other/tiles/visits/data'), 403, 'FORBIDDEN'],
      [
        'another, missing dashboard',
        data(t, '/v1/embed/dashboards/nope/tiles/visits/data'),
        403,
        'FORBIDDEN',
      ],
      ['another dashboard’s definition', data(t, '/v1/embed/dashboards/other'), 403, 'FORBIDDEN'],
      ['another dashboard’s CSV', data(t, '/v1/embed/dashboards/other/tiles/visits/csv'), 403, 'FORBIDDEN'],
      [
        'another dashboard’s filter options',
        data(t, '/v1/embed/dashboards/other/filters/payer/options'),
        403,
        'FORBIDDEN',
      ],
      ['a foreign Origin', data(t, undefined, { Origin: 'https://evil.example.com' }), 403, 'FORBIDDEN'],
      [
        'the embed token on an app route',
        data(t, '/v1/dashboards/ops/tiles/visits/data'),
        401,
        'AUTH_SIGNATURE',
      ],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      expect(res.status, name).toBe(status);
      expect(await codeOf(res), name).toBe(code);
    }
    expect(f.queries.length).toBe(before);
    // In scope, but not a query the dashboard defines: a made-up tile, or a query in the body.
    expect((await data(t, '/v1/embed/dashboards/ops/tiles/made-up/data')).status).toBe(404);
    const smuggled = await f.app.request('/v1/embed/dashboards/ops/tiles/visits/data', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filters: {}, query: { dimensions: ['patients.ssn'] } }),
    });
    expect(smuggled.status).toBe(400);
    const drill = await f.app.request('/v1/embed/dashboards/ops/tiles/visits/drill', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filters: {}, point: { 'patients.ssn': 'x' } }),
    });
    expect(drill.status).toBe(400);
    expect(f.queries.length).toBe(before);
    // The allowed origin itself may call (same as the framed page's own origin).
    expect((await data(t, undefined, { Origin: ORIGIN })).status).toBe(200);
  });

  it('stops CSV exports, drills and data the moment the token expires', async () => {
    const t = await token({ ttlSeconds: 60 });
    const csv = await data(t, '/v1/embed/dashboards/ops/tiles/visits/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('Content-Type')).toContain('text/csv');
    expect(await csv.text()).toContain('embed:p-7');
    expect(f.audits.at(-1)).toMatchObject({ type: 'export', detail: { format: 'csv', rowsReturned: 1 } });
    const exports = f.audits.filter((a) => a.type === 'export').length;
    const before = f.queries.length;
    f.advance(61_000);
    try {
      for (const path of ['csv', 'data', 'drill'].map((w) => `/v1/embed/dashboards/ops/tiles/visits/${w}`)) {
        const res = await data(t, path);
        expect(res.status, path).toBe(401);
        expect(await codeOf(res)).toBe('AUTH_EXPIRED');
      }
      expect((await data(t, '/v1/embed/dashboards/ops/filters/payer/options')).status).toBe(401);
    } finally {
      f.advance(-61_000);
    }
    expect(f.queries.length).toBe(before);
    expect(f.audits.filter((a) => a.type === 'export').length).toBe(exports);
  });
});
