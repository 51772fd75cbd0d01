// Authentication failures through the real app: each a 401 with its own code, none leaking data.
import type { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverConfigSchema } from '../../workspace/index.ts';
import { createApp } from '../app.ts';
import type { AuditEvent, ServerServices } from '../services.ts';
import { ApiKeyStore } from './api-keys.ts';
import { Authenticator } from './authenticator.ts';

const dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ISSUER = 'https://idp.example.org';
const AUDIENCE = 'analyst-api';
let signingKey: webcrypto.CryptoKey;
let otherKey: webcrypto.CryptoKey;
let app: ReturnType<typeof createApp>;
let apiKeys: ApiKeyStore;
const audits: AuditEvent[] = [];

function services(authenticator: Authenticator, config = serverConfigSchema.parse({})): ServerServices {
  return {
    config,
    authenticator,
    async *ask(question, ctx, options) {
      yield { type: 'start', conversationId: options.conversationId ?? 'conv-00000001' };
      yield {
        type: 'result',
        result: {
          status: 'ok',
          answer: `${ctx.userId}:${ctx.roles.join(',')}:${question}`,
          interpretation: null,
          columns: [],
          rows: [],
          sql: null,
          semanticQuery: null,
          chart: null,
          conversationId: 'conv-00000001',
          auditId: null,
        },
      };
    },
    conversation: async (id) => ({ id, turns: [] }),
    governedSql: async () => ({
      columns: [{ name: 'secret', type: 'VARCHAR' }],
      rows: [['PHI-CANARY']],
      truncated: false,
      sqlExecuted: 'SELECT 1',
    }),
    audit: async (e) => {
      audits.push(e);
      return 'a1';
    },
    readiness: async () => ({ lake: { ok: true } }),
  };
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey as webcrypto.CryptoKey;
  otherKey = (await generateKeyPair('ES256')).privateKey as webcrypto.CryptoKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const config = serverConfigSchema.parse({
    auth: {
      mode: 'oidc',
      require_mfa: false,
      oidc: {
        issuer: ISSUER,
        audience: AUDIENCE,
        roles_claim: 'groups',
        attribute_claims: { organization_id: 'org' },
      },
    },
  });
  apiKeys = new ApiKeyStore(join(dir, 'api-keys.json'));
  const authenticator = new Authenticator({ config: config.auth, apiKeys, jwks: { keys: [jwk] } });
  app = createApp(services(authenticator, config));
});

async function token(
  claims: Record<string, unknown> = {},
  opts: { key?: webcrypto.CryptoKey; iss?: string; aud?: string; exp?: number; nbf?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ groups: ['clinician'], org: 'org-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('dr-who')
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setJti(crypto.randomUUID())
    .setExpirationTime(opts.exp ?? now + 600);
  if (opts.nbf) jwt = jwt.setNotBefore(opts.nbf);
  return jwt.sign(opts.key ?? signingKey);
}

async function sql(authorization?: string) {
  return app.request('/v1/sql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: JSON.stringify({ sql: 'SELECT * FROM patients' }),
  });
}

