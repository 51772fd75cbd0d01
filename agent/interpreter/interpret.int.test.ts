// The interpreter over the bundled model and the real gate on the Synthea fixture: its SQL runs
// under the caller's policies like any statement, so a clinician's median, share and threshold
// are those of their own organization's rows — checked against SQL written by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate } from '../../gate/index.ts';
import { type SecurityContext, SemanticLayer } from '../../semantic/index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../../semantic/testing/index.ts';
import { valueIndex } from '../semantic-deps.ts';
import { buildLexicon, interpret, interpretQuery } from './index.ts';

let fx: FixtureLake;
let layer: SemanticLayer;
let gate: Gate<SecurityContext>;
let org: string;
const now = new Date('2024-01-01T12:00:00Z');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, {
    only: ['encounters', 'patients', 'organizations', 'payers', 'providers'],
  });
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake, now: () => now });
  gate = await Gate.create<SecurityContext>({
    lake: fx.lake,
    relations: (ctx) => [...layer.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
  });
  org = String(
    (await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1'))
      .rows[0]?.[0],
  );
}, 120_000);
afterAll(async () => {
  await fx?.close();
});

async function answer(question: string, ctx: SecurityContext): Promise<unknown[][]> {
  const meta = layer.meta(ctx).cubes.filter((c) => c.isVisible !== false);
  const lexicon = buildLexicon(meta as never, await valueIndex(layer, gate, ctx));
  const read = interpret(question, lexicon, now);
  if (read.kind !== 'form') throw new Error(`${question}: ${JSON.stringify(read)}`);
  return (await gate.governedSql(read.sql, ctx)).rows;
}

async function direct(sql: string): Promise<unknown[][]> {
  return (await fx.lake.query(sql)).rows;
}

describe('interpreter SQL through the gate', () => {
  it('answers an analyst over every row, as hand-written SQL does', async () => {
    const analyst = contextFor('analyst');
    expect(await answer('median base encounter cost of emergency visits', analyst)).toEqual(
      await direct("SELECT median(base_encounter_cost) FROM encounters WHERE encounterclass = 'emergency'"),
    );
    expect(await answer('how many patients had more than 50 visits?', analyst)).toEqual(
      await direct('SELECT count(*) FROM (SELECT patient FROM encounters GROUP BY 1 HAVING count(*) > 50)'),
    );
  });

  it('answers a clinician over their organization’s rows only', async () => {
    const clinician = contextFor('clinician', { organization_id: org });
    const mine = await answer('what share of encounters were emergencies?', clinician);
    const expected = await direct(
      `SELECT avg(CASE WHEN encounterclass = 'emergency' THEN 1.0 ELSE 0.0 END) FROM encounters WHERE organization = '${org}'`,
    );
    expect(Number(mine[0]?.[0])).toBeCloseTo(Number(expected[0]?.[0]), 9);
    const all = await answer('what share of encounters were emergencies?', contextFor('analyst'));
    expect(Number(mine[0]?.[0])).not.toBeCloseTo(Number(all[0]?.[0]), 6);
  });
});

describe('the value index under the caller’s row policy', () => {
  it('neither recognises nor names a value found only in rows outside the clinician’s scope', async () => {
    const clinician = contextFor('clinician', { organization_id: org });
    // Reasons for visit recorded only at other organizations, of words no visible reason shares.
    const rows = await direct(
      `SELECT reasondescription FROM encounters WHERE reasondescription IS NOT NULL GROUP BY 1
       HAVING bool_and(organization <> '${org}') ORDER BY count(*) DESC`,
    );
    const mine = (await valueIndex(layer, gate, clinician)).flatMap((d) => d.values);
    const words = (v: string) => v.toLowerCase().match(/[a-z]{4,}/g) ?? [];
    const seen = new Set(mine.flatMap(words));
    const hidden = rows.map((r) => String(r[0])).find((v) => words(v).every((w) => !seen.has(w)));
    expect(hidden).toBeDefined();
    expect(mine).not.toContain(hidden);
    const said = (hidden as string).replace(/\s*\([^)]*\)/g, '').toLowerCase();
    const question = `how many encounters had the reason ${said}?`;

    // The admin's index holds it: the same words are read as that value.
    const admin = contextFor('admin');
    const all = buildLexicon(layer.meta(admin).cubes as never, await valueIndex(layer, gate, admin));
    const asAdmin = interpret(question, all, now);
    const adminQuery = asAdmin.kind === 'none' ? interpretQuery(question, all, now, undefined) : asAdmin;
    expect(JSON.stringify(adminQuery)).toContain(JSON.stringify(hidden).slice(1, -1));

    // The clinician's does not: asked back, naming the words and no stored value.
    const meta = layer.meta(clinician).cubes.filter((c) => c.isVisible !== false);
    const lexicon = buildLexicon(meta as never, await valueIndex(layer, gate, clinician));
    const read = interpret(question, lexicon, now);
    const reading = read.kind === 'none' ? interpretQuery(question, lexicon, now, undefined) : read;
    expect(reading.kind).toBe('clarify');
    expect(JSON.stringify(reading)).not.toContain(JSON.stringify(hidden).slice(1, -1));
  });
});
