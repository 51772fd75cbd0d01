// One record's attribute asked in everyday wording: a possessive ("Ada12 Lovelace901's town"),
// a pronoun ("what town do we have for her"), an attribute asked by one of its values ("is … a
// man or a woman", "is … female"), and a record whose stored name holds "by", "of" or "and" —
// matched whole before those words read as a breakdown. Over the invented clinic model.
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
        ],
      }
    : c,
);

const lexicon = buildLexicon(
  cubes,
  [
    { dimension: 'members.town', values: ['Springfield', 'Shelbyville'] },
    { dimension: 'members.sex', values: ['F', 'M'] },
    { dimension: 'sites.name', values: ['CARE BY THE SEA CLINIC', 'HOUSE OF HOPE AND HEALING'] },
    { dimension: 'sites.town', values: ['Springfield', 'Shelbyville'] },
  ],
  [
    { dimension: 'members.given', values: ['Ada12', 'Bo7'] },
    { dimension: 'members.family', values: ['Lovelace901', 'Quill5'] },
  ],
);

function lookup(question: string) {
  const r = interpret(question, lexicon, now);
  expect(r.kind, `${question}: ${JSON.stringify(r)}`).toBe('form');
  return r.kind === 'form' ? r.form : undefined;
}

describe('one record asked about in everyday words', () => {
  it('reads a possessive name and a pronoun as grammar', () => {
    expect(lookup("What's Ada12 Lovelace901's town?")).toMatchObject({
      kind: 'lookup',
      attributes: ['members.town'],
    });
    expect(lookup('Ada12 Lovelace901 - what town do we have on file for her?')).toMatchObject({
      kind: 'lookup',
      attributes: ['members.town'],
    });
  });

  it('reads an attribute asked by its values, or as a choice of them, as a lookup of it', () => {
    expect(lookup('Is Ada12 Lovelace901 female?')).toMatchObject({
      kind: 'lookup',
      attributes: ['members.sex'],
    });
    expect(lookup('Is Bo7 Quill5 male or female?')).toMatchObject({
      kind: 'lookup',
      attributes: ['members.sex'],
    });
    expect(lookup('Is CARE BY THE SEA CLINIC in Springfield or Shelbyville?')).toMatchObject({
      kind: 'lookup',
      cube: 'sites',
      attributes: ['sites.town'],
    });
  });

  it('matches a stored name holding "by", "of" or "and" whole', () => {
    expect(lookup('what town is CARE BY THE SEA CLINIC in?')).toMatchObject({
      kind: 'lookup',
      attributes: ['sites.town'],
      id: 'CARE BY THE SEA CLINIC',
    });
    expect(lookup('city of HOUSE OF HOPE AND HEALING')).toMatchObject({
      kind: 'lookup',
      attributes: ['sites.town'],
      id: 'HOUSE OF HOPE AND HEALING',
    });
  });

  it('still reads "by" outside the name as a figure asked, not a lookup', () => {
    const r = interpret('visits count by town for CARE BY THE SEA CLINIC', lexicon, now);
    expect(r.kind === 'form' && r.form.kind === 'lookup').toBe(false);
  });
});
