// Production sign-in end to end: the app's OIDC authorization code flow with PKCE against an
// identity provider on loopback (a stand-in that speaks the real protocol: /authorize redirects
// back with a code bound to the S256 challenge, /token checks the verifier, /jwks serves the key).
import { execFile } from 'node:child_process';
import { createHash, randomBytes, type webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { buildWeb } from '../../scripts/build-web.mjs';
import { launch, screenshot, serve } from './harness.ts';

const CLIENT_ID = 'analyst-web';
let idp: Server;
let issuer: string;
let parent: string;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
const codes = new Map<string, { challenge: string; redirectUri: string }>();

beforeAll(async () => {
  await buildWeb();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  idp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/jwks') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else if (url.pathname === '/authorize') {
      const p = url.searchParams;
      if (
        p.get('client_id') !== CLIENT_ID ||
        p.get('code_challenge_method') !== 'S256' ||
        !p.get('code_challenge')
      ) {
        res.writeHead(400);
        res.end('bad authorization request');
        return;
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: p.get('code_challenge')!, redirectUri: p.get('redirect_uri')! });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      res.writeHead(302, { Location: back.toString() });
      res.end();
    } else if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => {
        body += String(d);
      });
      req.on('end', () => {
        void (async () => {
          const form = new URLSearchParams(body);
          const grant = codes.get(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          const ok =
            grant &&
            form.get('grant_type') === 'authorization_code' &&
            form.get('client_id') === CLIENT_ID &&
            form.get('redirect_uri') === grant.redirectUri &&
            createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
          if (!ok) {
            res.writeHead(400, { 'Content-Type': 'application/json' });
            res.end('{"error":"invalid_grant"}');
            return;
          }
          codes.delete(form.get('code')!);
          const accessToken = await new SignJWT({ groups: ['analyst'], amr: ['pwd', 'mfa'] })
            .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
            .setIssuer(issuer)
            .setAudience('analyst-api')
            .setSubject('dr-who')
            .setIssuedAt()
            .setJti(randomBytes(8).toString('hex'))
            .setExpirationTime('10m')
            .sign(privateKey as webcrypto.CryptoKey);
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: 600 }));
        })();
      });
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => idp.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;

  parent = mkdtempSync(join(tmpdir(), 'web-oidc-e2e-'));
  const dir = join(parent, 'ws');
  const root = resolve(import.meta.dirname, '../..');
  await promisify(execFile)(process.execPath, [join(root, 'bin', 'analyst.mjs'), 'init', dir], { cwd: root });
  const doc = parseDocument(readFileSync(join(dir, 'analyst.yaml'), 'utf8'));
  doc.setIn(['server', 'auth'], {
    mode: 'oidc',
    require_mfa: true,
    oidc: {
      issuer,
      audience: 'analyst-api',
      jwks_url: `${issuer}/jwks`,
      algorithms: ['ES256'],
      roles_claim: 'groups',
      client_id: CLIENT_ID,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
    },
  });
  writeFileSync(join(dir, 'analyst.yaml'), doc.toString());
  // Serving needs a model; sign-in does not need data.
  mkdirSync(join(dir, 'model'), { recursive: true });
  server = await serve(dir);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((ok) => idp?.close(ok));
  if (parent) rmSync(parent, { recursive: true, force: true });
});

describe('OIDC sign-in', () => {
  it('signs in through the identity provider with PKCE and lands in the app as the IdP user', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/app/`);
    const button = page.getByRole('button', { name: 'Sign in with your organization' });
    await button.waitFor();
    // No dev sign-in in OIDC mode.
    expect(await page.getByLabel('Development user (users.yaml)').count()).toBe(0);
    await screenshot(page, '20-oidc-sign-in');
    const authorize = page.waitForRequest((r) => r.url().startsWith(`${issuer}/authorize`));
    await button.click();
    const sent = new URL((await authorize).url()).searchParams;
    expect(sent.get('code_challenge_method')).toBe('S256');
    expect(sent.get('redirect_uri')).toBe(`${server.url}/app/`);
    await page.getByRole('textbox', { name: 'Question' }).waitFor();
    expect(await page.locator('.topbar .who').textContent()).toContain('dr-who · analyst');
    // The code and state are gone from the address bar.
    expect(page.url()).not.toContain('code=');
    await screenshot(page, '21-oidc-signed-in');
    await page.close();
  });

  it('refuses a code presented with the wrong verifier or a foreign redirect, and dev sign-in', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = `${server.url}/app/`;
    const res = await fetch(
      `${issuer}/authorize?client_id=${CLIENT_ID}&code_challenge_method=S256&code_challenge=${challenge}&redirect_uri=${encodeURIComponent(redirectUri)}&state=s`,
      { redirect: 'manual' },
    );
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const exchange = (body: Record<string, string>) =>
      fetch(`${server.url}/v1/auth/oidc/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code, codeVerifier: verifier, redirectUri, ...body }),
      });
    expect((await exchange({ redirectUri: 'https://evil.example.com/app/' })).status).toBe(400);
    const wrong = await exchange({ codeVerifier: randomBytes(48).toString('base64url') });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('invalid_grant');
    const dev = await fetch(`${server.url}/v1/dev/users`);
    expect(dev.status).toBe(404);
  });
});
