// Words people really use, placed by mechanisms over the model: acronyms of stored values read
// from their initials, phrasal verbs of a cube's event ("rack up"), a currency or "mix" said
// without an amount or a dimension, cost said as a quality ("cheapest"), the noun "how many"
// counts, and a value of records the figure's records do not point to, explained in words.
// Over the invented clinic model, so the mechanisms are proven, not one wording.
import { describe, expect, it } from 'vitest';
import { expandAcronyms } from './acronyms.ts';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { dropRestating } from './restating.ts';
import { clinicCubes } from './testing/clinic.ts';
import { normalizeQuestion } from './text.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name === 'visits'
    ? {
        ...c,
        meta: { ...c.meta, verbs: ['rack up', 'racked up', 'booked'] },
        measures: c.measures.map((m) =>
          m.name === 'visits.distinct_members'
            ? { ...m, meta: { synonyms: ['members seen', 'members with visits'] } }
            : m,
        ),
        dimensions: [...c.dimensions, { name: 'visits.description', title: 'Description', type: 'string' }],
      }
    : c.name === 'refills'
      ? {
          ...c,
          measures: [
            ...c.measures,
            // The same figure as the visits' own, kept on refills.
            { name: 'refills.total_charge', title: 'Total Charge', type: 'number', aggType: 'sum' },
          ],
          dimensions: [
            ...c.dimensions,
            { name: 'refills.drug', title: 'Drug', type: 'string' },
            // Refills point at the visit they were written at; visits do not point at refills.
            { name: 'refills.visit', title: 'Visit', type: 'string' },
          ],
        }
      : c,
);

const lexicon = buildLexicon(cubes, [
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  {
    dimension: 'visits.description',
    values: [
      'Chronic kidney disease stage 1 (disorder)',
      'Chronic kidney disease stage 2 (disorder)',
      'Acute renal failure (disorder)',
      'Allergic rhinitis flare',
      'Sprain of wrist',
    ],
  },
  { dimension: 'refills.drug', values: ['Amoxicillin 500 MG Oral Capsule'] },
]);

describe('acronyms of stored values, from their initials', () => {
  it('spells out an acronym whose values share one phrase, which then names them all', () => {
    const read = expandAcronyms('how many visits for ckd', lexicon);
    expect(read).toMatchObject({
      kind: 'expanded',
      question: 'how many visits for chronic kidney disease',
      expanded: [{ word: 'ckd', phrase: 'chronic kidney disease' }],
    });
    const q = interpretQuery(read.kind === 'expanded' ? read.question : '', lexicon, now);
    expect(q.kind === 'query' && q.query.filters).toEqual([
      {
        member: 'visits.description',
        operator: 'equals',
        values: ['Chronic kidney disease stage 1 (disorder)', 'Chronic kidney disease stage 2 (disorder)'],
      },
    ]);
  });

  it('offers each phrase when the initials spell values that share none', () => {
    const read = expandAcronyms('how many visits for ARF', lexicon);
    expect(read).toEqual({
      kind: 'ambiguous',
      word: 'arf',
      questions: [
        { phrase: 'acute renal failure', question: 'how many visits for acute renal failure' },
        { phrase: 'allergic rhinitis flare', question: 'how many visits for allergic rhinitis flare' },
      ],
    });
  });

  it('leaves words the model knows, grammar, short words and runs broken by grammar alone', () => {
    // "sow" would be "Sprain of wrist" only across the grammar word "of".
    expect(expandAcronyms('how many visits for sow', lexicon).kind).toBe('none');
    // Two letters say too little; "urgent" is a stored value.
    expect(expandAcronyms('how many urgent visits for ck', lexicon).kind).toBe('none');
  });
});

describe('phrasal verbs of a cube event', () => {
  it('places the verb written with its particle in the model, and a particle after a model verb', () => {
    expect(dropRestating('how many visits did members rack up in 2023', lexicon)).toBe(
      'how many visits did members in 2023',
    );
    expect(dropRestating('how many visits were booked up in 2023', lexicon)).toBe(
      'how many visits were in 2023',
    );
    // "up to 2023" is a period of its own, not the verb's particle.
    expect(dropRestating('how many visits booked up to 2023', lexicon)).toBe('how many visits up to 2023');
    // Not where the cube is not named: the words stay, to be placed or asked about.
    expect(dropRestating('how many refills did members rack up', lexicon)).toBe(
      'how many refills did members rack up',
    );
  });

  it('counts the noun "how many" names, not a measure that holds it only as a modifier', () => {
    const q = interpretQuery('how many visits did members rack up in 2023', lexicon, now);
    expect(q.kind === 'query' && q.query.measures).toEqual(['visits.count']);
  });
});

describe('units and qualities of money, and a mix', () => {
  it('reads a currency without an amount as the unit of the figure asked for', () => {
    expect(normalizeQuestion('total dollars of charge in 2023')).toBe('total of charge in 2023');
    expect(normalizeQuestion('how many dollars did visits charge')).toBe('how much did visits charge');
    expect(normalizeQuestion('average charge in dollars')).toBe('average charge');
    expect(normalizeQuestion('visits over 500 dollars')).toBe('visits over 500');
  });

  it('reads cost said as a quality as a ranking by cost, and both ends together as min and max', () => {
    expect(normalizeQuestion('the most expensive setting')).toBe('the highest cost setting');
    expect(normalizeQuestion('cheapest visits')).toBe('the lowest cost visits');
    expect(normalizeQuestion('cheapest and most expensive visit')).toBe('cheapest and most expensive visit');
  });

  it('reads "mix" as a breakdown', () => {
    const q = interpretQuery('visit mix by setting', lexicon, now);
    expect(q.kind === 'query' && q.query).toMatchObject({
      measures: ['visits.count'],
      dimensions: ['visits.setting'],
    });
  });
});

describe('a value of records the figure does not point to', () => {
  it('takes the same figure of the records the value narrows, when the question names no other', () => {
    const q = interpretQuery('total charge for amoxicillin 500 mg oral capsule', lexicon, now);
    expect(q.kind === 'query' && q.query).toMatchObject({
      measures: ['refills.total_charge'],
      filters: [{ member: 'refills.drug', operator: 'equals', values: ['Amoxicillin 500 MG Oral Capsule'] }],
    });
  });

  it('says which records hold each, in words, instead of a member name', () => {
    const q = interpretQuery('average charge of visits for amoxicillin 500 mg oral capsule', lexicon, now);
    expect(q.kind).toBe('clarify');
    if (q.kind !== 'clarify') return;
    expect(q.message).toContain('is a figure of visits');
    expect(q.message).toContain('"Amoxicillin 500 MG Oral Capsule"');
    expect(q.message).toContain('refills');
  });
});
