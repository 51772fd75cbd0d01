// A ranking cut at its limit keeps exactly the rows asked for and names the rows tied with the
// last one kept, so "which single payer has the most visits" never hides an equal.
import { describe, expect, it } from 'vitest';
import { cutAtLimit, keepSuppressed } from './ties.ts';

const columns = [
  { name: 'payers.name', type: 'VARCHAR' },
  { name: 'visits.count', type: 'BIGINT' },
];

describe('cutAtLimit', () => {
  it('keeps the rows asked for and names the ones tied with the last', () => {
    const rows = [
      ['A', 5],
      ['B', 5],
      ['C', 5],
      ['D', 2],
    ];
    expect(cutAtLimit({ columns, rows }, 1, 'visits.count')).toEqual({ rows: [['A', 5]], tied: ['B', 'C'] });
    expect(cutAtLimit({ columns, rows }, 3, 'visits.count')).toEqual({ rows: rows.slice(0, 3), tied: [] });
  });

  it('tells no tie for a withheld value or a column it cannot find', () => {
    expect(
      cutAtLimit(
        {
          columns,
          rows: [
            ['A', null],
            ['B', null],
          ],
        },
        1,
        'visits.count',
      ).tied,
    ).toEqual([]);
    expect(
      cutAtLimit(
        {
          columns,
          rows: [
            ['A', 1],
            ['B', 1],
          ],
        },
        1,
        'other',
      ).tied,
    ).toEqual([]);
  });

  it('keeps the suppression markers of the rows kept only', () => {
    expect(keepSuppressed({ minGroupSize: 11, rows: [0, 3] }, 2)).toEqual({ minGroupSize: 11, rows: [0] });
    expect(keepSuppressed({ minGroupSize: 11, rows: [4] }, 2)).toBeUndefined();
  });
});
