// "which members had an urgent visit" lists the members with such a visit: a ratio that shares the
// question's words ("Visits per Member") is meant only when the question divides, and a cube named
// with a value of its own is where that value's condition is kept. ("show me the costs" names no
// records: a list word alone does not rule the ratio out; see evals/suites/clarification.yaml.)
// Over an invented model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes = clinicCubes.map((c) =>
  c.name === 'visits'
    ? {
        ...c,
        measures: [
          ...(c.measures ?? []),
          { name: 'visits.visits_per_member', title: 'Visits per Member', type: 'number', aggType: 'number' },
        ],
      }
    : c,
) as LexiconCube[];
const lexicon = buildLexicon(cubes, [{ dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] }]);
const urgent = { member: 'visits.setting', operator: 'equals', values: ['urgent'] };

describe('which records had a row with a value', () => {
  it('lists the records, not a ratio sharing their words', () => {
    for (const q of ['which members had an urgent visit', 'list members who had an urgent visit']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('query');
      if (r.kind !== 'query') continue;
      expect(r.query.measures ?? [], q).toEqual([]);
      expect(r.query.dimensions, q).toContain('members.id');
      expect(r.query.filters, q).toContainEqual(urgent);
    }
  });

  it('"who" lists the people the records named belong to', () => {
    const r = interpretQuery('who had an urgent visit in 2023', lexicon, now);
    expect(r.kind).toBe('query');
    if (r.kind !== 'query') return;
    expect(r.query.dimensions).toContain('members.id');
    expect(r.query.filters).toContainEqual(urgent);
    expect(r.query.timeDimensions?.[0]?.dimension).toBe('visits.started_at');
  });

  it('still reads the ratio when the question divides', () => {
    const r = interpretQuery('average visits per member', lexicon, now);
    expect(r.kind === 'query' && r.query.measures).toEqual(['visits.visits_per_member']);
  });
});
