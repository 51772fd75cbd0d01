// A year filter on a TIMESTAMPTZ column counts the rows of that year in UTC, whatever the session's
// time zone: a visit at 02:00 UTC on New Year's Day belongs to the new year even where it is still
// New Year's Eve locally. Real DuckDB, a session in New York, timestamps with a zone.
process.env.TZ = 'America/New_York';

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
const now = new Date('2024-01-01T12:00:00Z');
const admin = contextFor('admin');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, {
    only: ['encounters', 'patients', 'organizations', 'payers'],
  });
  // Two visits either side of midnight UTC at a year's turn, each with a cost no other visit has.
  const planted = (at: string, cost: number) =>
    `SELECT * REPLACE (TIMESTAMPTZ '${at}' AS start, TIMESTAMPTZ '${at}' AS stop, ${cost} AS total_claim_cost, 'tz-${cost}' AS id) FROM (SELECT * FROM ${fx.lake.tableRef('encounters')} LIMIT 1)`;
  await fx.lake.append(
    'encounters',
    `${planted('2021-01-01 02:00:00+00', 888888)} UNION ALL ${planted('2022-01-01 02:00:00+00', 999999)}`,
    { author: 'test', message: 'plant' },
  );
  layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake, now: () => now });
  gate = await Gate.create<SecurityContext>({
    lake: fx.lake,
    relations: (ctx) => [...layer.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
  });
}, 120_000);
afterAll(async () => {
  await fx?.close();
});

async function answer(question: string): Promise<unknown[][]> {
  const meta = layer.meta(admin).cubes.filter((c) => c.isVisible !== false);
  const lexicon = buildLexicon(meta as never, await valueIndex(layer, gate, admin));
  const read = interpret(question, lexicon, now);
  if (read.kind !== 'form') throw new Error(`${question}: ${JSON.stringify(read)}`);
  return (await gate.governedSql(read.sql, admin)).rows;
}

describe('governed SQL on a TIMESTAMPTZ column in a session outside UTC', () => {
  it('runs where the session reads zone-aware times in New York', async () => {
    const r = await fx.lake.query(
      "SELECT current_setting('TimeZone'), typeof(start), year(TIMESTAMPTZ '2022-01-01 02:00:00+00') FROM encounters LIMIT 1",
    );
    expect(r.rows[0]).toEqual(['America/New_York', 'TIMESTAMP WITH TIME ZONE', 2021]);
  });

  it('keeps a year filter to the rows of that year in UTC', async () => {
    expect(Number((await answer('maximum total claim cost of encounters in 2021'))[0]?.[0])).toBe(888888);
    expect(Number((await answer('maximum total claim cost of encounters in 2022'))[0]?.[0])).toBe(999999);
  });
});
