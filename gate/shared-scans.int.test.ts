import { afterAll, beforeAll, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { Gate } from './index.ts';
import { SHARED_SCAN_PREFIX } from './shared-scans.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';

// Issue 20 (gate join overhead): the clinician's patients policy and the encounters relation read
// the same filtered scan of encounters; the gate shares it (one CTE) instead of scanning twice.
// Every statement here runs shared and unshared, and the answers must be identical.

let gate: Gate<TestCtx>;
let lake: Lakehouse;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ gate, lake, cleanup } = await gateFixture());
});
afterAll(() => cleanup());

const clinicianA: TestCtx = { role: 'clinician', org: 'orgA' };

async function both(sql: string) {
  const shared = await gate.prepare(sql, clinicianA);
  const plain = await gate.prepare(sql, clinicianA, { shareScans: false });
  const run = async (s: string) =>
    (await lake.query(s, [], { isolated: true })).rows.map((r) => JSON.stringify(r)).sort();
  return { shared, plain, sharedRows: await run(shared.sql), plainRows: await run(plain.sql) };
}

it('shares the policy scan of a join and answers exactly as without sharing', async () => {
  for (const sql of [
    'SELECT p.zip, count(*) AS n, sum(e.cost) FROM encounters e JOIN patients p ON e.patient = p.id GROUP BY p.zip',
    'SELECT count(*) FROM patients WHERE id IN (SELECT patient FROM encounters WHERE cost > 100)',
    'WITH big AS (SELECT patient FROM encounters WHERE cost > 400) SELECT p.name FROM patients p JOIN big ON big.patient = p.id ORDER BY 1',
    'SELECT e.id FROM encounters e JOIN patients p USING (id) UNION ALL SELECT id FROM patients',
  ]) {
    const r = await both(sql);
    expect(r.shared.sql, sql).toContain(SHARED_SCAN_PREFIX);
    expect(r.plain.sql, sql).not.toContain(SHARED_SCAN_PREFIX);
    expect(r.sharedRows, sql).toEqual(r.plainRows);
  }
  // The counts a clinician of orgA may see, by hand: 100 encounters, the 40 patients p0…p39 seen there.
  const joined = await gate.governedSql(
    'SELECT count(*), count(DISTINCT p.id) FROM encounters e JOIN patients p ON e.patient = p.id',
    clinicianA,
  );
  expect(joined.sqlExecuted).toContain(SHARED_SCAN_PREFIX);
  expect(joined.rows).toEqual([[100, 40]]);
});

it('does not share when the statement can reach columns it does not name', async () => {
  for (const sql of [
    'SELECT * FROM encounters e JOIN patients p ON e.patient = p.id',
    'SELECT e.* FROM encounters e JOIN patients p ON e.patient = p.id',
    'SELECT to_json(e) FROM encounters e JOIN patients p ON e.patient = p.id',
    'SELECT count(*) FROM encounters NATURAL JOIN patients',
    "SELECT COLUMNS('c.*') FROM encounters e JOIN patients p ON e.patient = p.id",
  ]) {
    const r = await both(sql);
    expect(r.shared.sql, sql).not.toContain(SHARED_SCAN_PREFIX);
  }
  // One governed relation only: nothing repeats.
  expect((await gate.prepare('SELECT count(*) FROM patients', clinicianA)).sql).not.toContain(
    SHARED_SCAN_PREFIX,
  );
});

it('never lets the caller name a shared scan', async () => {
  for (const sql of [
    `SELECT * FROM ${SHARED_SCAN_PREFIX}0`,
    `SELECT count(*) FROM encounters e JOIN patients p ON e.patient = p.id, ${SHARED_SCAN_PREFIX}0`,
  ]) {
    const err = await gate.governedSql(sql, clinicianA).catch((e: unknown) => e);
    expect(hasCode(err, 'SQL_REFUSED'), sql).toBe(true);
  }
  // A caller's CTE of that name is renamed like every caller CTE, so it cannot shadow the policy's.
  const r = await gate.governedSql(
    `WITH ${SHARED_SCAN_PREFIX}0 AS (SELECT 'p40' AS patient) SELECT count(*) FROM patients p JOIN encounters e ON e.patient = p.id WHERE p.id IN (SELECT patient FROM ${SHARED_SCAN_PREFIX}0)`,
    clinicianA,
  );
  expect(r.rows).toEqual([[0]]);
});
