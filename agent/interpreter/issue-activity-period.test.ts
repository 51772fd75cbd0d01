// A period said of records whose model names their activity (meta `activity`) is of that activity:
// "how many members did we see in 2023" counts the members with visits in 2023, each once — not
// the members whose own date (a joining or birth date) falls in 2023. Their own date named still
// reads their own date. Over an invented model, so the test proves the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes = clinicCubes.map((c) => {
  if (c.name === 'members') return { ...c, meta: { ...c.meta, activity: 'visits' } };
  if (c.name !== 'visits') return c;
  return {
    ...c,
    measures: c.measures?.map((m) =>
      m.name === 'visits.distinct_members' ? { ...m, columns: ['member'] } : m,
    ),
    dimensions: c.dimensions?.map((d) => (d.name === 'visits.member' ? { ...d, columns: ['member'] } : d)),
  };
}) as LexiconCube[];
const lexicon = buildLexicon(cubes, []);

function query(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query;
}

describe('a period said of records is of their activity', () => {
  it('counts the records with activity in the period, each once', () => {
    for (const q of [
      'how many members did we see in 2023',
      'how many members in 2023',
      'number of members in 2023',
    ]) {
      const got = query(q);
      expect(got.measures, q).toEqual(['visits.distinct_members']);
      expect(got.timeDimensions?.[0]?.dimension, q).toBe('visits.started_at');
    }
  });

  it('keeps a condition on the records themselves', () => {
    const got = query('how many female members in 2023');
    expect(got.measures).toEqual(['visits.distinct_members']);
    expect(got.filters).toContainEqual(expect.objectContaining({ member: 'members.sex' }));
  });

  it('reads the records own date when it is named', () => {
    const got = query('how many members joined in 2023');
    expect(got.measures).toEqual(['members.count']);
    expect(got.timeDimensions?.[0]?.dimension).toBe('members.joined_at');
  });

  it('keeps the records own date when the model names no activity', () => {
    const plain = buildLexicon(clinicCubes, []);
    const r = interpretQuery('how many members in 2023', plain, now);
    expect(r.kind === 'query' && r.query.measures).toEqual(['members.count']);
  });
});
