// "Which patients have a single prescription with more than 100 dispenses?" had read "single" as
// the marital status S (a value synonym) and answered a cohort of single patients. A word said
// between an article and a noun of another kind of record qualifies that noun ("a single
// refill", "one single visit"): it names no value of other records through a synonym. Before the
// value's own records ("single members", "a single member") it still does. Over an invented model,
// so the test proves the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { buildLexicon, type Interpretation, interpret, interpretQuery } from './index.ts';
import { dropRestating, qualifyingWords } from './restating.ts';
import { clinicCubes } from './testing/clinic.ts';
import { tokenize } from './text.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes = clinicCubes.map((c) =>
  c.name === 'members'
    ? {
        ...c,
        dimensions: [
          ...c.dimensions,
          {
            name: 'members.marital',
            title: 'Marital',
            type: 'string',
            meta: { value_synonyms: { S: ['single', 'unmarried'], M: ['married'] } },
          },
        ],
      }
    : c,
);
const lexicon = buildLexicon(cubes, [{ dimension: 'members.marital', values: ['S', 'M'] }]);

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('a value synonym that qualifies another record’s noun', () => {
  it('is set aside after an article, before a noun of another cube', () => {
    const words = (q: string) => qualifyingWords(tokenize(q), lexicon).map((i) => tokenize(q)[i]?.word);
    expect(words('which members have a single refill with a charge over 100')).toEqual(['single']);
    expect(words('members with one unmarried visit')).toEqual(['unmarried']);
    expect(words('how many single members')).toEqual([]);
    expect(words('is there a single member with more than 3 visits')).toEqual([]);
    // A value of the noun's own records that the word begins is that value's.
    expect(words('members on a routine visit plan')).toEqual([]);
    expect(dropRestating('which members had any single visit over 500', lexicon)).toBe(
      'which members had any visit over 500',
    );
    // "for a single member": the record each figure is of keeps its word.
    expect(dropRestating('the most visits for a single member', lexicon)).toBe(
      'the most visits for a single member',
    );
  });

  it('leaves the row-level condition on the record, with no marital filter', () => {
    for (const q of [
      'Which members have a single refill with a charge over 100?',
      'members who had a single visit with a charge above 500',
    ]) {
      const r = form(q);
      expect(JSON.stringify(r.form), q).not.toContain('marital');
      expect(r.sql, q).toMatch(/"charge" > (100|500)/);
    }
  });

  it('still reads the value before its own records', () => {
    const q = interpretQuery('how many single members', lexicon, now);
    expect(q.kind === 'query' && q.query.filters).toEqual([
      { member: 'members.marital', operator: 'equals', values: ['S'] },
    ]);
  });
});
