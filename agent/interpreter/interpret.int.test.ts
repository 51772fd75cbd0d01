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
import { buildLexicon, interpret } from './index.ts';

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
