// Embedding end to end: a host app on another origin (its own loopback server) gets an embed
// token from its backend with a service key and frames the dashboard with <analyst-dashboard>.
// The viewer's row policy applies; a page on an origin the token does not allow, and an expired
// token, get an error and no data.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildWeb } from '../../scripts/build-web.mjs';
import { EmbedTokens } from '../../server/index.ts';
import { analyst, launch, screenshot, serve, syntheaWorkspace, watchPage } from './harness.ts';

let ws: Awaited<ReturnType<typeof syntheaWorkspace>>;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
let host: Server;
let hostPort: number;
let serviceKey: string;
let clinicianOrg: string;

async function issue(origins: string[], ttlSeconds = 300): Promise<{ token: string; expiresAt: string }> {
  const res = await fetch(`${server.url}/v1/embed-tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      dashboardId: 'synthea',
      viewer: { id: 'portal-user-7', roles: ['clinician'], attributes: { organization_id: clinicianOrg } },
      allowedOrigins: origins,
      ttlSeconds,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { token: string; expiresAt: string };
}

function hostPage(token: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme clinic portal</title>
<script src="${server.url}/embed.js"></script></head>
<body style="font-family: sans-serif; margin: 0; background: #eef2f5">
<header style="background:#5b2a86;color:#fff;padding:12px 20px"><strong>Acme clinic portal</strong> — your organization's activity</header>
<div style="padding: 16px"><analyst-dashboard src="${server.url}/embed/dashboards/synthea" token="${token}" title="Synthea overview"></analyst-dashboard></div>
</body></html>`;
}

beforeAll(async () => {
  await buildWeb();
  ws = await syntheaWorkspace('web-embed-e2e');
  const users = parse(readFileSync(join(ws.dir, 'users.yaml'), 'utf8')) as {
    users: Array<{ id: string; attributes: Record<string, string> }>;
  };
  clinicianOrg = users.users.find((u) => u.id === 'clinician')!.attributes.organization_id!;
  serviceKey = (
    JSON.parse(
      await analyst(ws.dir, 'apikey', 'create', '--name', 'portal', '--scopes', 'embed', '--json'),
    ) as { key: string }
  ).key;
  server = await serve(ws.dir);
  browser = await launch();
  // The host app: its backend asks for a token per page view, as a real integration would.
  const expiredTokens = await EmbedTokens.open(join(ws.dir, 'keys'), { now: () => Date.now() - 3_600_000 });
  host = createServer((req, res) => {
    void (async () => {
      const self = `http://localhost:${hostPort}`;
      const token =
        req.url === '/expired'
          ? (
              await expiredTokens.issue(
                {
                  dashboardId: 'synthea',
                  viewer: {
                    id: 'portal-user-7',
                    roles: ['clinician'],
                    attributes: { organization_id: clinicianOrg },
                  },
                  origins: [self],
                },
                'test',
                600,
              )
            ).token
          : (await issue([self], Number(new URL(req.url ?? '/', self).searchParams.get('ttl') ?? 300))).token;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(hostPage(token));
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((ok) => host.listen(0, '127.0.0.1', ok));
  hostPort = (host.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => host?.close(ok));
  await server?.stop();
  ws?.remove();
});

async function tileValue(user: string): Promise<number> {
  const token = await analyst(ws.dir, 'token', '--user', user);
  const res = await fetch(`${server.url}/v1/dashboards/synthea/tiles/patients-seen/data`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{"filters":{}}',
  });
  return Number(((await res.json()) as { rows: number[][] }).rows[0]![0]);
}

describe('embedded dashboards', () => {
  it('renders in a host page on another origin, under the viewer’s row policy', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    const embedResponse = page.waitForResponse((r) => r.url().includes('/embed/dashboards/synthea'));
    await page.goto(`http://localhost:${hostPort}/`);
    const csp = (await embedResponse).headers()['content-security-policy'] ?? '';
    expect(csp).toContain(`frame-ancestors http://localhost:${hostPort}`);
    const frame = page.frameLocator('analyst-dashboard iframe');
    const patients = frame.locator('[data-tile="patients-seen"] .big-number');
    await patients.waitFor();
    await frame.locator('[data-tile="encounters-per-year"] svg .mark-line path').waitFor();
    const shown = Number((await patients.textContent())?.replace(/\D/g, ''));
    // The clinician's organization only: what the clinician sees in the app, less than an analyst.
    expect(shown).toBe(await tileValue('clinician'));
    expect(shown).toBeLessThan(await tileValue('analyst'));
    await expect.poll(() => frame.locator('[aria-busy="true"]').count()).toBe(0);
    await screenshot(page, '10-embed-host');

    await frame.getByRole('button', { name: 'Rows behind Patients seen' }).click();
    await frame.getByRole('dialog').locator('table.data tbody tr').first().waitFor();
    await screenshot(page, '11-embed-drill');
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('refuses a host page on an origin the token does not allow', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Same host app, reached as 127.0.0.1: a different origin from the localhost one in the token.
    const embedResponse = page.waitForResponse((r) => r.url().includes('/embed/dashboards/synthea'));
    await page.goto(`http://127.0.0.1:${hostPort}/`);
    expect((await embedResponse).status()).toBe(403);
    const frame = page.frameLocator('analyst-dashboard iframe');
    await frame.getByRole('alert').waitFor();
    expect(await frame.getByRole('alert').textContent()).toContain('not valid for the page embedding it');
    expect(await frame.locator('.big-number').count()).toBe(0);
    await screenshot(page, '12-embed-wrong-origin');
    await page.close();
  });

  it('shows an error and returns no data for an expired token', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const embedResponse = page.waitForResponse((r) => r.url().includes('/embed/dashboards/synthea'));
    await page.goto(`http://localhost:${hostPort}/expired`);
    expect((await embedResponse).status()).toBe(401);
    const frame = page.frameLocator('analyst-dashboard iframe');
    await frame.getByRole('alert').waitFor();
    const text = await frame.getByRole('alert').textContent();
    expect(text).toContain('no longer valid');
    expect(text).toContain('AUTH_EXPIRED');
    expect(await frame.locator('.big-number, svg').count()).toBe(0);
    await screenshot(page, '13-embed-expired');

    // The same token on the data API, CSV included: refused, no rows.
    const token = new URL(
      (await page.locator('analyst-dashboard iframe').getAttribute('src'))!,
    ).searchParams.get('token')!;
    for (const what of ['data', 'csv']) {
      const res = await fetch(`${server.url}/v1/embed/dashboards/synthea/tiles/patients-seen/${what}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{"filters":{}}',
      });
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(JSON.parse(body).error.code).toBe('AUTH_EXPIRED');
      expect(body).not.toContain('rows');
    }
    await page.close();
  });

  it('turns the dashboard into an error, without data, when the token expires while it is open', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const loaded = page.waitForResponse((r) => r.url().includes('/embed/dashboards/synthea?token='));
    await page.goto(`http://localhost:${hostPort}/?ttl=8`);
    const src = (await loaded).url();
    const exp = JSON.parse(
      Buffer.from(new URL(src).searchParams.get('token')!.split('.')[1]!, 'base64url').toString(),
    ).exp as number;
    const frame = page.frameLocator('analyst-dashboard iframe');
    await frame.locator('[data-tile="patients-seen"] .big-number').waitFor();
    // Wait out the token, then touch a filter: every tile's request is refused and the data goes.
    await new Promise((ok) => setTimeout(ok, Math.max(0, exp * 1000 + 1500 - Date.now())));
    const refused = page.waitForResponse((r) => r.url().includes('/v1/embed/') && r.status() === 401);
    await frame.getByLabel('Payer', { exact: true }).selectOption({ index: 1 });
    await refused;
    await frame.getByRole('alert').waitFor();
    expect(await frame.getByRole('alert').textContent()).toContain('AUTH_EXPIRED');
    expect(await frame.locator('.big-number, svg, table').count()).toBe(0);
    await screenshot(page, '14-embed-expired-while-open');
    await page.close();
  });
});
