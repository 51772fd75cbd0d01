import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/index.ts';
import { removeDir, sqliteConfig } from '../audit/testing/fixtures.ts';
import { EndpointMonitor } from './endpoint-monitor.ts';
import { IncidentReporter } from './incident-reporter.ts';
import { PagerWebhook } from './pager-webhook.ts';
import { type Receiver, startReceiver } from './testing/pager-receiver.ts';

const thresholds = {
  window: 10,
  minCalls: 3,
  errorRate: 0.5,
  latencyMs: 60_000,
  slowRate: 0.5,
  cooldownMs: 30_000,
};
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

async function setUp() {
  const { dir, config } = sqliteConfig();
  dirs.push(dir);
  const log = await AuditLog.open(config);
  let now = 1_000_000;
  const reporter = new IncidentReporter({
    audit: log,
    webhook: new PagerWebhook(receiver.url, { retryDelayMs: 1 }),
    deployment: 'springfield-prod',
    onCall: 'privacy-oncall@example.org',
    notify: ['security@example.org'],
  });
  const monitor = new EndpointMonitor(thresholds, reporter, () => now);
  return { log, monitor, advance: (ms: number) => (now += ms) };
}

const fail = () => Promise.reject(new Error('upstream 503'));

describe('endpoint health and incidents', () => {
  it('opens the breaker on errors, records an incident, pages the webhook, and refuses calls', async () => {
    const { log, monitor } = await setUp();
    expect(await monitor.run('claude', async () => 'fine')).toBe('fine');
    await expect(monitor.run('claude', fail)).rejects.toThrow('upstream 503');
    await expect(monitor.run('claude', fail)).rejects.toThrow('upstream 503');
    const [outcome] = await monitor.settled();
    await expect(monitor.run('claude', async () => 'x')).rejects.toMatchObject({
      code: 'ENDPOINT_CIRCUIT_OPEN',
    });
    expect(monitor.states()).toEqual([{ endpoint: 'claude', state: 'open' }]);

    expect(outcome?.delivery).toMatchObject({ delivered: true, status: 200 });
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.body).toMatchObject({
      type: 'incident',
      kind: 'endpoint_circuit_open',
      severity: 'critical',
      endpoint: 'claude',
      deployment: 'springfield-prod',
      on_call: 'privacy-oncall@example.org',
      notify: ['security@example.org'],
      audit_id: outcome?.auditId,
    });
    const [incident] = (await log.search({ type: 'incident' })).records;
    expect(incident).toMatchObject({ id: outcome?.auditId, endpoint: 'claude', outcome: 'error' });
    expect(incident?.details).toMatchObject({ kind: 'endpoint_circuit_open', errors: 2, calls: 3 });
    await log.close();
  });

  it('pages the recovery after a successful trial call', async () => {
    const { log, monitor, advance } = await setUp();
    for (let i = 0; i < 3; i++) await monitor.run('vllm', fail).catch(() => {});
    advance(30_000);
    expect(await monitor.run('vllm', async () => 'back')).toBe('back');
    await monitor.settled();
    expect(receiver.posts.map((p) => p.body.kind)).toEqual(['endpoint_circuit_open', 'endpoint_recovered']);
    expect(receiver.posts[1]?.body.severity).toBe('info');
    await log.close();
  });

  it('retries the webhook after a 5xx and still pages when the audit log is down', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const log = await AuditLog.open(config);
    await log.close();
    const reporter = new IncidentReporter({
      audit: log,
      webhook: new PagerWebhook(receiver.url, { retryDelayMs: 1 }),
      deployment: 'd',
    });
    receiver.failNext.push(502);
    const outcome = await reporter.raise({ kind: 'test', severity: 'critical', summary: 'audit store lost' });
    expect(outcome.auditId).toBeNull();
    expect(outcome.auditError).toMatch(/closed/);
    expect(outcome.delivery).toMatchObject({ delivered: true, attempts: 2 });
    expect(receiver.posts).toHaveLength(2);
  });
});
