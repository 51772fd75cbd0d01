import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../core/index.ts';
import type { Lakehouse } from '../lakehouse/index.ts';
import type { Gate } from './index.ts';
import { gateFixture, type TestCtx } from './testing/fixture.ts';
import { findLeaks, type LeakRules, loadLeakRules } from './testing/leaks.ts';
import {
  maskedTemplate,
  type RelName,
  raisingTemplate,
  render,
  selectTemplate,
} from './testing/query-grammar.ts';

// Differential: a random SELECT through the gate, as a clinician of a random organization, returns
// exactly what the same SELECT returns when run directly on the lake over the rows that clinician
// may see — chosen here by hand, in JavaScript, from the base rows (not by the policy SQL).
// Masking: random SELECTs as the analyst never show an identifier, and answer the same on a twin
// lake whose masked values all differ.
// Errors: random SELECTs whose expressions raise on chosen rows (issue 13, B1) give a clinician the
// same outcome (rows, error or not, error class) on the base lake and on a twin that differs only
// in rows the clinician may not see.

let lake: Lakehouse;
let gate: Gate<TestCtx>;
let twinGate: Gate<TestCtx>;
let clinicianTwinGate: Gate<TestCtx>;
let rules: LeakRules;
const cleanups: Array<() => Promise<void>> = [];
/** Per organization: the encounter ids and patient ids its clinicians may see. */
const visible = new Map<string, { encounters: string[]; patients: string[] }>();

beforeAll(async () => {
  const [base, twin, clinicianTwin] = await Promise.all([
    gateFixture('base'),
    gateFixture('analystTwin'),
    gateFixture('clinicianTwin'),
  ]);
  cleanups.push(base.cleanup, twin.cleanup, clinicianTwin.cleanup);
  ({ lake, gate } = base);
  twinGate = twin.gate;
  clinicianTwinGate = clinicianTwin.gate;
  rules = await loadLeakRules(lake);
  const all = await lake.query('SELECT id, patient, organization FROM lake.main.encounters');
  for (const org of ['orgA', 'orgB', 'orgC']) {
    const mine = (all.rows as string[][]).filter((r) => r[2] === org);
    visible.set(org, {
      encounters: mine.map((r) => String(r[0])),
      patients: [...new Set(mine.map((r) => String(r[1])))],
    });
  }
});
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

function byHand(org: string): (name: RelName, alias: string) => string {
  const v = visible.get(org)!;
  const among = (ids: string[]) => (ids.length ? `id IN (${ids.map(quoteLiteral).join(', ')})` : 'false');
  return (name, alias) =>
    name === 'encounters'
      ? `(SELECT id, patient, organization, cost FROM lake.main.encounters WHERE ${among(v.encounters)}) AS ${alias}`
      : `(SELECT id, name, birthdate, zip FROM lake.main.patients WHERE ${among(v.patients)}) AS ${alias}`;
}

const governed = (name: RelName, alias: string) => `${name} AS ${alias}`;
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

type Outcome = { ok: true; columns: unknown; rows: string[] } | { ok: false; error: string };

async function outcome(run: () => Promise<{ columns: unknown; rows: unknown[][] }>): Promise<Outcome> {
  try {
    const r = await run();
    return { ok: true, columns: r.columns, rows: sorted(r.rows) };
  } catch (err) {
    return { ok: false, error: (err as { code?: string }).code ?? String(err) };
  }
}

describe('governed SQL, differential', () => {
  it('answers a clinician exactly as a query over the rows they may see', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('orgA', 'orgB', 'orgC'), selectTemplate, async (org, template) => {
        const ours = await gate.governedSql(
          render(template, governed),
          { role: 'clinician', org },
          { maxRows: 100_000 },
        );
        const reference = await lake.query(render(template, byHand(org)));
        expect(ours.columns).toEqual(reference.columns);
        expect(sorted(ours.rows)).toEqual(sorted(reference.rows));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps masked columns masked through every construct, and independent of the masked values', async () => {
    const analyst: TestCtx = { role: 'analyst' };
    await fc.assert(
      fc.asyncProperty(maskedTemplate, async (template) => {
        const sql = render(template, governed);
        const base = await outcome(() => gate.governedSql(sql, analyst));
        if (base.ok)
          expect(
            findLeaks(
              rules,
              analyst,
              base.rows.map((r) => JSON.parse(r) as unknown),
            ),
          ).toEqual([]);
        expect(await outcome(() => twinGate.governedSql(sql, analyst))).toEqual(base);
      }),
      { numRuns: 200 },
    );
  });

  it('gives a clinician the same outcome, error or not, whatever rows they may not see hold', async () => {
    const clinician: TestCtx = { role: 'clinician', org: 'orgA' };
    const seen = { ok: 0, failed: 0 };
    const classOf = async (run: () => Promise<{ columns: unknown; rows: unknown[][] }>) => {
      try {
        const r = await run();
        return { ok: true, columns: r.columns, rows: sorted(r.rows) };
      } catch (err) {
        // The code and the sanitised message, which names the engine's error class.
        const e = err as { code?: string; message?: string };
        return { ok: false, code: e.code, message: e.message };
      }
    };
    await fc.assert(
      fc.asyncProperty(raisingTemplate, async (template) => {
        const sql = render(template, governed);
        const base = await classOf(() => gate.governedSql(sql, clinician));
        seen[base.ok ? 'ok' : 'failed']++;
        expect(await classOf(() => clinicianTwinGate.governedSql(sql, clinician))).toEqual(base);
      }),
      { numRuns: 200 },
    );
    // Both kinds of outcome happened: the raisers do raise on rows the clinician can see.
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.failed).toBeGreaterThan(5);
  });
});
