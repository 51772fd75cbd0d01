import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import type { AuditLogConfig } from './config.ts';
import { removeDir, requestRecord, sqliteConfig } from './testing/fixtures.ts';

const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** A log whose clock the test moves: 8 records on day 0, 4 on day 100 (checkpoints every 4). */
async function agedLog(overrides: Partial<AuditLogConfig>) {
  let now = Date.parse('2020-01-01T00:00:00.000Z');
  const { dir, config } = sqliteConfig({
    clock: () => new Date(now),
    retention: { bodiesDays: 30, queriesDays: 60, metadataDays: 90 },
    ...overrides,
  });
  dirs.push(dir);
  const log = await AuditLog.open(config);
  for (let i = 1; i <= 8; i++) await log.append(requestRecord(i));
  now += 100 * DAY;
  for (let i = 9; i <= 12; i++) await log.append(requestRecord(i));
  now += 1 * DAY;
  return { log, config };
}

function rawCount(config: AuditLogConfig, sql: string): number {
  if (config.store.kind !== 'sqlite') throw new Error('sqlite only');
  const db = new Database(config.store.path, { readonly: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

describe('retention', () => {
  it('purges each kind of data past its age, keeps digests, and the chain still verifies', async () => {
    const { log, config } = await agedLog({});
    const report = await log.retention();
    // Day-0 records are 101 days old: bodies (30 d) and queries (60 d) go; metadata (90 d) goes up
    // to the checkpoint at seq 8, so seq 9 starts the chain, anchored by that checkpoint.
    expect(report).toMatchObject({ legalHold: false, recordsDeleted: 8, metadataThrough: 8 });
    expect(report.bodiesPurged).toBe(8);
    expect(report.queriesPurged).toBe(8);
    const records = (await log.search({}, { limit: 1000 })).records;
    expect(records.map((r) => r.seq)).toEqual([13, 12, 11, 10, 9]);
    const verify = await log.verify();
    expect(verify).toMatchObject({ ok: true, firstSeq: 9, records: 5 });
    await log.close();
    expect(rawCount(config, 'SELECT count(*) AS n FROM audit_records WHERE b_prompt IS NOT NULL')).toBe(4);
  });

  it('blanks old bodies in place when metadata is still kept', async () => {
    const { log } = await agedLog({ retention: { bodiesDays: 30, queriesDays: 3650, metadataDays: 3650 } });
    const report = await log.retention();
    expect(report).toMatchObject({ bodiesPurged: 8, queriesPurged: 0, recordsDeleted: 0 });
    const [old] = (await log.search({ userId: 'u3' })).records;
    expect(old?.purged.sort()).toEqual(['prompt', 'response', 'result']);
    expect(old?.prompt).toBeUndefined();
    expect(old?.question).toBe('How many encounters in 2013?');
    const [recent] = (await log.search({ userId: 'u10' })).records;
    expect(recent?.prompt).toBe(requestRecord(10).prompt);
    expect((await log.verify()).ok).toBe(true);
    const [run] = (await log.search({ type: 'retention' })).records;
    expect(run?.details).toMatchObject({ legalHold: false, metadataThrough: 0 });
    await log.close();
  });

  it('purges nothing under legal hold, and records that it ran', async () => {
    const { log, config } = await agedLog({ legalHold: true });
    const report = await log.retention();
    expect(report).toMatchObject({ legalHold: true, bodiesPurged: 0, queriesPurged: 0, recordsDeleted: 0 });
    expect(rawCount(config, 'SELECT count(*) AS n FROM audit_records WHERE b_prompt IS NOT NULL')).toBe(12);
    const [old] = (await log.search({ userId: 'u1' })).records;
    expect(old?.prompt).toBe(requestRecord(1).prompt);
    expect((await log.search({ type: 'retention' })).records[0]?.details).toEqual({ legalHold: true });
    expect((await log.verify()).ok).toBe(true);
    await log.close();
  });
});
