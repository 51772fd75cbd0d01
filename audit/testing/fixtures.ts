// Shared set-up for the audit tests: a unique temp folder per log, a real store, a real key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticKeyProvider } from '../../lakehouse/index.ts';
import { AuditLog } from '../audit-log.ts';
import type { AuditLogConfig } from '../config.ts';
import type { AuditRecordInput } from '../record.ts';

export const TEST_WORKSPACE_KEY = 'test-workspace-key-0123456789abcdef';

/** A fresh folder and an SQLite-backed config in it. */
export function sqliteConfig(overrides: Partial<AuditLogConfig> = {}): {
  dir: string;
  config: AuditLogConfig;
} {
  const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
  return {
    dir,
    config: {
      store: { kind: 'sqlite', path: join(dir, 'audit', 'audit.db') },
      signingKeyPath: join(dir, 'keys', 'audit-signing.key'),
      key: staticKeyProvider(TEST_WORKSPACE_KEY),
      checkpointEvery: 4,
      checkpointMinutes: 60,
      ...overrides,
    },
  };
}

/** A request record as the agent writes it, numbered so tests can find it. */
export function requestRecord(n: number, extra: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return {
    type: 'request',
    outcome: 'ok',
    requestId: `req-${n}`,
    userId: `u${n}`,
    roles: ['analyst'],
    clientAddress: '127.0.0.1',
    route: 'POST /v1/chat',
    question: `How many encounters in 201${n % 10}?`,
    semanticQuery: { measures: ['encounters.count'], filters: [{ member: 'encounters.year', values: [n] }] },
    sql: `SELECT count(*) FROM encounters WHERE year = ${n}`,
    relations: [{ name: 'encounters', columns: [{ name: 'patient_id', phi: 'direct' }, { name: 'year' }] }],
    rowsReturned: 1,
    endpoint: 'claude',
    modelId: 'claude-sonnet',
    region: 'us-east-1',
    prompt: `{"messages":[{"role":"user","content":"question ${n} about Jane Canary"}]}`,
    response: `{"content":"answer ${n}"}`,
    result: { columns: ['count'], rows: [[n]] },
    latencyMs: 12.5,
    ...extra,
  };
}

/** Open a log, append `count` request records, close it. */
export async function writeLog(config: AuditLogConfig, count: number): Promise<void> {
  const log = await AuditLog.open(config);
  try {
    for (let i = 1; i <= count; i++) await log.append(requestRecord(i));
  } finally {
    await log.close();
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
