// A bound on a column whose words name several columns, or said with a figure word (issue: "how
// many encounters cost over 1000" counted encounters with an immunization whose base cost is over
// 1000 — 0 —, and "average age of patients over 65" / "mean claim cost of encounters over 1000"
// answered the NUMBER of rows over the bound). The records named choose among the columns the same
// words name (their name's word may be part of the column's: "encounters cost"); several of theirs
// alike are asked about; a figure word the count does not use is named back, never dropped. Over
// the bundled model on the Synthea fixture.
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
import { buildLexicon, interpret, type Lexicon } from './index.ts';

let fx: FixtureLake;
let lexicon: Lexicon;
const now = new Date('2024-01-01T12:00:00Z');

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters', 'patients', 'immunizations'] });
  const layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake, now: () => now });
  const gate = await Gate.create<SecurityContext>({
    lake: fx.lake,
    relations: (ctx) => [...layer.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
  });
  const ctx = contextFor('admin');
  const meta = layer.meta(ctx).cubes.filter((c) => c.isVisible !== false);
  lexicon = buildLexicon(meta as never, await valueIndex(layer, gate, ctx));
}, 120_000);
afterAll(async () => {
  await fx?.close();
});

const counted = (q: string) => {
  const r = interpret(q, lexicon, now);
  return r.kind === 'form' && r.form.kind === 'aggregate' && !('value' in r.form && r.form.value);
};

describe('a bound on a column', () => {
  it('reads a cost of the records named, not of other records', () => {
    const r = interpret('how many encounters cost over 1000', lexicon, now);
    expect(JSON.stringify(r)).not.toContain('immunizations');
    if (r.kind === 'form') expect(r.interpretation).toContain('Encounter Cost');
  });

  it('still reads a column named in full', () => {
    const r = interpret('how many encounters had a total claim cost over 1000', lexicon, now);
    if (r.kind !== 'form') throw new Error(JSON.stringify(r));
    expect(r.sql).toContain('total_claim_cost');
  });

  it('never counts rows over a bound when a figure of them is asked', () => {
    for (const q of ['average age of patients over 65', 'mean claim cost of encounters over 1000'])
      expect(counted(q), q).toBe(false);
  });
});
