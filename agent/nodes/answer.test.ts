// The answer's narrative under small-cell suppression: a withheld value reads "< K", the text says
// cells were suppressed, and it states no number the withheld cells went into.
import { describe, expect, it } from 'vitest';
import { narrate } from './answer.ts';

const title = (n: string) => n.replace(/^[^.]+\./, '');

describe('narrate', () => {
  it('shows a withheld single value as "< K" and says why', () => {
    const text = narrate([{ name: 'c.count' }], [[null]], title, false, { minGroupSize: 11, rows: [0] });
    expect(text).toBe(
      'count: < 11. Some cells are suppressed to protect privacy: they count fewer than 11 people, or would reveal one that does, so their values are withheld.',
    );
  });

  it('marks withheld cells of a breakdown, keeps shown ones, and adds no total', () => {
    const rows = [
      ['a', 40, 120],
      ['b', null, null],
      ['c', null, 30],
      ['d', 20, 50],
    ];
    const text = narrate([{ name: 'c.g' }, { name: 'c.n' }, { name: 'c.cost' }], rows, title, false, {
      minGroupSize: 11,
      rows: [1, 2],
    });
    expect(text).toMatch(
      /^cost by g, n: a \/ 40 \(120\), b \/ < 11 \(< 11\), c \/ < 11 \(30\), and 1 more\. Some cells are suppressed/,
    );
    const numbers = (text.match(/\d+/g) ?? []).map(Number);
    expect(numbers.every((n) => [40, 120, 30, 11, 1].includes(n))).toBe(true);
  });

  it('leaves a null that was not withheld as a gap, and says nothing of suppression', () => {
    const text = narrate([{ name: 'c.g' }, { name: 'c.n' }], [['a', null]], title, false);
    expect(text).toBe('n by g: a (—).');
  });
});
