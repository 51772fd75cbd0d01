// People name coded values by a distinctive word or a short run of words inside them ("humulin",
// "covid vaccine"), not by the whole stored text: the run names every value of the dimension that
// holds it, of the cube the question is about; a word most values hold names none alone.
import { describe, expect, it } from 'vitest';
import { buildLexicon } from './lexicon.ts';
import { clinicCubes } from './testing/clinic.ts';
import { tokenize } from './text.ts';
import { holdsRun, personNouns, valueRuns } from './value-words.ts';

const cubes = clinicCubes.map((c) =>
  c.name === 'refills'
    ? {
        ...c,
        dimensions: [...c.dimensions, { name: 'refills.description', title: 'Description', type: 'string' }],
      }
    : c.name === 'visits'
      ? {
          ...c,
          dimensions: [
            ...c.dimensions,
            { name: 'visits.reason_description', title: 'Reason Description', type: 'string' },
          ],
        }
      : c,
);
const lexicon = buildLexicon(cubes, [
  {
    dimension: 'refills.description',
    values: [
      'Zorbatin 20 MG Oral Tablet',
      'Zorbatin 40 MG Oral Tablet',
      'insulin blend 70 UNT/ML Injectable Suspension [Glucora]',
      'Pellimox 250 MG Oral Capsule',
      'Quellin-7 wheeze inhaler',
      'Severe asthma controller',
      'Kit for type 2 diabetes',
      'Tamsel 5 MG Oral Tablet',
      'Ravix Oral Solution',
    ],
  },
  {
    dimension: 'visits.reason_description',
    values: ['Chronic wheeze (disorder)', 'Zorbatin reaction (finding)'],
  },
]);

const stems = (text: string) => tokenize(text).map((t) => t.stem);

function runs(question: string, accept = (_: string) => true, prefer = (_: string) => false) {
  const tokens = tokenize(question);
  return valueRuns(lexicon, tokens, new Set(tokens.map((t) => t.index)), accept, prefer);
}

describe('a run of words inside stored values', () => {
  it('names every value holding one distinctive word, and a bracketed brand name', () => {
    const [zorbatin] = runs('zorbatin refills', (c) => c === 'refills').runs;
    expect(zorbatin?.values).toEqual(['Zorbatin 20 MG Oral Tablet', 'Zorbatin 40 MG Oral Tablet']);
    expect(runs('glucora refills').runs[0]?.values).toEqual([
      'insulin blend 70 UNT/ML Injectable Suspension [Glucora]',
    ]);
  });

  it('narrows by the words said next to it, a number included', () => {
    const [hit] = runs('zorbatin 40 mg tabs', (c) => c === 'refills').runs;
    expect(hit?.values).toEqual(['Zorbatin 40 MG Oral Tablet']);
    expect(hit?.covered).toHaveLength(3);
  });

  it('passes over a number glued to a word of the value that the question leaves out', () => {
    expect(holdsRun('Quellin-7 wheeze inhaler', stems('quellin wheeze'))).toBe(true);
    expect(holdsRun('Zorbatin 20 MG Oral Tablet', stems('zorbatin 40'))).toBe(false);
  });

  it('never starts at a word the model uses, nor at a word most of the values hold', () => {
    // "charge" names members of the model; "oral" is in most refills.
    expect(runs('charge refills', (c) => c === 'refills').runs).toEqual([]);
    expect(runs('oral refills', (c) => c === 'refills').runs).toEqual([]);
  });

  it('keeps to the preferred cube, and leaves a word of two cubes undecided', () => {
    const both = runs('zorbatin');
    expect(both.runs).toEqual([]);
    expect(new Set(both.ambiguous[0]?.map((r) => r.cube))).toEqual(new Set(['refills', 'visits']));
    expect(
      runs(
        'zorbatin',
        () => true,
        (c) => c === 'visits',
      ).runs[0]?.values,
    ).toEqual(['Zorbatin reaction (finding)']);
  });
});

describe('a person noun made from a word of stored values', () => {
  it('reads "asthmatics" as the people with a value holding "asthma"', () => {
    expect(personNouns('number of asthmatics', lexicon)).toBe('number of members with asthma');
    expect(personNouns('how many asthmatic members', lexicon)).toBe('how many members with asthma');
  });

  it('keeps the words before it that the values hold before the word', () => {
    expect(personNouns('how many Type 2 diabetics are there', lexicon)).toBe(
      'how many members with type 2 diabetes are there',
    );
  });

  it('leaves a singular adjective before other words, short roots and words the model uses alone', () => {
    expect(personNouns('an asthmatic reaction', lexicon)).toBe('an asthmatic reaction');
    // "tonic": a root under five letters.
    expect(personNouns('count of tonics', lexicon)).toBe('count of tonics');
  });
});