describe('authentication', () => {
  it('accepts a valid OIDC token and maps groups and attributes', async () => {
    const res = await app.request('/v1/chat', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'hello' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { answer: string }).answer).toBe('dr-who:clinician:hello');
  });

  it('refuses each kind of bad credential with 401 and its own code, leaking no data', async () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = await token();
    const [h, p] = valid.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p as string, 'base64url').toString()), groups: ['admin'] })).toString('base64url')}.${valid.split('.')[2]}`;
    const revoked = await apiKeys.create({ name: 'old', scopes: ['sql'], roles: ['analyst'] });
    await apiKeys.revoke(revoked.record.id);
    const cases: Array<[string, string | undefined, string]> = [
      ['missing', undefined, 'AUTH_MISSING'],
      ['expired', `Bearer ${await token({}, { exp: now - 60 })}`, 'AUTH_EXPIRED'],
      ['not yet valid', `Bearer ${await token({}, { nbf: now + 3600 })}`, 'AUTH_NOT_YET_VALID'],
      ['wrong issuer', `Bearer ${await token({}, { iss: 'https://evil.example.com' })}`, 'AUTH_ISSUER'],
      ['wrong audience', `Bearer ${await token({}, { aud: 'someone-else' })}`, 'AUTH_AUDIENCE'],
      ['alg none', `Bearer ${none}`, 'AUTH_ALGORITHM'],
      ['tampered', `Bearer ${tampered}`, 'AUTH_SIGNATURE'],
      ['unknown signer', `Bearer ${await token({}, { key: otherKey })}`, 'AUTH_SIGNATURE'],
      ['unknown api key', `Bearer ak_0123456789ab_${'x'.repeat(43)}`, 'AUTH_INVALID'],
      ['revoked api key', `Bearer ${revoked.key}`, 'AUTH_REVOKED'],
      ['not a bearer', 'Basic dXNlcjpwYXNz', 'AUTH_INVALID'],
    ];
    for (const [name, header, code] of cases) {
      const res = await sql(header);
      expect(res.status, name).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text).error.code, name).toBe(code);
      expect(text, name).not.toContain('PHI-CANARY');
      expect(JSON.parse(text).error.requestId, name).toBeTruthy();
    }
    expect(audits.filter((a) => a.type === 'auth_failure').length).toBeGreaterThanOrEqual(cases.length);
  });

  it('accepts a scoped API key and refuses one without the scope', async () => {
    const { key } = await apiKeys.create({ name: 'etl', scopes: ['sql'], roles: ['analyst'] });
    expect((await sql(`Bearer ${key}`)).status).toBe(200);
    const res = await app.request('/v1/chat', {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'hello' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it('requires MFA through amr when configured', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    const config = serverConfigSchema.parse({
      auth: { mode: 'oidc', require_mfa: true, oidc: { issuer: ISSUER, audience: AUDIENCE } },
    });
    const mfaApp = createApp(
      services(new Authenticator({ config: config.auth, apiKeys, jwks: { keys: [jwk] } }), config),
    );
    const sign = (amr: string[]) =>
      new SignJWT({ amr })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('u')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(pair.privateKey);
    const call = async (t: string) =>
      mfaApp.request('/v1/sql', {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
        body: '{"sql":"SELECT 1"}',
      });
    const without = await call(await sign(['pwd']));
    expect(without.status).toBe(401);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('AUTH_MFA_REQUIRED');
    expect((await call(await sign(['pwd', 'mfa']))).status).toBe(200);
  });

  it('logs off an idle session and refuses sessions older than the maximum age', async () => {
    let now = Date.now();
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    const config = serverConfigSchema.parse({
      auth: {
        mode: 'oidc',
        idle_timeout_minutes: 15,
        max_session_hours: 1,
        oidc: { issuer: ISSUER, audience: AUDIENCE },
      },
    });
    const a = new Authenticator({ config: config.auth, apiKeys, jwks: { keys: [jwk] }, now: () => now });
    const t = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('u')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now / 1000))
      .setJti('s1')
      .setExpirationTime('10h')
      .sign(pair.privateKey);
    await a.authenticate(`Bearer ${t}`);
    now += 16 * 60_000;
    await expect(a.authenticate(`Bearer ${t}`)).rejects.toMatchObject({ code: 'SESSION_IDLE' });
    now += 60 * 60_000;
    await expect(a.authenticate(`Bearer ${t}`)).rejects.toMatchObject({ code: 'SESSION_TOO_OLD' });
  });

  it('serves health without credentials and an OpenAPI document generated from the route schemas', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/chat',
        '/v1/sql',
        '/healthz',
        '/readyz',
        '/v1/conversations/{id}',
        '/cubejs-api/v1/load',
        '/v1/audit',
        '/v1/dashboards/{id}/tiles/{tile}/data',
        '/v1/embed-tokens',
      ]),
    );
  });

  it('sets security headers and shapes errors in one place', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const big = await app.request('/v1/sql', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql: 'x'.repeat(300_000) }),
    });
    expect(big.status).toBe(413);
  });
});
