// Numbers said as a bound are never dropped (issue 15): "65 and over", "aged 65+", "older than 65",
// "under 18" are read against the number member the question names (the model's age, named by
// its synonyms: "aged"), or the answer asks back naming the bound — never patients of any age.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube } from './index.ts';
import { ageBounds } from './text.ts';

const now = new Date('2024-01-01T12:00:00Z');

const cubes: LexiconCube[] = [
  {
    name: 'members',
    title: 'Members',
    measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'members.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'members.age', title: 'Age', type: 'number', meta: { synonyms: ['aged', 'years old'] } },
      {
        name: 'members.died_on',
        title: 'Died On',
        type: 'time',
        meta: { null_means: ['alive', 'living'], not_null_means: ['deceased'] },
      },
    ],
  },
  {
    name: 'shots',
    title: 'Shots',
    meta: { synonyms: ['vaccine', 'vaccines', 'immunizations'] },
    measures: [{ name: 'shots.count', title: 'Shots Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'shots.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'shots.member', title: 'Member', type: 'string' },
      { name: 'shots.description', title: 'Description', type: 'string' },
    ],
  },
];
const lexicon = buildLexicon(cubes, [
  { dimension: 'shots.description', values: ['Pneumococcal conjugate PCV 13', 'Influenza seasonal'] },
]);

describe('numbers said as bounds', () => {
  it('says bounds before their number', () => {
    expect(ageBounds('patients 65 and over')).toBe('patients at least 65');
    expect(ageBounds('patients aged 65+')).toBe('patients aged at least 65');
    expect(ageBounds('patients 65 years and older')).toBe('patients aged at least 65');
    expect(ageBounds('patients older than 65')).toBe('patients aged over 65');
    expect(ageBounds('children younger than 18 years')).toBe('children aged under 18');
    expect(ageBounds('aged 18 or younger')).toBe('aged at most 18');
    expect(ageBounds('visits 5 or more')).toBe('visits 5 or more');
  });

  it('reads a bound on the age the question names', () => {
    for (const [q, where] of [
      ['how many living members aged 65 and over with no pneumococcal vaccine', '"age" >= 65'],
      ['how many members aged 65+ who never had a pneumococcal vaccine', '"age" >= 65'],
      ['how many members older than 65 without a pneumococcal vaccine', '"age" > 65'],
      ['how many members 65 years or older with no pneumococcal vaccine', '"age" >= 65'],
      ['how many members younger than 18 with no influenza seasonal vaccine', '"age" < 18'],
    ] as const) {
      const r = interpret(q, lexicon, now);
      if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
      expect(r.sql, q).toContain(where);
      expect(r.sql, q).toContain('NOT EXISTS');
    }
  });

  it('asks back naming the bound when nothing says what it bounds', () => {
    for (const q of [
      'living members 65 and over with no pneumococcal vaccine on record',
      'how many members over 65 with no pneumococcal vaccine',
      'how many members under 18 who never had a pneumococcal vaccine',
    ]) {
      const r = interpret(q, lexicon, now);
      expect(r.kind, `${q}: ${JSON.stringify(r)}`).toBe('clarify');
      if (r.kind === 'clarify') expect(r.message, q).toMatch(/65|18/);
    }
    // Named in the words the question said it.
    const r = interpret('living members 65 and over with no pneumococcal vaccine on record', lexicon, now);
    expect(r.kind === 'clarify' && r.message).toContain('"65 and over"');
  });

  it('the query reader names an unplaced bound back, and reads "at least" as no ranking', () => {
    for (const q of ['how many members over 65', 'number of shots for members 65 and over']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, `${q}: ${JSON.stringify(r)}`).toBe('clarify');
      if (r.kind === 'clarify') expect(r.unplaced.join(' '), q).toMatch(/over 65|65 and over/);
    }
  });
});
