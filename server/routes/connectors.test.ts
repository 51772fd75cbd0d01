// The connector admin routes through app.request(): who may call them, what a bad request gets,
// that a second sync is refused while one runs, that every call (failures too) is audited, and
// that the routes are in the OpenAPI document.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverConfigSchema } from '../../workspace/index.ts';
import { createApp } from '../app.ts';
import { ApiKeyStore } from '../auth/api-keys.ts';
import { Authenticator } from '../auth/authenticator.ts';
import { ServerError } from '../errors.ts';
import type { AuditEvent, ConnectorAdmin, ServerServices, StreamSyncSummary } from '../services.ts';

const dir = mkdtempSync(join(tmpdir(), 'connector-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ISSUER = 'https://idp.example.org';
const audits: AuditEvent[] = [];
let release: (() => void) | undefined;
let app: ReturnType<typeof createApp>;
let apiKeys: ApiKeyStore;
let sign: (roles: string[]) => Promise<string>;

const stream: StreamSyncSummary = {
  connector: 'files',
  stream: 'visits',
  table: 'visits',
  mode: 'full_refresh',
  rows: 3,
  rejects: 0,
  durationMs: 5,
  status: 'ok',
  errorCode: null,
  runId: 'run-1',
};

// A stand-in for the CLI's implementation: one connector named "files"; sync waits for `release`.
const admin: ConnectorAdmin = {
  list: async () => ({
    connectors: [{ name: 'files', type: 'files', mode: 'full_refresh', streams: 'all' }],
    types: [{ type: 'files', description: 'local files' }],
  }),
  check: async (names) => {
    if (names.some((n) => n !== 'files')) throw new ServerError('NOT_FOUND', 'No connector named that.');
    return [{ name: 'files', ok: true }];
  },
  sync: (() => {
    let running = false;
    return async () => {
      if (running) throw new ServerError('SYNC_RUNNING', 'A sync is already running.');
      running = true;
      await new Promise<void>((r) => {
        release = r;
      });
      running = false;
      return [stream];
    };
  })(),
  history: async ({ limit }) => [stream].slice(0, limit),
};

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const config = serverConfigSchema.parse({
    auth: { mode: 'oidc', oidc: { issuer: ISSUER, audience: 'api', roles_claim: 'groups' } },
  });
  apiKeys = new ApiKeyStore(join(dir, 'api-keys.json'));
  const authenticator = new Authenticator({ config: config.auth, apiKeys, jwks: { keys: [jwk] } });
  sign = (roles) =>
    new SignJWT({ groups: roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(`user-${roles.join('-')}`)
      .setIssuer(ISSUER)
      .setAudience('api')
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime('10m')
      .sign(pair.privateKey);
  const services: ServerServices = {
    config,
    authenticator,
    // biome-ignore lint/correctness/useYield: the connector routes never ask
    ask: async function* () {
      throw new Error('not used');
    },
    conversation: async (id) => ({ id, turns: [] }),
    governedSql: async () => ({ columns: [], rows: [], truncated: false, sqlExecuted: '' }),
    audit: async (e) => {
      audits.push(e);
      return 'a';
    },
    readiness: async () => ({}),
    connectors: admin,
  };
  app = createApp(services);
});

const call = async (path: string, auth: string, body?: unknown) => {
  const res = await app.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('connector admin routes', () => {
  it('admit the admin role and admin-scoped keys only', async () => {
    expect((await call('/v1/admin/connectors', `Bearer ${await sign(['admin'])}`)).status).toBe(200);
    const analyst = await call('/v1/admin/connectors', `Bearer ${await sign(['analyst', 'auditor'])}`);
    expect(analyst.status).toBe(403);
    expect((analyst.body.error as { code: string }).code).toBe('FORBIDDEN');
    const ops = await apiKeys.create({ name: 'ops', scopes: ['admin'], roles: [] });
    expect((await call('/v1/admin/connectors', `Bearer ${ops.key}`)).status).toBe(200);
    // A key acting with the admin role but without the admin scope is still refused.
    const chat = await apiKeys.create({ name: 'chat', scopes: ['chat'], roles: ['admin'] });
    expect((await call('/v1/admin/connectors', `Bearer ${chat.key}`)).status).toBe(403);
    expect((await call('/v1/admin/connectors/status', '')).status).toBe(401);
  });

  it('answer 400 for a malformed selection and 404 for an unknown connector, and audit the failure', async () => {
    const t = `Bearer ${await sign(['admin'])}`;
    expect((await call('/v1/admin/connectors/check', t, '{"connectors": "files"}')).status).toBe(400);
    expect((await call('/v1/admin/connectors/check', t, '{not json')).status).toBe(400);
    expect((await call('/v1/admin/connectors/check', t, { connectors: ['../etc'] })).status).toBe(400);
    const missing = await call('/v1/admin/connectors/check', t, { connectors: ['nope'] });
    expect(missing.status).toBe(404);
    expect(audits.at(-1)).toMatchObject({
      type: 'admin',
      outcome: 'error',
      identity: { userId: 'user-admin' },
      detail: { action: 'connectors.check', connectors: ['nope'], code: 'NOT_FOUND' },
    });
    expect((await call('/v1/admin/connectors/status?limit=0', t)).status).toBe(400);
    // The same for chat: a body that is not JSON is the caller's mistake, not a server error.
    const chat = await call('/v1/chat', `Bearer ${await sign(['analyst'])}`, '{"question": ');
    expect(chat.status).toBe(400);
    expect((chat.body.error as { code: string }).code).toBe('BAD_REQUEST');
  });

  it('refuse a second sync while one runs (409), and audit the start and the outcome', async () => {
    const t = `Bearer ${await sign(['admin'])}`;
    const first = call('/v1/admin/connectors/sync', t, {});
    await new Promise((r) => setTimeout(r, 20));
    const second = await call('/v1/admin/connectors/sync', t, {});
    expect(second.status).toBe(409);
    expect((second.body.error as { code: string }).code).toBe('SYNC_RUNNING');
    release?.();
    const done = await first;
    expect(done).toEqual({ status: 200, body: { ok: true, streams: [stream] } });
    const actions = audits.filter((a) => a.type === 'admin').map((a) => [a.detail?.action, a.outcome]);
    expect(actions).toContainEqual(['connectors.sync.start', 'ok']);
    expect(actions).toContainEqual(['connectors.sync', 'error']);
    expect(actions).toContainEqual(['connectors.sync', 'ok']);
  });

  it('are described in the OpenAPI document', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/connectors',
        '/v1/admin/connectors/check',
        '/v1/admin/connectors/sync',
        '/v1/admin/connectors/status',
      ]),
    );
  });
});
