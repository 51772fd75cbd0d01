// Issue 13 B4: the newest audit records could be removed without verify noticing. An intruder
// with the store's (or the workspace's) write access rolls the store back by copying an old file
// over it, by SQL (delete the newest records and checkpoints, restore an earlier head), or
// re-signs the whole log with a key of their own. Anchors outside the store and the pinned key
// fingerprint catch each, on both real stores; each attack first passes without them.
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { AnchorConfig } from './anchors.ts';
import { AuditLog } from './audit-log.ts';
import { type HeadPayload, signCheckpoint, signHead } from './chain.ts';
import type { AuditLogConfig } from './config.ts';
import { SigningKey } from './signing-key.ts';
import type { CheckpointRow } from './store/types.ts';
import { removeDir, requestRecord, sqliteConfig, writeLog } from './testing/fixtures.ts';
import type { VerifyReport } from './verify.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PREFIX = `audit_rollback_${process.pid}_${Date.now()}`;
let n = 0;
const dirs: string[] = [];
const schemas: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  if (!schemas.length) return;
  const c = new pg.Client(PG_URL);
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
});

type Kind = 'sqlite' | 'postgres';

/** A log with checkpoints every 4 records and an anchor file outside its store's folder. */
function setUp(kind: Kind): { dir: string; config: AuditLogConfig; anchor: AnchorConfig } {
  const schema = `${PREFIX}_${++n}`;
  const { dir, config } = sqliteConfig(
    kind === 'postgres' ? { store: { kind: 'postgres', url: PG_URL, schema } } : {},
  );
  if (kind === 'postgres') schemas.push(schema);
  dirs.push(dir);
  const anchor: AnchorConfig = { kind: 'file', path: join(dir, 'elsewhere', 'audit-anchors.log') };
  return { dir, config: { ...config, anchors: [anchor] }, anchor };
}

async function verify(config: AuditLogConfig): Promise<VerifyReport> {
  const log = await AuditLog.open(config);
  try {
    return await log.verify();
  } finally {
    await log.close();
  }
}

