import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import type { AuditError } from './errors.ts';
import { removeDir, requestRecord, sqliteConfig } from './testing/fixtures.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `audit_failclosed_${process.pid}_${Date.now()}`;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
});

describe('fail closed: no audit record, no answer', () => {
  it('append throws AUDIT_UNAVAILABLE while another process holds the store locked, and recovers after', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const path = join(dir, 'audit.db');
    const log = await AuditLog.open({ ...config, store: { kind: 'sqlite', path, busyTimeoutMs: 50 } });
    await log.append(requestRecord(1));
    const intruder = new Database(path);
    intruder.exec('BEGIN EXCLUSIVE');
    await expect(log.append(requestRecord(2))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    intruder.exec('ROLLBACK');
    intruder.close();
    expect((await log.append(requestRecord(3))).seq).toBe(2);
    expect((await log.verify()).ok).toBe(true);
    await log.close();
  });

  it('open throws AUDIT_UNAVAILABLE when the store cannot be created', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    await expect(
      AuditLog.open({ ...config, store: { kind: 'sqlite', path: join(dir, 'not-a-folder', 'audit.db') } }),
    ).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });

  it('open throws AUDIT_UNAVAILABLE when PostgreSQL is unreachable', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    await expect(
      AuditLog.open({
        ...config,
        store: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test', schema: SCHEMA },
      }),
    ).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });

  it('append throws AUDIT_UNAVAILABLE when the PostgreSQL store goes away mid-run', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const log = await AuditLog.open({ ...config, store: { kind: 'postgres', url: PG_URL, schema: SCHEMA } });
    await log.append(requestRecord(1));
    const admin = new pg.Client(PG_URL);
    await admin.connect();
    await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
    await admin.end();
    const err = await log.append(requestRecord(2)).catch((e: AuditError) => e);
    expect(err).toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    // The message a client could see carries no SQL, values or PHI.
    expect((err as Error).message).not.toMatch(/Canary|SELECT|audit_records/);
    await log.close();
  });

  it('with fail_closed off, a failed write is reported and the caller goes on', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const path = join(dir, 'audit.db');
    const reported: string[] = [];
    const log = await AuditLog.open({
      ...config,
      store: { kind: 'sqlite', path, busyTimeoutMs: 50 },
      failClosed: false,
      onUnavailable: (e) => reported.push(e.code),
    });
    const intruder = new Database(path);
    intruder.exec('BEGIN EXCLUSIVE');
    const receipt = await log.append(requestRecord(1));
    intruder.exec('ROLLBACK');
    intruder.close();
    expect(receipt.stored).toBe(false);
    expect(reported).toEqual(['AUDIT_UNAVAILABLE']);
    await log.close();
  });
});
