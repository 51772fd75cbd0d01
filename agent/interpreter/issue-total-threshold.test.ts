// "patients with more than 100 dispenses in total" had been read as a condition on one row
// (patients with a medication where dispenses > 100), the words "in total" taken for counting.
// An adding-up word said around the amount ("… in total", "a total of more than …", "…
// altogether") compares each entity's sum of the column; without one, "a single <record> with
// more than N <column>" stays a condition on one row. Over an invented model, so the test proves
// the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('a threshold on an amount added up per entity', () => {
  it('sums the column over each entity’s rows when an adding-up word is said around it', () => {
    for (const q of [
      'members with more than 500 charge in total',
      'how many members had a total of more than 500 charge',
      'how many members had more than 500 charge altogether',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({ kind: 'threshold', entity: 'members', agg: 'sum', op: 'gt', n: 500 });
      expect(r.sql, q).toContain('HAVING sum("charge") > 500');
    }
  });

  it('keeps one record’s amount a condition on that record', () => {
    const r = form('how many members had a single visit with a charge over 500');
    expect(r.sql).not.toContain('sum(');
    expect(r.sql).toContain('"charge" > 500');
  });

  it('asks back when neither one record nor a total is said', () => {
    for (const q of ['members with more than 500 charge', 'how many members had over 500 charge']) {
      const r = interpret(q, lexicon, now);
      expect(r.kind, q).toBe('clarify');
      expect(r.kind === 'clarify' && r.message, q).toMatch(/single one of their visits.*in total/);
    }
  });
});
