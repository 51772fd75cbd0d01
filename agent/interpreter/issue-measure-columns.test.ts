// Running totals and statistics read columns, not measures' words (issue: "cumulative medication
// spend by year" asked back about "spend", a synonym of a measure that is the plain sum of the
// cost column). A measure that is a column's plain sum names that column there; one with filters
// of its own, or a rolling window, does not (its figure is not the column's over all rows).
import { describe, expect, it } from 'vitest';
import { buildLexicon, type LexiconCube } from './index.ts';
import { interpret } from './interpret.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2026-12-07T09:00:00Z');
const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name !== 'visits'
    ? c
    : {
        ...c,
        measures: [
          ...c.measures,
          {
            name: 'visits.billed',
            title: 'Billed',
            type: 'number',
            aggType: 'sum',
            columns: ['charge'],
            meta: { synonyms: ['visit outlay', 'clinic spend'] },
          },
          {
            name: 'visits.urgent_billed',
            title: 'Urgent Billed',
            type: 'number',
            aggType: 'sum',
            columns: ['charge'],
            filtered: true,
            meta: { synonyms: ['urgent outlay'] },
          },
          {
            name: 'visits.total_base_fee',
            title: 'Total Base Fee',
            type: 'number',
            aggType: 'sum',
            columns: ['base_fee'],
            meta: { synonyms: ['visit fees'] },
          },
        ],
        dimensions: [
          ...c.dimensions.map((d) => (d.name === 'visits.charge' ? { ...d, columns: ['charge'] } : d)),
          { name: 'visits.base_fee', title: 'Base Fee', type: 'number', columns: ['base_fee'] },
        ],
      },
);
const lexicon = buildLexicon(cubes, [{ dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] }]);

describe('a measure that is a column’s plain sum', () => {
  it('names that column for a running total', () => {
    for (const q of ['cumulative clinic spend by year', 'running total of visit outlay by month']) {
      const read = interpret(q, lexicon, now);
      expect(read.kind, q).toBe('form');
      if (read.kind !== 'form') continue;
      expect(read.form).toMatchObject({ kind: 'cumulative', cube: 'visits', value: 'visits.charge' });
    }
  });

  it('names that column for a statistic', () => {
    const read = interpret('median clinic spend', lexicon, now);
    expect(read.kind).toBe('form');
    if (read.kind !== 'form') return;
    expect(read.form).toMatchObject({ kind: 'distribution', stat: 'median', value: 'visits.charge' });
  });

  it('is read by the words that place the most of the question: the column’s and its records’', () => {
    // "visit fees" (a measure's synonym) would leave "base" unplaced; "base fee" of "visits" does not.
    const read = interpret('median base fee of visits', lexicon, now);
    expect(read.kind).toBe('form');
    if (read.kind !== 'form') return;
    expect(read.form).toMatchObject({ kind: 'distribution', stat: 'median', value: 'visits.base_fee' });
  });

  it('is not read as the column when it keeps some rows only', () => {
    expect(lexicon.members.get('visits.billed')?.sumOf).toBe('visits.charge');
    expect(lexicon.members.get('visits.urgent_billed')?.sumOf).toBeUndefined();
  });
});
