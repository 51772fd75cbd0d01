// Audit log throughput: appends with hash chaining, AES-GCM body encryption and Ed25519 seals,
// and full verification, each beside the same work done plainly on the same SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuditLog, type AuditLogConfig, type AuditRecordInput } from '../audit/index.ts';
import { staticKeyProvider } from '../lakehouse/index.ts';
import type { Bench, BenchResult } from './result.ts';

const APPENDS = 6000;
const IN_FLIGHT = 64;
const VERIFY_RECORDS = 30_000;

/** A request record of realistic size: ~1.5 KB prompt, ~0.5 KB response, a small result. */
function record(i: number): AuditRecordInput {
  return {
    type: 'request',
    outcome: 'ok',
    requestId: `req-${i}`,
    userId: `user-${i % 50}`,
    roles: ['analyst'],
    clientAddress: '10.1.2.3',
    route: 'POST /v1/chat',
    question: `How many inpatient encounters were there in ${2010 + (i % 12)} by payer?`,
    semanticQuery: { measures: ['encounters.count'], dimensions: ['payers.name'], filters: [] },
    sql: 'SELECT p.name, count(*) FROM encounters e JOIN payers p ON p.id = e.payer GROUP BY 1',
    relations: [{ name: 'encounters', columns: [{ name: 'patient', phi: 'direct' }, { name: 'payer' }] }],
    rowsReturned: 12,
    endpoint: 'claude',
    modelId: 'claude-sonnet',
    region: 'us-east-1',
    prompt: JSON.stringify({
      messages: [{ role: 'user', content: `question ${i} ${'context '.repeat(180)}` }],
    }),
    response: JSON.stringify({ content: `answer ${i} ${'words '.repeat(80)}` }),
    result: { columns: ['name', 'count'], rows: Array.from({ length: 12 }, (_, k) => [`payer ${k}`, k * 7]) },
    latencyMs: 850,
  };
}

function config(dir: string): AuditLogConfig {
  return {
    store: { kind: 'sqlite', path: join(dir, 'audit.db') },
    signingKeyPath: join(dir, 'audit-signing.key'),
    key: staticKeyProvider('bench-workspace-key-0123456789abcdef'),
    checkpointEvery: 1000,
    checkpointMinutes: 5,
    // As a workspace runs it: every checkpoint also appended (and synced) to an anchor file.
    anchors: [{ kind: 'file', path: join(dir, 'anchors', 'audit-anchors.log') }],
  };
}

async function appendAll(log: AuditLog, from: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += IN_FLIGHT) {
    const n = Math.min(IN_FLIGHT, count - i);
    await Promise.all(Array.from({ length: n }, (_, k) => log.append(record(from + i + k))));
  }
}

/** The anchor: the same rows inserted plainly (no chain, no encryption, no seals), same batches. */
function plainInserts(path: string, from: number, count: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(
    `INSERT INTO audit_records (seq, id, time, type, user_id, request_id, outcome, digests, entry, prev_hash, hash,
       b_question, b_semantic_query, b_sql, b_prompt, b_response, b_result)
     VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, '', '', ?, ?, ?, ?, ?, ?)`,
  );
  const batch = db.transaction((rows: AuditRecordInput[], base: number) => {
    rows.forEach((r, k) => {
      const { question, semanticQuery, sql, prompt, response, result, ...meta } = r;
      insert.run(
        base + k,
        `plain-${base + k}`,
        new Date().toISOString(),
        r.type,
        r.userId ?? null,
        r.requestId ?? null,
        r.outcome,
        JSON.stringify(meta),
        Buffer.from(JSON.stringify(question)),
        Buffer.from(JSON.stringify(semanticQuery)),
        Buffer.from(JSON.stringify(sql)),
        Buffer.from(JSON.stringify(prompt)),
        Buffer.from(JSON.stringify(response)),
        Buffer.from(JSON.stringify(result)),
      );
    });
  });
  const t = performance.now();
  for (let i = 0; i < count; i += IN_FLIGHT) {
    const n = Math.min(IN_FLIGHT, count - i);
    batch(
      Array.from({ length: n }, (_, k) => record(from + i + k)),
      from + i,
    );
  }
  const ms = performance.now() - t;
  db.close();
  return ms;
}

/** The verify anchor: read every row of the store once, all columns, no hashing. */
function plainScan(path: string): { ms: number; rows: number } {
  const db = new Database(path, { readonly: true });
  const t = performance.now();
  let rows = 0;
  for (const _ of db.prepare('SELECT * FROM audit_records ORDER BY seq').iterate()) rows += 1;
  const ms = performance.now() - t;
  db.close();
  return { ms, rows };
}

export const run: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  try {
    const log = await AuditLog.open(config(dir));
    await appendAll(log, 0, 200); // warm up
    let t = performance.now();
    await appendAll(log, 200, APPENDS);
    const appendMs = performance.now() - t;
    await appendAll(log, 200 + APPENDS, VERIFY_RECORDS - APPENDS - 200);
    t = performance.now();
    const report = await log.verify();
    const verifyMs = performance.now() - t;
    await log.close();
    if (!report.ok || report.records !== VERIFY_RECORDS) throw new Error('the benchmark log did not verify');

    const scan = plainScan(join(dir, 'audit.db'));
    const plainMs = plainInserts(join(dir, 'audit.db'), 1_000_000, APPENDS);

    const appendRate = (APPENDS / appendMs) * 1000;
    const plainRate = (APPENDS / plainMs) * 1000;
    const verifyRate = (VERIFY_RECORDS / verifyMs) * 1000;
    const scanRate = (scan.rows / scan.ms) * 1000;
    const results: BenchResult[] = [
      {
        name: `audit.append chained+encrypted, ${IN_FLIGHT} in flight (${appendRate.toFixed(0)} records/s; aim >= 2000 records/s)`,
        value: appendRate,
        unit: 'records/s',
        anchor: `plain SQLite inserts of the same rows, same store and batches (${plainRate.toFixed(0)} records/s)`,
        anchorValue: plainRate,
        ratio: appendRate / plainRate,
        aim: '>= 0.25',
        valueAim: '>= 2000',
      },
      {
        name: `audit.verify chain+seals+body digests (${verifyRate.toFixed(0)} records/s; aim >= 50000 records/s)`,
        value: verifyRate,
        unit: 'records/s',
        anchor: `plain full scan of the same store (${scanRate.toFixed(0)} records/s)`,
        anchorValue: scanRate,
        ratio: verifyRate / scanRate,
        aim: '>= 0.3',
        valueAim: '>= 50000',
      },
    ];
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
