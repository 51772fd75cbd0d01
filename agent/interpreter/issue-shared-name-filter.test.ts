// A filter by a name several records share (issue #15: "how many encounters at Mount Auburn
// Hospital" filtered by the name and silently added up two organizations, 151). The figure is
// broken down by each record's key with the name beside it, and says how many share the name; a
// lookup of one attribute asks which one, each told apart by its other fields. Over the invented
// clinic model, whose site name is marked not unique (meta `unique: false`).
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube, type LexiconValues } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name === 'sites'
    ? {
        ...c,
        dimensions: c.dimensions.map((d) =>
          d.name === 'sites.name' ? { ...d, meta: { unique: false } } : d,
        ),
      }
    : c,
);

const values: LexiconValues = [
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  {
    dimension: 'sites.name',
    values: ['Harbor View Practice', 'Elm Street Practice', 'Northside Practice'],
    shared: ['Harbor View Practice'],
    holders: {
      'Harbor View Practice': [
        { key: 's-1', detail: 'Portsmouth' },
        { key: 's-2', detail: 'Salem' },
      ],
    },
  },
];
const lexicon = buildLexicon(cubes, values);

function query(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('a figure filtered by a name several records share', () => {
  it('is one row per record, by its key with the name beside it, and says so', () => {
    const r = query('how many visits at Harbor View Practice');
    expect(r.query.dimensions).toEqual(['visits.site', 'sites.name']);
    expect(r.query.filters).toEqual([
      { member: 'sites.name', operator: 'equals', values: ['Harbor View Practice'] },
    ]);
    expect(r.interpretation).toContain('2 sites share the name Harbor View Practice: one row each');
    // The same with a period and a column's total.
    const charge = query('total charge at Harbor View Practice in 2023');
    expect(charge.query.dimensions).toEqual(['visits.site', 'sites.name']);
  });

  it('is a single figure when the name is one record’s', () => {
    const r = query('how many visits at Northside Practice');
    expect(r.query.dimensions).toBeUndefined();
    expect(r.interpretation).not.toContain('share the name');
  });

  it('is a single figure when the model leaves the name unique', () => {
    const plain = buildLexicon(clinicCubes, values);
    const r = interpretQuery('how many visits at Harbor View Practice', plain, now);
    expect(r.kind === 'query' && r.query.dimensions).toBeFalsy();
  });
});

describe('one attribute of a record named by a shared name', () => {
  it('asks which one, each told apart, with a question for each by its id', () => {
    const r = interpret('what town is Harbor View Practice in', lexicon, now);
    expect(r.kind).toBe('clarify');
    if (r.kind !== 'clarify') return;
    expect(r.message).toContain('2 sites share the name Harbor View Practice');
    expect(r.message).toContain('Portsmouth (id s-1)');
    expect(r.message).toContain('Salem (id s-2)');
    expect(r.options.map((o) => o.label)).toEqual([
      'Harbor View Practice, Portsmouth',
      'Harbor View Practice, Salem',
    ]);
    expect(r.options[0]?.question).toBe('what town is Harbor View Practice s-1 in');
  });
});
