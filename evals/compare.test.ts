import { describe, expect, it } from 'vitest';
import { compareResults, normalizeCell } from './compare.ts';

const tol = { tolerance: 0.001 };

describe('execution accuracy', () => {
  it('normalises numbers, numeric strings, timestamps and booleans', () => {
    expect(normalizeCell('110')).toBe(110);
    expect(normalizeCell(110n)).toBe(110);
    expect(normalizeCell('2019-01-01T00:00:00.000')).toBe('2019-01-01');
    expect(normalizeCell('2019-01-01 00:00:00+00')).toBe('2019-01-01');
    expect(normalizeCell('2019-01-01T10:30:00Z')).toBe('2019-01-01T10:30:00');
    expect(normalizeCell(true)).toBe('true');
    expect(normalizeCell(null)).toBeNull();
  });

  it('matches columns by values, not names or positions, and rows in any order', () => {
    const gold = [
      ['F', 52],
      ['M', 59],
    ];
    expect(
      compareResults(
        gold,
        [
          [59, 'M'],
          [52, 'F'],
        ],
        tol,
      ),
    ).toEqual({ ok: true });
    expect(
      compareResults(
        gold,
        [
          ['M', 59],
          ['F', 52],
        ],
        tol,
      ).ok,
    ).toBe(true);
  });

  it('pairs values row by row, not just column by column', () => {
    const gold = [
      ['F', 52],
      ['M', 59],
    ];
    expect(
      compareResults(
        gold,
        [
          ['F', 59],
          ['M', 52],
        ],
        tol,
      ),
    ).toMatchObject({ ok: false });
  });

  it('allows numbers within the relative tolerance and no further', () => {
    expect(compareResults([[1000]], [[1000.9]], tol).ok).toBe(true);
    expect(compareResults([[1000]], [[1002]], tol).ok).toBe(false);
    expect(compareResults([[1000]], [[1000.4]], { tolerance: 0 }).ok).toBe(false);
  });

  it('accepts extra answer columns but not missing ones or other row counts', () => {
    expect(compareResults([['Humana']], [['id-1', 'Humana', 'PRIVATE']], tol).ok).toBe(true);
    expect(compareResults([['Humana', 3]], [['Humana']], tol)).toMatchObject({ ok: false });
    expect(compareResults([['a'], ['b']], [['a']], tol)).toMatchObject({
      ok: false,
      reason: 'expected 2 row(s), got 1',
    });
  });

  it('treats no rows and a row of nulls alike', () => {
    expect(compareResults([[null]], [], tol).ok).toBe(true);
    expect(compareResults([[0]], [], tol).ok).toBe(false);
  });

  it('checks order when the question orders', () => {
    const gold = [
      ['a', 3],
      ['b', 2],
    ];
    expect(
      compareResults(
        gold,
        [
          ['a', 3],
          ['b', 2],
        ],
        { ...tol, ordered: true },
      ).ok,
    ).toBe(true);
    expect(
      compareResults(
        gold,
        [
          ['b', 2],
          ['a', 3],
        ],
        { ...tol, ordered: true },
      ).ok,
    ).toBe(false);
  });

  it('top N: the first N of the full ranking, ties at the cut in any order, ranked', () => {
    const ranking = [
      ['a', 10],
      ['b', 9],
      ['c', 9],
      ['d', 8],
    ];
    const top2 = { ...tol, top: { n: 2, direction: 'desc' as const } };
    expect(
      compareResults(
        ranking,
        [
          ['a', 10],
          ['b', 9],
        ],
        top2,
      ).ok,
    ).toBe(true);
    expect(
      compareResults(
        ranking,
        [
          ['a', 10],
          ['c', 9],
        ],
        top2,
      ).ok,
    ).toBe(true);
    // Both tied rows but not the leader: wrong.
    expect(
      compareResults(
        ranking,
        [
          ['b', 9],
          ['c', 9],
        ],
        top2,
      ).ok,
    ).toBe(false);
    // Right rows, unranked: wrong.
    expect(
      compareResults(
        ranking,
        [
          ['b', 9],
          ['a', 10],
        ],
        top2,
      ).ok,
    ).toBe(false);
    expect(compareResults(ranking, [['a', 10]], top2)).toMatchObject({ ok: false });
    const bottom1 = { ...tol, top: { n: 1, direction: 'asc' as const } };
    expect(compareResults(ranking, [['d', 8]], bottom1).ok).toBe(true);
    expect(compareResults(ranking, [['a', 10]], bottom1).ok).toBe(false);
  });

  it('matches a share as a fraction or a percent, and a period as its date or its number', () => {
    const strict = { tolerance: 0.001 };
    expect(compareResults([[47.75]], [[0.4774774774774775]], strict).ok).toBe(true);
    expect(compareResults([[0.4775]], [[47.7477]], strict).ok).toBe(true);
    // The same digits of another share stay wrong.
    expect(compareResults([[47.75]], [[0.4812]], strict).ok).toBe(false);
    expect(
      compareResults(
        [
          [2022, 1964.6],
          [2023, 2500.55],
        ],
        [
          ['2022-01-01T00:00:00.000', 1964.6],
          ['2023-01-01T00:00:00.000', 2500.55],
        ],
        strict,
      ).ok,
    ).toBe(true);
    // Year and quarter both read off one quarter-start date.
    expect(
      compareResults(
        [
          [2022, 1, 4],
          [2022, 2, 9],
        ],
        [
          ['2022-01-01', 4],
          ['2022-04-01', 9],
        ],
        { ...strict, ordered: true },
      ).ok,
    ).toBe(true);
    // Month numbers of another year's months are still the wrong rows when the counts differ.
    expect(
      compareResults(
        [
          [1, 31],
          [2, 67],
        ],
        [
          ['2023-01-01', 30],
          ['2023-02-01', 67],
        ],
        strict,
      ).ok,
    ).toBe(false);
  });
});
