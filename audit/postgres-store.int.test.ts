import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import type { AuditLogConfig } from './config.ts';
import { removeDir, requestRecord, sqliteConfig, writeLog } from './testing/fixtures.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PREFIX = `audit_pg_${process.pid}_${Date.now()}`;
let n = 0;
const dirs: string[] = [];
const schemas: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  const c = new pg.Client(PG_URL);
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
});

function pgConfig(overrides: Partial<AuditLogConfig> = {}): { config: AuditLogConfig; schema: string } {
  const schema = `${PREFIX}_${++n}`;
  schemas.push(schema);
  const { dir, config } = sqliteConfig({ store: { kind: 'postgres', url: PG_URL, schema }, ...overrides });
  dirs.push(dir);
  return { config, schema };
}

async function sql(text: string): Promise<void> {
  const c = new pg.Client(PG_URL);
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe('the PostgreSQL audit store', () => {
  it('appends, searches with decrypted bodies, and verifies across a restart', async () => {
    const { config } = pgConfig();
    await writeLog(config, 6);
    await writeLog(config, 3);
    const log = await AuditLog.open(config);
    const page = await log.search({ userId: 'u2' });
    expect(page.records).toHaveLength(2);
    expect(page.records[0]).toMatchObject({
      prompt: requestRecord(2).prompt,
      result: { columns: ['count'], rows: [[2]] },
    });
    const from = page.records[1]?.time ?? '';
    expect(
      (await log.search({ from, type: 'request' }, { limit: 1000 })).records.length,
    ).toBeGreaterThanOrEqual(1);
    expect(await log.verify()).toMatchObject({ ok: true, records: 9, sealedThrough: 9 });
    expect((await log.lastVerify())?.ok).toBe(true);
    await log.close();
  });

  it('names a deleted record and a replaced checkpoint', async () => {
    const { config, schema } = pgConfig();
    await writeLog(config, 10);
    await sql(`DELETE FROM ${schema}.audit_records WHERE seq = 7`);
    const log = await AuditLog.open(config);
    expect((await log.verify()).firstProblem).toMatchObject({ kind: 'missing', seq: 7 });
    await sql(
      `UPDATE ${schema}.audit_checkpoints SET signature = (SELECT signature FROM ${schema}.audit_checkpoints WHERE number = 2) WHERE number = 1`,
    );
    // Checkpoint #1 seals seq 4, before the gap at 7: it is now the first spot.
    expect((await log.verify()).firstProblem).toMatchObject({ kind: 'checkpoint', checkpoint: 1, seq: 4 });
    await log.close();
  });

  it('enforces retention and the chain still verifies', async () => {
    let now = Date.parse('2021-06-01T00:00:00.000Z');
    const { config } = pgConfig({
      clock: () => new Date(now),
      retention: { bodiesDays: 10, queriesDays: 3650, metadataDays: 3650 },
    });
    const log = await AuditLog.open(config);
    for (let i = 1; i <= 4; i++) await log.append(requestRecord(i));
    now += 20 * 86_400_000;
    await log.append(requestRecord(5));
    const report = await log.retention();
    expect(report).toMatchObject({ bodiesPurged: 4, recordsDeleted: 0 });
    const [old] = (await log.search({ userId: 'u1' })).records;
    expect(old?.purged.sort()).toEqual(['prompt', 'response', 'result']);
    expect((await log.verify()).ok).toBe(true);
    await log.close();
  });
});
