// A condition word names the values it heads, not those holding it only after "due to /
// secondary to / caused by / associated with": "Neuropathy due to type 2 diabetes mellitus" is a
// neuropathy. Such values are kept only when no value holds the words in its head.
import { describe, expect, it } from 'vitest';
import { buildLexicon } from './lexicon.ts';
import { headOnly, headValues } from './query-form.ts';
import { clinicCubes } from './testing/clinic.ts';
import { tokenize } from './text.ts';
import { headFirst, holdsRun, valueHead, valueRuns } from './value-words.ts';

const cubes = clinicCubes.map((c) =>
  c.name === 'visits'
    ? {
        ...c,
        dimensions: [
          ...c.dimensions,
          { name: 'visits.reason_description', title: 'Reason Description', type: 'string' },
        ],
      }
    : c,
);
const reasons = [
  'Glucosuria type 2 (disorder)',
  'Nerve pain due to type 2 glucosuria (disorder)',
  'Kidney damage secondary to glucosuria (disorder)',
  'Rash caused by zorbatin (finding)',
  'Eye strain associated with screen work',
];
const lexicon = buildLexicon(cubes, [{ dimension: 'visits.reason_description', values: reasons }]);

const stems = (text: string) => tokenize(text).map((t) => t.stem);

function runValues(question: string): string[] | undefined {
  const tokens = tokenize(question);
  return valueRuns(lexicon, tokens, new Set(tokens.map((t) => t.index)), (c) => c === 'visits').runs[0]
    ?.values;
}

describe('a condition word and the values it heads', () => {
  it('cuts a description at its dependent clause', () => {
    expect(valueHead('Nerve pain due to type 2 glucosuria (disorder)')).toBe('Nerve pain ');
    expect(valueHead('Eye strain associated with screen work')).toBe('Eye strain ');
    expect(valueHead('Glucosuria type 2 (disorder)')).toBe('Glucosuria type 2 (disorder)');
  });

  it('reads a run of words inside values as the values it heads', () => {
    expect(runValues('visits for glucosuria')).toEqual(['Glucosuria type 2 (disorder)']);
  });

  it('keeps the dependent-clause values when no value is headed by the words', () => {
    // Nothing is a zorbatin or screen work itself: the rash caused by it is what was meant.
    expect(runValues('visits for screen work')).toEqual(['Eye strain associated with screen work']);
    expect(headFirst(['Rash caused by zorbatin'], (v) => holdsRun(valueHead(v), stems('zorbatin')))).toEqual([
      'Rash caused by zorbatin',
    ]);
  });

  it('chooses the values by head, in any order of the words, after the dimension is chosen', () => {
    const held = headValues(reasons, stems('glucosuria'));
    expect(held).toContain('Nerve pain due to type 2 glucosuria (disorder)');
    expect(headOnly(held, stems('type 2 glucosuria'))).toEqual(['Glucosuria type 2 (disorder)']);
    expect(headOnly(['Nerve pain due to type 2 glucosuria (disorder)'], stems('glucosuria'))).toEqual([
      'Nerve pain due to type 2 glucosuria (disorder)',
    ]);
  });
});
