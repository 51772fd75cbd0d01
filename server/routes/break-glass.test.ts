// Break-glass through the HTTP API: admins only; the grant is in the audit trail (with who granted
// it) before it exists, and the user's next request carries the granted role until it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../audit/index.ts';
import { removeDir, sqliteConfig } from '../../audit/testing/fixtures.ts';
import { BreakGlass } from '../../incidents/index.ts';
import type { BreakGlassAdmin } from '../services.ts';
import { type RouteFixture, routeFixture } from '../testing/route-services.ts';

const REASON = 'Unconscious patient in ED, medication history needed for treatment';
let now = Date.parse('2026-01-10T09:00:00.000Z');
let log: AuditLog;
let dir: string;
let f: RouteFixture;
let bg: BreakGlass;

beforeAll(async () => {
  const setup = sqliteConfig();
  dir = setup.dir;
  log = await AuditLog.open(setup.config);
  bg = new BreakGlass({ audit: log, reporter: null, maxMinutes: 60, now: () => new Date(now) });
  const admin: BreakGlassAdmin = {
    grant: async (r) => {
      const { reason: _r, ...g } = await bg.elevate({ ...r, roles: r.roles ?? ['break-glass'] });
      return g;
    },
    active: async () => (await bg.active()).map(({ reason: _r, ...g }) => g),
  };
  f = await routeFixture({
    grantedRoles: async (user) => (await bg.active(user)).flatMap((g) => g.roles),
    services: { breakGlass: admin },
  });
});
afterAll(async () => {
  f.remove();
  await log.close();
  removeDir(dir);
});

const grant = async (token: string, body: Record<string, unknown>) =>
  f.app.request('/v1/admin/break-glass', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
const me = async (token: string) =>
  (await (await f.app.request('/v1/me', { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    roles: string[];
  };

describe('POST /v1/admin/break-glass', () => {
  it('is for admins only', async () => {
    const analyst = await f.devToken({ id: 'ana', roles: ['analyst'] });
    const res = await grant(analyst, { user: 'dr-lee', reason: REASON, minutes: 10 });
    expect(res.status).toBe(403);
    expect(await bg.active()).toEqual([]);
  });

  it('grants for a reason, audited with who granted it, and the role holds until it expires', async () => {
    const admin = await f.devToken({ id: 'root', roles: ['admin'] });
    const doctor = await f.devToken({ id: 'dr-lee', roles: ['clinician'] });
    expect((await me(doctor)).roles).toEqual(['clinician']);

    const res = await grant(admin, {
      user: 'dr-lee',
      reason: REASON,
      minutes: 30,
      roles: ['clinician-all-sites'],
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      userId: 'dr-lee',
      roles: ['clinician-all-sites'],
      expiresAt: '2026-01-10T09:30:00.000Z',
    });
    expect(JSON.stringify(body)).not.toContain('Unconscious');

    const [rec] = (await log.search({ type: 'break_glass' })).records;
    expect(rec).toMatchObject({
      id: body.auditId,
      userId: 'dr-lee',
      reason: REASON,
      details: { by: 'root' },
    });
    expect((await me(doctor)).roles).toEqual(['clinician', 'clinician-all-sites']);

    const listed = (await (
      await f.app.request('/v1/admin/break-glass', { headers: { Authorization: `Bearer ${admin}` } })
    ).json()) as { grants: Array<{ userId: string }> };
    expect(listed.grants.map((g) => g.userId)).toEqual(['dr-lee']);

    now += 31 * 60_000;
    expect((await me(doctor)).roles).toEqual(['clinician']);
  });

  it('refuses (403, audited) without a real reason or beyond the time box', async () => {
    const admin = await f.devToken({ id: 'root', roles: ['admin'] });
    const before = (await log.search({ type: 'break_glass', outcome: 'refused' })).records.length;
    for (const body of [
      { user: 'dr-lee', reason: 'because', minutes: 10 },
      { user: 'dr-lee', reason: REASON, minutes: 600 },
    ]) {
      const res = await grant(admin, body);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BREAK_GLASS_REFUSED');
    }
    expect((await log.search({ type: 'break_glass', outcome: 'refused' })).records.length).toBe(before + 2);
  });
});