/** SQL on the store as an intruder with database access runs it (`?` placeholders). */
interface Intruder {
  table(name: string): string;
  run(sql: string, params?: unknown[]): Promise<void>;
  rows<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

async function intruder(config: AuditLogConfig): Promise<Intruder> {
  const store = config.store;
  if (store.kind === 'sqlite') {
    const db = new Database(store.path);
    return {
      table: (name) => name,
      run: async (sql, params = []) => void db.prepare(sql).run(...params),
      rows: async <T>(sql: string) => db.prepare(sql).all() as T[],
      close: async () => void db.close(),
    };
  }
  const c = new pg.Client(store.url);
  await c.connect();
  const numbered = (sql: string) => {
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`);
  };
  return {
    table: (name) => `${store.schema}.${name}`,
    run: async (sql, params = []) => void (await c.query(numbered(sql), params)),
    rows: async <T>(sql: string) => (await c.query(sql)).rows as T[],
    close: () => c.end(),
  };
}

/** Delete records after `seq` and checkpoints after `checkpoint`, and put `head` back. */
async function rollBackBySql(
  config: AuditLogConfig,
  to: { seq: number; checkpoint: number; head: { payload: string; signature: string } },
): Promise<void> {
  const db = await intruder(config);
  try {
    await db.run(`DELETE FROM ${db.table('audit_records')} WHERE seq > ?`, [to.seq]);
    await db.run(`DELETE FROM ${db.table('audit_checkpoints')} WHERE number > ?`, [to.checkpoint]);
    await db.run(`UPDATE ${db.table('audit_head')} SET payload = ?, signature = ?`, [
      to.head.payload,
      to.head.signature,
    ]);
  } finally {
    await db.close();
  }
}

async function headAndLastCheckpoint(config: AuditLogConfig) {
  const db = await intruder(config);
  try {
    const [head] = await db.rows<{ payload: string; signature: string }>(
      `SELECT payload, signature FROM ${db.table('audit_head')}`,
    );
    const [cp] = await db.rows<{ number: number }>(
      `SELECT max(number) AS number FROM ${db.table('audit_checkpoints')}`,
    );
    return {
      head: head as { payload: string; signature: string },
      seq: (JSON.parse(head?.payload ?? '{}') as HeadPayload).seq,
      checkpoint: Number(cp?.number),
    };
  } finally {
    await db.close();
  }
}

/** Swap a new key into keys/ and re-sign every checkpoint and the head with it. */
async function reKey(config: AuditLogConfig): Promise<void> {
  rmSync(config.signingKeyPath);
  const key = await SigningKey.load(config.signingKeyPath, { create: true });
  const db = await intruder(config);
  try {
    const rows = await db.rows<CheckpointRow>(
      `SELECT number, seq, hash, time FROM ${db.table('audit_checkpoints')} ORDER BY number`,
    );
    let previous: CheckpointRow | null = null;
    for (const r of rows) {
      const cp = signCheckpoint(key, Number(r.number), Number(r.seq), r.hash, r.time, previous);
      await db.run(
        `UPDATE ${db.table('audit_checkpoints')} SET payload = ?, signature = ? WHERE number = ?`,
        [cp.payload, cp.signature, cp.number],
      );
      previous = cp;
    }
    const [head] = await db.rows<{ payload: string }>(`SELECT payload FROM ${db.table('audit_head')}`);
    const h = JSON.parse(head?.payload ?? '{}') as HeadPayload;
    const signed = signHead(key, h.seq, h.hash, h.time);
    await db.run(`UPDATE ${db.table('audit_head')} SET payload = ?, signature = ?`, [
      signed.payload,
      signed.signature,
    ]);
  } finally {
    await db.close();
  }
}

function withoutAnchors(config: AuditLogConfig): AuditLogConfig {
  return { ...config, anchors: [] };
}

describe.each<Kind>(['sqlite', 'postgres'])('rollback of the %s audit store', (kind) => {
  it('normal operation verifies intact, anchored through the newest checkpoint', async () => {
    const { config, anchor } = setUp(kind);
    await writeLog(config, 10);
    await writeLog(config, 3);
    const report = await verify(config);
    expect(report).toMatchObject({ ok: true, records: 13, problemCount: 0 });
    expect(report.anchors).toMatchObject({ files: 1, anchoredThrough: 13, unreadable: 0 });
    expect(report.anchors.count).toBe(report.checkpoints);
    // One line per checkpoint, each the signed checkpoint exactly as the store holds it.
    const lines = readFileSync(anchor.path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(report.checkpoints);
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ kind: 'anchor', number: report.checkpoints });
  });

  it('by SQL: newest records and checkpoints deleted, an earlier head restored', async () => {
    const { config } = setUp(kind);
    await writeLog(config, 10);
    const before = await headAndLastCheckpoint(config);
    await writeLog(config, 3);
    await rollBackBySql(config, before);
    // The hole: the rolled-back store is consistent on its own.
    expect((await verify(withoutAnchors(config))).ok).toBe(true);

    const report = await verify(config);
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toMatchObject({ kind: 'anchor', seq: 13 });
    expect(report.firstProblem?.message).toContain('behind its anchor');
    // Writing on does not launder it: the store's new checkpoint differs from the anchored one.
    await writeLog(config, 2);
    const later = await verify(config);
    expect(later.ok).toBe(false);
    expect(later.problems.some((p) => p.kind === 'anchor')).toBe(true);
  });

  it('by re-keying: a new key in keys/ and every seal re-signed', async () => {
    const { config } = setUp(kind);
    await writeLog(config, 10);
    const pinned = (await SigningKey.load(config.signingKeyPath, { create: false })).fingerprint;
    await reKey(config);
    // The hole: re-signed under the swapped key, the log verifies against that same key.
    expect((await verify(withoutAnchors(config))).ok).toBe(true);

    // The pinned fingerprint refuses the swapped key outright.
    const refused = await AuditLog.open({ ...config, keyFingerprint: pinned }).then(
      async (log) => {
        await log.close();
        return null;
      },
      (err: unknown) => err,
    );
    expect(hasCode(refused, 'AUDIT_KEY_UNTRUSTED')).toBe(true);
    expect((refused as Error).message).toContain(pinned);

    // Unpinned, the anchors (signed by the old key) give it away.
    const report = await verify(config);
    expect(report.ok).toBe(false);
    expect(report.problems.find((p) => p.kind === 'anchor')?.message).toContain(
      "not signed by this workspace's audit key",
    );
  });
});

describe('rollback of the SQLite file', () => {
  it('by file copy: copy audit.db, write 3 records, copy it back', async () => {
    const { config } = setUp('sqlite');
    const db = (config.store as { path: string }).path;
    await writeLog(config, 10);
    expect(existsSync(`${db}-wal`)).toBe(false);
    copyFileSync(db, `${db}.saved`);
    await writeLog(config, 3);
    copyFileSync(`${db}.saved`, db);
    expect((await verify(withoutAnchors(config))).ok).toBe(true);

    const report = await verify(config);
    expect(report).toMatchObject({ ok: false, records: 10 });
    expect(report.firstProblem).toMatchObject({ kind: 'anchor', seq: 13 });
    expect(report.firstProblem?.message).toContain('behind its anchor');
  });

  it('fails closed when an anchor cannot be opened or written', async () => {
    const { dir, config } = setUp('sqlite');
    const refused = await AuditLog.open({ ...config, anchors: [{ kind: 'file', path: dir }] }).catch(
      (e: unknown) => e,
    );
    expect(hasCode(refused, 'AUDIT_ANCHOR_FAILED')).toBe(true);
    expect((refused as Error).message).toContain(dir);

    // A full disk under the anchor: the append that seals a checkpoint is refused.
    const log = await AuditLog.open({ ...config, anchors: [{ kind: 'file', path: '/dev/full' }] });
    try {
      for (let i = 1; i <= 3; i++) await log.append(requestRecord(i));
      const err = await log.append(requestRecord(4)).catch((e: unknown) => e);
      expect(hasCode(err, 'AUDIT_UNAVAILABLE')).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('a torn last anchor line is counted, not fatal, and the next anchor starts a fresh line', async () => {
    const { config, anchor } = setUp('sqlite');
    await writeLog(config, 4);
    writeFileSync(anchor.path, `${readFileSync(anchor.path, 'utf8')}{"v":1,"kind":"anch`);
    await writeLog(config, 4);
    const report = await verify(config);
    expect(report.ok).toBe(true);
    expect(report.anchors).toMatchObject({ unreadable: 1, anchoredThrough: 8 });
  });
});
