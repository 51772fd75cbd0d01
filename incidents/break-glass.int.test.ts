import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/index.ts';
import { removeDir, sqliteConfig } from '../audit/testing/fixtures.ts';
import { BreakGlass } from './break-glass.ts';
import { IncidentReporter } from './incident-reporter.ts';
import { PagerWebhook } from './pager-webhook.ts';
import { type Receiver, startReceiver } from './testing/pager-receiver.ts';

let receiver: Receiver;
const dirs: string[] = [];
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
afterEach(() => {
  receiver.posts.length = 0;
  for (const d of dirs.splice(0)) removeDir(d);
});

const REASON = 'Unconscious patient Jane Canary in ED, history needed for treatment';

async function setUp() {
  const { dir, config } = sqliteConfig();
  dirs.push(dir);
  let now = Date.parse('2025-03-01T10:00:00.000Z');
  const clock = () => new Date(now);
  const log = await AuditLog.open({ ...config, clock });
  const reporter = new IncidentReporter({
    audit: log,
    webhook: new PagerWebhook(receiver.url),
    deployment: 'prod',
    onCall: 'oncall',
    now: clock,
  });
  const bg = new BreakGlass({ audit: log, reporter, maxMinutes: 120, now: clock });
  return { log, bg, advance: (ms: number) => (now += ms) };
}

describe('break-glass', () => {
  it('grants for a reason, audits it (reason encrypted), pages, and expires on time', async () => {
    const { log, bg, advance } = await setUp();
    const grant = await bg.elevate({
      userId: 'dr-lee',
      roles: ['clinician-all-sites'],
      reason: REASON,
      minutes: 30,
    });
    expect(grant.expiresAt).toBe('2025-03-01T10:30:00.000Z');
    expect(await bg.effectiveRoles('dr-lee', ['clinician'])).toEqual(['clinician', 'clinician-all-sites']);

    const [rec] = (await log.search({ type: 'break_glass' })).records;
    expect(rec).toMatchObject({ id: grant.auditId, userId: 'dr-lee', outcome: 'ok', reason: REASON });
    expect(JSON.stringify(rec?.details)).not.toContain('Canary');
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.body).toMatchObject({
      type: 'break_glass',
      kind: 'break_glass_granted',
      audit_id: grant.auditId,
    });
    // The reason may name a patient: it stays in the audit log, not in the page.
    expect(JSON.stringify(receiver.posts[0]?.body)).not.toContain('Canary');

    advance(29 * 60_000);
    expect(await bg.active('dr-lee')).toHaveLength(1);
    advance(60_000);
    expect(await bg.active('dr-lee')).toEqual([]);
    expect(await bg.effectiveRoles('dr-lee', ['clinician'])).toEqual(['clinician']);
    expect((await log.verify()).ok).toBe(true);
    await log.close();
  });

  it('refuses without a reason or beyond the time box, and audits the refusal', async () => {
    const { log, bg } = await setUp();
    await expect(
      bg.elevate({ userId: 'u', roles: ['admin'], reason: 'because', minutes: 10 }),
    ).rejects.toMatchObject({
      code: 'BREAK_GLASS_REFUSED',
    });
    await expect(
      bg.elevate({ userId: 'u', roles: ['admin'], reason: REASON, minutes: 600 }),
    ).rejects.toMatchObject({
      code: 'BREAK_GLASS_REFUSED',
    });
    const refused = (await log.search({ type: 'break_glass', outcome: 'refused' })).records;
    expect(refused).toHaveLength(2);
    expect(await bg.active('u')).toEqual([]);
    expect(receiver.posts).toHaveLength(0);
    await log.close();
  });

  it('ends a grant early on revoke', async () => {
    const { log, bg } = await setUp();
    const grant = await bg.elevate({ userId: 'dr-lee', roles: ['all-sites'], reason: REASON, minutes: 60 });
    await bg.revoke(grant.grantId, 'privacy-officer');
    expect(await bg.active('dr-lee')).toEqual([]);
    await log.close();
  });

  it('grants nothing when the audit log cannot record it (fail closed)', async () => {
    const { log, bg } = await setUp();
    await log.close();
    await expect(
      bg.elevate({ userId: 'dr-lee', roles: ['all-sites'], reason: REASON, minutes: 60 }),
    ).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    expect(receiver.posts).toHaveLength(0);
  });

  it('reuses a read of the grants for cacheMs, but sees its own grants at once and expiry exactly', async () => {
    const { log, bg: other, advance } = await setUp();
    let now = Date.parse('2025-03-01T10:00:00.000Z');
    const clock = () => new Date(now);
    const cached = new BreakGlass({
      audit: log,
      reporter: null,
      maxMinutes: 120,
      now: clock,
      cacheMs: 5_000,
    });
    expect(await cached.active('dr-lee')).toEqual([]);
    // Another replica grants: seen once the cached read is older than cacheMs.
    await other.elevate({ userId: 'dr-lee', roles: ['all-sites'], reason: REASON, minutes: 10 });
    expect(await cached.active('dr-lee')).toEqual([]);
    now += 5_000;
    expect(await cached.active('dr-lee')).toHaveLength(1);
    // Its own grant is seen at once.
    await cached.elevate({ userId: 'ann', roles: ['all-sites'], reason: REASON, minutes: 1 });
    expect(await cached.active('ann')).toHaveLength(1);
    // Expiry is checked on every call, cached or not.
    now += 60_000;
    advance(65_000);
    expect(await cached.active('ann')).toEqual([]);
    await log.close();
  });
});
