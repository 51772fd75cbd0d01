// A ranking of the kinds of a cube's own records (issue: "which device types were given to the most
// distinct patients" had ranked encounter classes, the dimension another cube calls "type"): "<records>
// types", "kinds of <records>" rank the records' own label, and a count of other records ranked by
// them is the distinct count of those kept in the ranked records' rows. Over an invented model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
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
    { name: 'supplies.visit', title: 'Visit', type: 'string' },
    { name: 'supplies.description', title: 'Description', type: 'string' },
  ],
};
// The visits' setting is what people call a visit "type": "type" alone names it too.
const cubes = [
  ...clinicCubes.map((c) =>
    c.name !== 'visits'
      ? c
      : {
          ...c,
          dimensions: c.dimensions?.map((d) =>
            d.name === 'visits.setting' ? { ...d, meta: { synonyms: ['type', 'types', 'visit type'] } } : d,
          ),
        },
  ),
  supplies,
] as LexiconCube[];
const lexicon = buildLexicon(cubes, [
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  { dimension: 'supplies.description', values: ['Walker', 'Glucose meter'] },
]);

function query(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query;
}

describe('a ranking of the kinds of records', () => {
  it('ranks the records own label, not a dimension "type" names elsewhere', () => {
    for (const [q, limit] of [
      ['which supply types were given to the most distinct members', 10],
      ['which supply types were given to the most members', 10],
      ['top 2 kinds of supplies by number of members', 2],
      ['top 2 supply types by number of distinct members', 2],
    ] as const) {
      const got = query(q);
      expect(got.dimensions, q).toEqual(['supplies.description']);
      expect(got.measures, q).toEqual(['supplies.distinct_members']);
      expect(got.order?.[0]?.[1], q).toBe('desc');
      expect(got.limit, q).toBe(limit);
    }
  });

  it('ranks records named in full as what is ranked, not what they are ranked by', () => {
    const got = query('which supplies were given to the most members');
    expect(got.dimensions).toEqual(['supplies.description']);
    expect(got.measures).toEqual(['supplies.distinct_members']);
    expect(got.limit).toBe(10);
  });

  it('counts people reached by a kind of record through that record rows', () => {
    const got = query('which supply went to the most people');
    expect(got.dimensions).toEqual(['supplies.description']);
    expect(got.measures).toEqual(['supplies.distinct_members']);
    expect(got.limit).toBe(1);
  });

  it('keeps a dimension the records words and the kind word name together', () => {
    const got = query('what are the most common visit types');
    expect(got.dimensions).toEqual(['visits.setting']);
    expect(got.measures).toEqual(['visits.count']);
  });

  it('ranks the records named before "the most", by the records named after it', () => {
    // The supplies' label named by the supplies' own word: still what the members are ranked by.
    const named = buildLexicon(
      cubes.map((c) =>
        c.name !== 'supplies'
          ? c
          : {
              ...c,
              dimensions: c.dimensions?.map((d) =>
                d.name === 'supplies.description' ? { ...d, meta: { synonyms: ['supply', 'supplies'] } } : d,
              ),
            },
      ) as LexiconCube[],
      [],
    );
    for (const q of [
      'who are the 3 members with the most supplies',
      'which 3 members had the most supplies',
    ]) {
      const r = interpretQuery(q, named, now);
      expect(r.kind, q).toBe('query');
      if (r.kind !== 'query') continue;
      expect(r.query.dimensions, q).toEqual(['supplies.member']);
      expect(r.query.measures, q).toEqual(['supplies.count']);
    }
    const common = interpretQuery('top 3 most common supplies', named, now);
    expect(common.kind === 'query' && common.query.dimensions).toEqual(['supplies.description']);
  });
});
