// Value words (whole values, the model's value synonyms, runs of words inside stored values) are
// placed the same way on every path — cumulative, distribution, comparison, threshold — as on the
// plain count; a cube word inside a value synonym ("o2 refill", though "refills" names the cube)
// still names the cube.
import { describe, expect, it } from 'vitest';
import { interpret } from './interpret.ts';
import { buildLexicon } from './lexicon.ts';
import { clinicCubes } from './testing/clinic.ts';

const cubes = clinicCubes.map((c) =>
  c.name === 'refills'
    ? {
        ...c,
        dimensions: [
          ...c.dimensions,
          // The date the running total and the two periods are read by.
          { name: 'refills.filled_at', title: 'Filled At', type: 'time' },
          {
            name: 'refills.description',
            title: 'Description',
            type: 'string',
            meta: { value_synonyms: { 'Home oxygen kit': ['o2 refill', 'o2 refills'] } },
          },
        ],
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
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  {
    dimension: 'refills.description',
    values: [
      'Zorbatin 20 MG Oral Tablet',
      'Zorbatin 40 MG Oral Tablet',
      'Home oxygen kit',
      'Dexor Oral Tablet',
    ],
  },
]);
const now = new Date('2024-06-01T00:00:00Z');

function form(question: string) {
  const out = interpret(question, lexicon, now);
  expect(out.kind, JSON.stringify(out)).toBe('form');
  return (out as { form: { kind: string; cube: string; filters: unknown[] } }).form;
}

const oxygen = { member: 'refills.description', op: 'in', values: ['Home oxygen kit'] };
const zorbatin = {
  member: 'refills.description',
  op: 'in',
  values: ['Zorbatin 20 MG Oral Tablet', 'Zorbatin 40 MG Oral Tablet'],
};

describe('value words on every path', () => {
  it('cumulative: a synonym holding the cube word, and a run inside stored values', () => {
    for (const q of ['running total of o2 refills by month', 'cumulative number of o2 refills by year']) {
      const f = form(q);
      expect(f.kind).toBe('cumulative');
      expect(f.filters).toContainEqual(oxygen);
    }
    expect(form('running count of zorbatin refills by month').filters).toContainEqual(zorbatin);
  });

  it("a word of a value's main phrase, never a word that names rows of the model", () => {
    const plain = buildLexicon(
      cubes.map((c) => ({
        ...c,
        dimensions: c.dimensions.map((d) => (d.name === 'refills.description' ? { ...d, meta: {} } : d)),
      })),
      [{ dimension: 'refills.description', values: ['Nightly wheeze (finding)', 'Member transfer kit'] }],
    );
    for (const q of ['cumulative count of wheeze refills by year', 'wheeze refills 2021 vs 2022'])
      expect((interpret(q, plain, now) as { form: { filters: unknown[] } }).form.filters).toContainEqual(
        expect.objectContaining({ values: expect.arrayContaining(['Nightly wheeze (finding)']) }),
      );
    const out = interpret('running total of refills per member by month', plain, now);
    expect(JSON.stringify(out)).not.toContain('Member transfer kit');
  });

  it('a value with no rows named names its rows; a word of two cubes goes back', () => {
    const f = form('running total of zorbatin by month');
    expect(f.cube).toBe('refills');
    expect(f.filters).toContainEqual(zorbatin);
    expect(form('o2 refill 2021 vs 2022').filters).toContainEqual(oxygen);
    expect(interpret('running total of quellin by month', lexicon, now).kind).toBe('clarify');
  });

  it('distribution: the cube word of the synonym still names the rows of the number', () => {
    const f = form('min, median and max charge of an o2 refill');
    expect(f.kind).toBe('distribution');
    expect(f.cube).toBe('refills');
    expect(f.filters).toContainEqual(oxygen);
  });

  it('comparison: synonyms and runs, however the two periods are said', () => {
    for (const q of ['o2 refills in 2021 vs 2022', 'were there more o2 refills in 2022 than 2021?']) {
      const f = form(q);
      expect(f.kind).toBe('comparison');
      expect(f.filters).toContainEqual(oxygen);
    }
    const f = form('compare zorbatin refills between 2021 and 2023');
    expect(f.kind).toBe('comparison');
    expect(f.filters).toContainEqual(zorbatin);
  });

  it('threshold: entities with at least N rows of a value', () => {
    for (const q of [
      'members with at least 3 o2 refills',
      'how many members had more than 2 zorbatin refills',
    ]) {
      const f = form(q);
      expect(f.kind).toBe('threshold');
      expect(f.cube).toBe('refills');
      expect(f.filters.length).toBe(1);
    }
  });
});
