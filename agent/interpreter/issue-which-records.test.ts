// "which members had an urgent visit" lists the members with such a visit: a ratio that shares the
// question's words ("Visits per Member") is meant only when the question divides, and a cube named
// with a value of its own is where that value's condition is kept. Over an invented model.
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

describe('which records had a row with a value', () => {
  it('lists the records, not a ratio sharing their words', () => {
    for (const q of ['which members had an urgent visit', 'list members who had an urgent visit']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('query');
      if (r.kind !== 'query') continue;
      expect(r.query.measures ?? [], q).toEqual([]);
      expect(r.query.dimensions, q).toContain('members.id');
      expect(r.query.filters, q).toContainEqual({
        member: 'visits.setting',
        operator: 'equals',
        values: ['urgent'],
      });
    }
  });

  it('still reads the ratio when the question divides', () => {
    const r = interpretQuery('average visits per member', lexicon, now);
    expect(r.kind === 'query' && r.query.measures).toEqual(['visits.visits_per_member']);
  });
});
