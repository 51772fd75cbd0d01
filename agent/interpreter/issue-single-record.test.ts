// One record, not a group (issue: "what was the single most expensive encounter's claim cost" had
// answered the top description by summed claim cost): "the single most expensive <record>'s
// <figure>" is the maximum of the row value over single records, as "the most expensive single
// <record>" already was. Over an invented model, so the test proves the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('the single most expensive record', () => {
  it('is the maximum (or minimum) of the row value, wherever "single" is said', () => {
    for (const [q, stat] of [
      ["what was the single most expensive visit's charge", 'max'],
      ["what was the most expensive single visit's charge", 'max'],
      ['the single most expensive visit charge', 'max'],
      ["the single cheapest visit's charge", 'min'],
      ['the individual least expensive visit charge', 'min'],
    ] as const) {
      const r = form(q);
      expect(r.form, q).toMatchObject({ kind: 'distribution', stat, cube: 'visits', value: 'visits.charge' });
      expect('groupBy' in r.form && r.form.groupBy, q).toBeFalsy();
    }
  });
});
