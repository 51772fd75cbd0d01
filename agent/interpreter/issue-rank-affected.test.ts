// Rankings of records by the people they reach (issue: "medications taken by the most people" was a
// top 1, "people" after "most" read as a singular noun of what is ranked; "top conditions by
// patients affected" was ranked by patient). The records' own noun before "most" says how many are
// wanted; "by <people> <how-word>" ranks by the people counted, as "by <people>" does. Over an
// invented model, so the test proves the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

const supplies: LexiconCube = {
  name: 'supplies',
  title: 'Supplies',
  meta: { synonyms: ['supply', 'equipment'] },
  measures: [
    { name: 'supplies.count', title: 'Supplies Count', type: 'number', aggType: 'count' },
    {
      name: 'supplies.distinct_members',
      title: 'Distinct Members',
      type: 'number',
      aggType: 'countDistinct',
    },
  ],
  dimensions: [
    { name: 'supplies.id', title: 'Id', type: 'string', primaryKey: true },
    { name: 'supplies.member', title: 'Member', type: 'string' },
    { name: 'supplies.description', title: 'Description', type: 'string' },
  ],
};
const lexicon = buildLexicon([...clinicCubes, supplies] as LexiconCube[], [
  { dimension: 'supplies.description', values: ['Walker', 'Glucose meter'] },
]);

function query(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query;
}

describe('records ranked by the people they reach', () => {
  it('wants several when the records are named in the plural before "most"', () => {
    for (const [q, limit] of [
      ['supplies given to the most people', 10],
      ['which supplies affect the most people', 10],
      ['which supply affects the most people', 1],
    ] as const) {
      const got = query(q);
      expect(got.dimensions, q).toEqual(['supplies.description']);
      expect(got.measures, q).toEqual(['supplies.distinct_members']);
      expect(got.limit, q).toBe(limit);
    }
  });

  it('ranks by the people counted when they are named with a word of how', () => {
    for (const q of ['top 3 supplies by members affected', 'top 3 supplies by members']) {
      const got = query(q);
      expect(got.dimensions, q).toEqual(['supplies.description']);
      expect(got.measures, q).toEqual(['supplies.distinct_members']);
      expect(got.limit, q).toBe(3);
    }
  });

  it('is not asked back by the cohort reading for its ranking word alone', () => {
    for (const q of [
      'which supplies were given to the most members',
      'which supplies went to the fewest members',
    ]) {
      expect(interpret(q, lexicon, now).kind, q).not.toBe('clarify');
      expect(interpretQuery(q, lexicon, now).kind, q).toBe('query');
    }
  });
});
