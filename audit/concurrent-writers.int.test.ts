import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import type { AuditLogConfig, AuditStoreConfig } from './config.ts';
import { removeDir, sqliteConfig, writeLog } from './testing/fixtures.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `audit_concurrent_${process.pid}_${Date.now()}`;
const child = fileURLToPath(new URL('./testing/writer-child.ts', import.meta.url));
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

/** Start a writer process; resolves `ready` once it has opened the log, `done` when it exits 0. */
function writer(
  store: AuditStoreConfig,
  keyPath: string,
  count: number,
  name: string,
  barrier: string,
  anchor: string,
) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', child, JSON.stringify(store), keyPath, String(count), name, barrier, anchor],
    { cwd: join(fileURLToPath(import.meta.url), '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
  const done = new Promise<void>((resolve, reject) =>
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited ${code}`)))),
  );
  return { ready, done };
}

async function twoWritersThenVerify(config: AuditLogConfig) {
  // Both start on a store and key that already exist, as replicas of one deployment do, and
  // append their checkpoints to one shared anchor file.
  await writeLog(config, 2);
  const barrier = join(tmpdir(), `audit-go-${process.pid}-${Date.now()}`);
  const anchor = config.anchors?.[0]?.path ?? '';
  const a = writer(config.store, config.signingKeyPath, 100, 'replica-a', barrier, anchor);
  const b = writer(config.store, config.signingKeyPath, 100, 'replica-b', barrier, anchor);
  await Promise.all([a.ready, b.ready]);
  writeFileSync(barrier, 'go');
  await Promise.all([a.done, b.done]);
  rmSync(barrier);
  const log = await AuditLog.open(config);
  try {
    const report = await log.verify();
    const a = await log.search({ userId: 'replica-a' }, { limit: 1000 });
    const b = await log.search({ userId: 'replica-b' }, { limit: 1000 });
    const writers = new Set([...a.records, ...b.records].map((r) => r.writer));
    // The replicas' records interleave in the one chain (each page is newest first).
    const interleaved =
      Math.min(...a.records.map((r) => r.seq)) < Math.max(...b.records.map((r) => r.seq)) &&
      Math.min(...b.records.map((r) => r.seq)) < Math.max(...a.records.map((r) => r.seq));
    return { report, a: a.records.length, b: b.records.length, writers, interleaved };
  } finally {
    await log.close();
  }
}

function withAnchor(dir: string, config: AuditLogConfig): AuditLogConfig {
  return { ...config, anchors: [{ kind: 'file', path: join(dir, 'shared-anchors', 'audit.log') }] };
}

describe('two writer processes at once share one chain that verifies', () => {
  it('on the workspace store (SQLite)', async () => {
    const { dir, config } = sqliteConfig();
    dirs.push(dir);
    const r = await twoWritersThenVerify(withAnchor(dir, config));
    expect(r.report).toMatchObject({ ok: true, records: 202, firstSeq: 1, lastSeq: 202 });
    // Every checkpoint either replica made is in the shared anchor file, whole.
    expect(r.report.anchors).toMatchObject({
      count: r.report.checkpoints,
      unreadable: 0,
      anchoredThrough: 202,
    });
    expect([r.a, r.b]).toEqual([100, 100]);
    expect(r.writers).toEqual(new Set(['replica-a', 'replica-b']));
    expect(r.interleaved).toBe(true);
  });

  it('on PostgreSQL', async () => {
    const { dir, config } = sqliteConfig({ store: { kind: 'postgres', url: PG_URL, schema: SCHEMA } });
    dirs.push(dir);
    const r = await twoWritersThenVerify(withAnchor(dir, config));
    expect(r.report).toMatchObject({ ok: true, records: 202, lastSeq: 202 });
    expect(r.report.anchors).toMatchObject({
      count: r.report.checkpoints,
      unreadable: 0,
      anchoredThrough: 202,
    });
    expect([r.a, r.b]).toEqual([100, 100]);
    expect(r.interleaved).toBe(true);
  });
});
