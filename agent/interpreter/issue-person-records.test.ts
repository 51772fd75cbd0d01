// Records of one person named by their full name ("which visits has Ada Lovelace had"): the
// question read without the name, kept to that person's rows by their name parts; a surname
// several people share is asked about, and a name the caller sees masked is never matched. Over
// the invented clinic model, with given and family names and their values in the local index.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube, personRecords } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function lexiconFor(masked: boolean) {
  const cubes: LexiconCube[] = clinicCubes.map((c) =>
    c.name === 'members'
      ? {
          ...c,
          dimensions: [
            ...c.dimensions,
            ...['given', 'family'].map((n) => ({
              name: `members.${n}`,
              title: n === 'given' ? 'Given' : 'Family',
              type: 'string',
              meta: {
                phi: 'direct',
                synonyms: [n === 'given' ? 'first name' : 'last name'],
                ...(masked ? { masked: true } : {}),
              },
            })),
          ],
        }
      : c,
  );
  return buildLexicon(
    cubes,
    [{ dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] }],
    masked
      ? []
      : [
          { dimension: 'members.given', values: ['Ada12', 'Bo7', 'Cy3'] },
          { dimension: 'members.family', values: ['Lovelace901', 'Quill88'], shared: ['Quill88'] },
        ],
  );
}

function read(question: string, masked = false) {
  const lexicon = lexiconFor(masked);
  return personRecords(question, lexicon, (q) => interpretQuery(q, lexicon, now));
}

describe('records of a person named by their full name', () => {
  it('lists the person’s records, kept to their rows by their name parts', () => {
    for (const q of ['Which visits has Ada12 Lovelace901 had?', 'which visits has ada lovelace had']) {
      const r = read(q);
      expect(r?.kind).toBe('query');
      if (r?.kind !== 'query') return;
      expect(r.query.filters).toEqual(
        expect.arrayContaining([
          { member: 'members.given', operator: 'equals', values: ['Ada12'] },
          { member: 'members.family', operator: 'equals', values: ['Lovelace901'] },
        ]),
      );
      expect(r.query.dimensions?.some((d) => d.startsWith('visits.'))).toBe(true);
    }
  });

  it('asks which person a surname several people share means, never picks one', () => {
    expect(read('Pull up the visits of Quill88')?.kind).toBe('clarify');
  });

  it('never matches a name the caller sees masked', () => {
    expect(read('Which visits has Ada12 Lovelace901 had?', true)).toBeUndefined();
  });
});
