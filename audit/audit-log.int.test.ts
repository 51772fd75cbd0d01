import { chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { staticKeyProvider } from '../lakehouse/index.ts';
import { AuditLog } from './audit-log.ts';
import { removeDir, requestRecord, sqliteConfig, writeLog } from './testing/fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('AuditLog on the workspace store (SQLite)', () => {
  it('returns records newest first with bodies decrypted, and keeps no body in clear on disk', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const log = await AuditLog.open(config);
    const receipts = await Promise.all([1, 2, 3].map((n) => log.append(requestRecord(n))));
    await log.append({
      type: 'auth_failure',
      outcome: 'denied',
      clientAddress: '10.0.0.9',
      route: 'POST /v1/chat',
    });
    expect(receipts.map((r) => r.seq)).toEqual([1, 2, 3]);

    const page = await log.search();
    expect(page.records.map((r) => r.seq)).toEqual([4, 3, 2, 1]);
    const third = page.records[1];
    expect(third).toMatchObject({
      id: receipts[2]?.id,
      userId: 'u3',
      roles: ['analyst'],
      question: 'How many encounters in 2013?',
      sql: 'SELECT count(*) FROM encounters WHERE year = 3',
      prompt: requestRecord(3).prompt,
      response: requestRecord(3).response,
      result: { columns: ['count'], rows: [[3]] },
      relations: [{ name: 'encounters', columns: [{ name: 'patient_id', phi: 'direct' }, { name: 'year' }] }],
      purged: [],
    });
    expect((await log.search({ userId: 'u2' })).records.map((r) => r.requestId)).toEqual(['req-2']);
    expect((await log.search({ type: 'auth_failure' })).records).toHaveLength(1);
    const paged = await log.search({}, { limit: 3 });
    expect(paged.next).toBe(2);
    expect((await log.search({}, { limit: 3, before: paged.next ?? 0 })).records.map((r) => r.seq)).toEqual([
      1,
    ]);
    await log.close();

    const raw = readFileSync(config.store.kind === 'sqlite' ? config.store.path : '');
    expect(raw.includes(Buffer.from('Jane Canary'))).toBe(false);
    expect(raw.includes(Buffer.from('How many encounters'))).toBe(false);
    expect(statSync(config.signingKeyPath).mode & 0o777).toBe(0o600);
  });

  it('continues one chain across restarts and verifies', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    await writeLog(config, 5);
    await writeLog(config, 6);
    const log = await AuditLog.open(config);
    const report = await log.verify();
    expect(report).toMatchObject({ ok: true, records: 11, firstSeq: 1, lastSeq: 11, sealedThrough: 11 });
    expect(report.checkpointedThrough).toBe(11);
    expect((await log.lastVerify())?.ok).toBe(true);
    await log.close();
  });

  it('seals records of a writer that never closed (crash) through the signed head', async () => {
    const { dir, config } = sqliteConfig({ checkpointEvery: 1000 });
    dirs.push(dir);
    const crashed = await AuditLog.open(config);
    for (let i = 1; i <= 3; i++) await crashed.append(requestRecord(i));
    // No close: a second process takes over the same store.
    const next = await AuditLog.open(config);
    await next.append(requestRecord(4));
    const report = await next.verify();
    expect(report.ok).toBe(true);
    expect(report.records).toBe(4);
    await next.close();
  });

  it('refuses a record with unknown fields and a body under another workspace key', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const log = await AuditLog.open(config);
    await expect(log.append({ ...requestRecord(1), patientName: 'x' } as never)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_RECORD',
    });
    await log.append(requestRecord(1));
    await log.close();
    const other = await AuditLog.open({
      ...config,
      key: staticKeyProvider('another-workspace-key-987654321'),
    });
    await expect(other.search()).rejects.toMatchObject({ code: 'AUDIT_DECRYPT_FAILED' });
    await other.close();
  });

  it('takes touched relations as bare names when the caller knows no columns', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const log = await AuditLog.open(config);
    await log.append({ type: 'request', outcome: 'ok', relations: ['lake.patients', 'lake.encounters'] });
    const [r] = (await log.search()).records;
    expect(r?.relations).toEqual([
      { name: 'lake.patients', columns: [] },
      { name: 'lake.encounters', columns: [] },
    ]);
    await log.close();
  });

  it('checkpoints every N records, and after M minutes even when N is not reached', async () => {
    let now = Date.parse('2025-01-01T00:00:00.000Z');
    const { dir, config } = sqliteConfig({
      checkpointEvery: 3,
      checkpointMinutes: 10,
      clock: () => new Date(now),
    });
    dirs.push(dir);
    const log = await AuditLog.open(config);
    for (let i = 1; i <= 7; i++) await log.append(requestRecord(i));
    expect((await log.verify()).checkpointedThrough).toBe(6);
    now += 11 * 60_000;
    await log.append(requestRecord(8));
    expect(await log.verify()).toMatchObject({ ok: true, checkpointedThrough: 8, checkpoints: 3 });
    await log.close();
  });

  it('keeps the signing key private and never replaces a lost one silently', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    await writeLog(config, 2);
    chmodSync(config.signingKeyPath, 0o644);
    await expect(AuditLog.open(config)).rejects.toMatchObject({ code: 'AUDIT_KEY_INVALID' });
    rmSync(config.signingKeyPath);
    // Checkpoints exist: a new key would make them unverifiable, so opening fails instead.
    await expect(AuditLog.open(config)).rejects.toMatchObject({ code: 'AUDIT_KEY_MISSING' });
  });

  it('exports JSONL and CSV in chain order', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    await writeLog(config, 3);
    const log = await AuditLog.open(config);
    let jsonl = '';
    for await (const chunk of log.export('jsonl')) jsonl += chunk;
    const lines = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(lines[0].prompt).toBe(requestRecord(1).prompt);
    let csv = '';
    for await (const chunk of log.export('csv', { userId: 'u2' })) csv += chunk;
    const rows = csv.trim().split('\r\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.startsWith('seq,id,time,type,outcome,userId')).toBe(true);
    expect(rows[1]).toContain(
      '"{""messages"":[{""role"":""user"",""content"":""question 2 about Jane Canary""}]}"',
    );
    await log.close();
  });
});
