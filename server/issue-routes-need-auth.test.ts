// Every operation in /openapi.json answers 401 without credentials, except an explicit public
// list; and /openapi.json describes every route the app serves, with its request and response
// schemas. A route added without a guard (or outside createRoute) fails here.
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArea, guarded } from './area.ts';
import type { SignedInEnv } from './context.ts';
import { type RouteFixture, routeFixture } from './testing/route-services.ts';

/** Answer without credentials: health, readiness, the web app's files, sign-in. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /',
  'GET /app',
  'GET /app/',
  'GET /app/{file}',
  'GET /embed.js',
  'GET /v1/auth/config',
  'POST /v1/auth/oidc/token',
  'GET /v1/dev/users',
  'POST /v1/dev/token',
  // Where an MCP client learns how to get a token (MCP authorization, RFC 9728).
  'GET /.well-known/oauth-protected-resource',
  'GET /.well-known/oauth-protected-resource/mcp',
]);
/** Served, but not an operation of the API: the document itself. */
const UNDOCUMENTED = new Set(['GET /openapi.json']);

type Operation = {
  parameters?: Array<{ in: string; name: string; schema?: unknown }>;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: unknown }>;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

let f: RouteFixture;
let doc: Doc;
beforeAll(async () => {
  f = await routeFixture({ devSignIn: true, everything: true });
  doc = (await (await f.app.request('/openapi.json')).json()) as Doc;
});
afterAll(() => f.remove());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op,
    })),
  );

describe('routes that cannot exist without auth', () => {
  it('answers 401 to every operation without credentials, except the public ones', async () => {
    const guarded = operations().filter((o) => !PUBLIC.has(o.key));
    expect(guarded.length).toBeGreaterThan(25);
    for (const { key, path, method } of guarded) {
      const url = path.replace(/\{[^}]+\}/g, 'ops');
      const before = f.audits.length;
      const res = await f.app.request(url, {
        method: method.toUpperCase(),
        ...(method === 'get' ? {} : { headers: { 'Content-Type': 'application/json' }, body: '{}' }),
      });
      expect(res.status, key).toBe(401);
      // The framed embed page answers in HTML; Cube's API in Cube's {"error": "<message>"} with
      // the code beside it; everything else in our JSON error shape.
      const text = await res.text();
      if (path.startsWith('/embed/')) expect(text, key).toContain('Code AUTH_MISSING');
      else if (path.startsWith('/cubejs-api/')) {
        const body = JSON.parse(text) as { error: string; code: string };
        expect(typeof body.error, key).toBe('string');
        expect(body.code, key).toBe('AUTH_MISSING');
      } else expect((JSON.parse(text) as { error: { code: string } }).error.code, key).toBe('AUTH_MISSING');
      // Each refusal is in the audit trail.
      expect(
        f.audits.slice(before).map((a) => a.type),
        key,
      ).toEqual(['auth_failure']);
    }
  });

  it('keeps the public list honest: each public operation exists and answers without credentials', async () => {
    const keys = new Set(operations().map((o) => o.key));
    for (const key of PUBLIC) expect(keys.has(key), key).toBe(true);
    for (const key of ['GET /healthz', 'GET /readyz', 'GET /v1/auth/config']) {
      const [method, path] = key.split(' ') as [string, string];
      expect((await f.app.request(path, { method })).status, key).toBe(200);
    }
  });

  it('documents every route the app serves', () => {
    const served = new Set(
      f.app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replace(/:([^/]+)/g, '{$1}')}`)
        .filter((k) => !UNDOCUMENTED.has(k)),
    );
    expect([...served].sort()).toEqual(
      operations()
        .map((o) => o.key)
        .sort(),
    );
  });

  it('describes request and response schemas for every operation', () => {
    for (const { key, path, method, op } of operations()) {
      // Path parameters are declared with a schema.
      for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        const p = op.parameters?.find((x) => x.in === 'path' && x.name === name);
        expect(p?.schema, `${key}: path parameter ${name}`).toBeDefined();
      }
      // A body is described wherever one is sent.
      if (method !== 'get') {
        const content = Object.values(op.requestBody?.content ?? {});
        expect(content.length, `${key}: request body`).toBeGreaterThan(0);
        for (const c of content) expect(c.schema, `${key}: request schema`).toBeDefined();
      }
      // Every response says what it holds: a body schema, or (redirects) its headers.
      const responses = Object.entries(op.responses);
      expect(responses.length, `${key}: responses`).toBeGreaterThan(0);
      for (const [status, r] of responses) {
        const bodies = Object.values(r.content ?? {});
        if (/^30\d$/.test(status)) expect(r.headers, `${key} ${status}: headers`).toBeDefined();
        else {
          expect(bodies.length, `${key} ${status}: response body`).toBeGreaterThan(0);
          for (const b of bodies) expect(b.schema, `${key} ${status}: response schema`).toBeDefined();
        }
      }
    }
  });

  it('gives a handler an identity only through a guard (a type error otherwise)', async () => {
    const route = createRoute({
      method: 'get',
      path: '/who',
      responses: {
        200: {
          description: 'who',
          content: { 'application/json': { schema: z.object({ who: z.string() }) } },
        },
      },
    });
    const area = createArea();
    area.openapi(route, (c) => {
      // @ts-expect-error without a guard the context has no identity (tsc fails if it had one)
      const identity = c.get('identity');
      return c.json({ who: String(identity ?? 'nobody') }, 200);
    });
    const signIn: MiddlewareHandler<SignedInEnv> = async (c, next) => {
      c.set('identity', {
        userId: 'u1',
        roles: [],
        attributes: {},
        method: 'dev',
        sessionId: 's',
        issuedAt: 0,
      });
      await next();
    };
    const guard = guarded(signIn, { ...route, path: '/who-guarded' });
    area.openapi(guard, (c) => c.json({ who: c.get('identity').userId }, 200));
    expect(await (await area.request('/who')).json()).toEqual({ who: 'nobody' });
    expect(await (await area.request('/who-guarded')).json()).toEqual({ who: 'u1' });
  });
});
