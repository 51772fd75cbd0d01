// Dev sign-in for the web app exists only in dev mode, on loopback, for this server's own pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteFixture, routeFixture } from '../testing/route-services.ts';

let f: RouteFixture;
beforeAll(async () => {
  f = await routeFixture({ devSignIn: true });
});
afterAll(() => f.remove());

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const remote = { incoming: { socket: { remoteAddress: '10.1.2.3' } } };

function devToken(
  env: unknown,
  headers: Record<string, string> = {},
  url = 'http://127.0.0.1:8787/v1/dev/token',
) {
  return f.app.request(
    url,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Host: new URL(url).host, ...headers },
      body: '{"user":"analyst"}',
    },
    env as never,
  );
}

describe('web sign-in', () => {
  it('tells the app to use dev sign-in and hands a loopback caller a working token', async () => {
    expect((await (await f.app.request('/v1/auth/config')).json()) as object).toEqual({ mode: 'dev' });
    const users = await f.app.request(
      'http://localhost:8787/v1/dev/users',
      { headers: { Host: 'localhost:8787' } },
      loopback as never,
    );
    expect((await users.json()) as object).toEqual({ users: [{ id: 'analyst', roles: ['analyst'] }] });
    const res = await devToken(loopback);
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const me = await f.app.request('/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    expect((await me.json()) as object).toMatchObject({ id: 'analyst', roles: ['analyst'], method: 'dev' });
    expect(f.audits.at(-1)).toMatchObject({ type: 'admin', detail: { action: 'dev sign-in as analyst' } });
  });

  it('refuses remote peers, rebinding host names, other sites and form posts', async () => {
    expect((await devToken(remote)).status).toBe(403);
    expect((await devToken(undefined)).status).toBe(403);
    // DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1.
    expect((await devToken(loopback, {}, 'http://evil.example:8787/v1/dev/token')).status).toBe(403);
    expect((await devToken(loopback, { Origin: 'http://evil.example' })).status).toBe(403);
    const form = await f.app.request(
      'http://127.0.0.1:8787/v1/dev/token',
      {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', Host: '127.0.0.1:8787' },
        body: '{"user":"analyst"}',
      },
      loopback as never,
    );
    expect(form.status).toBe(400);
    expect((await devToken(loopback, { Origin: 'http://127.0.0.1:8787' })).status).toBe(200);
  });

  it('does not exist outside dev mode', async () => {
    const oidc = await routeFixture();
    try {
      // No devSignIn service (what `analyst serve` wires in OIDC mode): the route is not there.
      const res = await oidc.app.request(
        'http://127.0.0.1:8787/v1/dev/token',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Host: '127.0.0.1:8787' },
          body: '{"user":"a"}',
        },
        loopback as never,
      );
      expect(res.status).toBe(404);
    } finally {
      oidc.remove();
    }
  });

  it('serves the app shell and the host-page script from this server, nothing else from web/', async () => {
    const shell = await f.app.request('/app/');
    expect(shell.status).toBe(200);
    expect(shell.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(await shell.text()).toContain('<script type="module" src="/app/app.js">');
    expect((await f.app.request('/app/..%2F..%2Fpackage.json')).status).toBe(404);
    expect((await f.app.request('/app/index.html.bak')).status).toBe(404);
    expect((await f.app.request('/')).headers.get('Location')).toBe('/app/');
  });
});
