// "total dispense count of medications" had answered the number of medication rows: "dispense", a
// verb the model gives for the medications' event, was dropped as restating the cube named, though
// it is a word of a figure named whole ("dispense count", a total of dispenses). Words of a measure
// named whole are that measure's. Over an invented model, so the test proves the mechanism.
import { describe, expect, it } from 'vitest';
import { buildLexicon, type LexiconCube } from './index.ts';
import { restatingWords } from './restating.ts';
import { clinicCubes } from './testing/clinic.ts';
import { tokenize } from './text.ts';

const cubes = clinicCubes.map((c) =>
  c.name === 'refills'
    ? {
        ...c,
        meta: { verbs: ['filled', 'fill'] },
        measures: [
          ...c.measures,
          {
            name: 'refills.total_packs',
            title: 'Total Packs',
            type: 'number',
            aggType: 'sum',
            meta: { synonyms: ['fill count'] },
          },
        ],
      }
    : c,
) as LexiconCube[];
const lexicon = buildLexicon(cubes, []);

const dropped = (q: string) => restatingWords(tokenize(q), lexicon).map((i) => tokenize(q)[i]?.word);

describe('a verb of the cube inside a figure named whole', () => {
  it('stays with the figure', () => {
    expect(dropped('total fill count of refills')).toEqual([]);
  });

  it('still restates the cube when said as its verb', () => {
    expect(dropped('how many refills were filled in 2020')).toEqual(['filled']);
  });
});
