// A record named by its name: a person's first and last name across two columns, typed with or
// without the digits generated names carry, in any case; a surname two people share is asked
// about, never guessed. Over the invented clinic model (members with given and family names).
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name === 'members'
    ? {
        ...c,
        dimensions: [
          ...c.dimensions,
          {
            name: 'members.given',
            title: 'Given',
            type: 'string',
            meta: { phi: 'direct', synonyms: ['first name'] },
          },
          {
            name: 'members.family',
            title: 'Family',
            type: 'string',
            meta: { phi: 'direct', synonyms: ['last name'] },
          },
          { name: 'members.town', title: 'Town', type: 'string', meta: { synonyms: ['city'] } },
          {
            name: 'members.left_on',
            title: 'Left On',
            type: 'time',
            meta: { not_null_means: ['left', 'quit'] },
          },
        ],
      }
    : c,
);

const lexicon = buildLexicon(
  cubes,
  [{ dimension: 'members.town', values: ['Springfield', 'Shelbyville'] }],
  [
    { dimension: 'members.given', values: ['Ada12', 'Bo7', 'Cy3'] },
    // Two members are Quill88: a family.
    { dimension: 'members.family', values: ['Lovelace901', 'Quill88', 'Quill5'], shared: ['Quill88'] },
  ],
);

function read(question: string) {
  return interpret(question, lexicon, now);
}

describe('a record named by its name', () => {
  it('finds a person by first and last name typed without digits, in any case', () => {
    const r = read('what city does ada lovelace live in?');
    expect(r.kind).toBe('form');
    if (r.kind !== 'form') return;
    expect(r.form).toMatchObject({
      kind: 'lookup',
      cube: 'members',
      attributes: ['members.town'],
      key: 'members.family',
      id: 'Lovelace901',
      filters: [{ member: 'members.given', op: 'in', values: ['Ada12'] }],
    });
    // The record as named first (given, family), then what was asked.
    expect(r.sql).toBe(
      `SELECT DISTINCT "given" AS "given", "family" AS "family", "town" AS "town of record" FROM "members" WHERE "given" IN ('Ada12') AND "family" = 'Lovelace901'`,
    );
  });

  it('finds a person typed with the digits, and reads "when did … <null word>" as that date', () => {
    const r = read('when did Ada12 Lovelace901 quit?');
    expect(r.kind === 'form' && r.form).toMatchObject({ attributes: ['members.left_on'], id: 'Lovelace901' });
  });

  it('asks which record when a surname said alone is shared or fits several stored names', () => {
    const shared = read('what city does Quill88 live in?');
    expect(shared.kind).toBe('clarify');
    const several = read('what is the sex of Quill?');
    expect(several.kind).toBe('clarify');
    if (several.kind === 'clarify')
      expect(several.options.map((o) => o.label).sort()).toEqual(['Quill5', 'Quill88']);
  });

  it('asks rather than counts when a one-person question names a shared name typed as a name', () => {
    expect(read('how many visits has Quill88 had?').kind).toBe('clarify');
  });

  it('reads no name in words the model uses or in lower-case words said alone', () => {
    expect(read('what city is springfield').kind).not.toBe('clarify');
    const r = read('what city does quill live in');
    expect(r.kind === 'form' && r.form.kind === 'lookup').toBe(false);
  });
});
