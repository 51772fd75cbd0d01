import { generateKeyPairSync, sign } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import { recordHash } from './chain.ts';
import type { AuditLogConfig } from './config.ts';
import { removeDir, sqliteConfig, writeLog } from './testing/fixtures.ts';
import type { VerifyReport } from './verify.ts';

// Each test writes 10 records (checkpoints every 4: at 4, 8 and 10 on close), tampers with the
// SQLite file directly as an intruder with database access would, then verifies.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

async function tampered(change: (db: Database.Database) => void): Promise<VerifyReport> {
  const { dir, config } = sqliteConfig();
  dirs.push(dir);
  await writeLog(config, 10);
  const db = new Database(dbPath(config));
  change(db);
  db.close();
  const log = await AuditLog.open(config);
  try {
    return await log.verify();
  } finally {
    await log.close();
  }
}

function dbPath(config: AuditLogConfig): string {
  if (config.store.kind !== 'sqlite') throw new Error('sqlite only');
  return config.store.path;
}

/** A stored row with the fields the hash covers, as an intruder would read it. */
function rowAt(db: Database.Database, seq: number) {
  const r = db.prepare('SELECT * FROM audit_records WHERE seq = ?').get(seq) as Record<
    string,
    string | number | null
  >;
  return {
    seq: Number(r.seq),
    id: String(r.id),
    time: String(r.time),
    type: String(r.type),
    outcome: String(r.outcome),
    userId: r.user_id as string | null,
    requestId: r.request_id as string | null,
    digests: String(r.digests),
    entry: String(r.entry),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

describe('verify names the first spot that was tampered with', () => {
  it('passes an untouched log', async () => {
    const report = await tampered(() => {});
    expect(report).toMatchObject({
      ok: true,
      records: 10,
      checkpoints: 3,
      problemCount: 0,
      firstProblem: null,
    });
  });

  it('a changed field in the hashed entry', async () => {
    const report = await tampered((db) =>
      db
        .prepare(
          `UPDATE audit_records SET entry = replace(entry, '"rowsReturned":1', '"rowsReturned":0') WHERE seq = 3`,
        )
        .run(),
    );
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 3 });
  });

  it('a changed indexed column (who made the request)', async () => {
    const report = await tampered((db) =>
      db.prepare(`UPDATE audit_records SET user_id = 'someone-else' WHERE seq = 6`).run(),
    );
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 6 });
  });

  it('a record rewritten and re-hashed (the chain alone is keyless)', async () => {
    const report = await tampered((db) => {
      const row = rowAt(db, 5);
      const changed = { ...row, userId: 'u9' };
      db.prepare('UPDATE audit_records SET user_id = ?, hash = ? WHERE seq = 5').run(
        'u9',
        recordHash(row.prevHash, changed),
      );
    });
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 5 });
  });

  it('an altered encrypted body', async () => {
    const report = await tampered((db) => {
      const { b } = db.prepare('SELECT b_prompt AS b FROM audit_records WHERE seq = 7').get() as {
        b: Buffer;
      };
      b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 1;
      db.prepare('UPDATE audit_records SET b_prompt = ? WHERE seq = 7').run(b);
    });
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 7 });
  });

  it('a body deleted outside retention', async () => {
    const report = await tampered((db) =>
      db.prepare('UPDATE audit_records SET b_response = NULL WHERE seq = 2').run(),
    );
    expect(report.firstProblem).toMatchObject({ kind: 'missing', seq: 2 });
  });

  it('a deleted record', async () => {
    const report = await tampered((db) => db.prepare('DELETE FROM audit_records WHERE seq = 6').run());
    expect(report.firstProblem).toMatchObject({ kind: 'missing', seq: 6 });
  });

  it('two records reordered', async () => {
    const report = await tampered((db) => {
      db.prepare('UPDATE audit_records SET seq = -1 WHERE seq = 3').run();
      db.prepare('UPDATE audit_records SET seq = 3 WHERE seq = 4').run();
      db.prepare('UPDATE audit_records SET seq = 4 WHERE seq = -1').run();
    });
    expect(report.firstProblem).toMatchObject({ kind: 'reordered', seq: 3 });
  });

  it('a truncated tail', async () => {
    const report = await tampered((db) => db.prepare('DELETE FROM audit_records WHERE seq > 8').run());
    expect(report.firstProblem).toMatchObject({ kind: 'missing', seq: 9 });
    expect(report.firstProblem?.message).toContain('truncated');
  });

  it('a truncated tail with the head and last checkpoint rolled back too', async () => {
    const report = await tampered((db) => {
      db.prepare('DELETE FROM audit_records WHERE seq > 8').run();
      db.prepare('DELETE FROM audit_checkpoints WHERE number = 3').run();
      db.prepare('DELETE FROM audit_head').run();
    });
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toMatchObject({ kind: 'unsealed', seq: 1 });
  });

  it('a checkpoint replaced by one signed with another key', async () => {
    const report = await tampered((db) => {
      const cp = db.prepare('SELECT payload FROM audit_checkpoints WHERE number = 2').get() as {
        payload: string;
      };
      const forged = cp.payload.replace(/"hash":"[0-9a-f]+"/, `"hash":"${'e'.repeat(64)}"`);
      const { privateKey } = generateKeyPairSync('ed25519');
      db.prepare('UPDATE audit_checkpoints SET payload = ?, hash = ?, signature = ? WHERE number = 2').run(
        forged,
        'e'.repeat(64),
        sign(null, Buffer.from(forged), privateKey).toString('base64'),
      );
    });
    expect(report.firstProblem).toMatchObject({ kind: 'checkpoint', checkpoint: 2, seq: 8 });
  });

  it('a deleted checkpoint', async () => {
    const report = await tampered((db) => db.prepare('DELETE FROM audit_checkpoints WHERE number = 1').run());
    expect(report.firstProblem).toMatchObject({ kind: 'checkpoint', checkpoint: 2 });
  });

  it('a record appended without the signing key (unsealed)', async () => {
    const report = await tampered((db) => {
      // A well-formed, correctly chained copy of the last record: only the missing seal gives it away.
      const last = rowAt(db, 10);
      const forged = { ...last, seq: 11, id: 'forged-id', entry: last.entry.replace('"seq":10', '"seq":11') };
      db.prepare(
        `INSERT INTO audit_records SELECT 11, 'forged-id', time, type, user_id, request_id, outcome, digests, ?, hash, ?,
           b_question, b_semantic_query, b_sql, b_prompt, b_response, b_result, b_reason FROM audit_records WHERE seq = 10`,
      ).run(forged.entry, recordHash(last.hash, forged));
    });
    expect(report.firstProblem).toMatchObject({ kind: 'unsealed', seq: 11 });
  });
});
