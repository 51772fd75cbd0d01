import { describe, expect, it } from 'vitest';
import { suppressCells, type TableCell } from './small-cells.ts';

const cell = (a: string, b: string | null, persons: number): TableCell => ({
  dims: b === null ? { a } : { a, b },
  persons,
  suppressed: false,
});
const flags = (cells: TableCell[]) => cells.map((c) => (c.suppressed ? 1 : 0));

describe('suppressCells', () => {
  it('suppresses cells under K and, when one is alone in its line, the smallest other cell', () => {
    const one = [cell('x', null, 50), cell('y', null, 5), cell('z', null, 20), cell('w', null, 30)];
    suppressCells(one, ['a'], 11);
    // y is small; z is the next smallest and goes with it, so total − shown is y + z, not y.
    expect(flags(one)).toEqual([0, 1, 1, 0]);
    const two = [cell('x', null, 3), cell('y', null, 4), cell('z', null, 40)];
    suppressCells(two, ['a'], 11);
    expect(flags(two)).toEqual([1, 1, 0]);
    const none = [cell('x', null, 30), cell('y', null, 40)];
    suppressCells(none, ['a'], 11);
    expect(flags(none)).toEqual([0, 0]);
  });

  it('iterates over the lines of a two-dimensional table until none has exactly one', () => {
    //        F    M
    // flu    5   45
    // cold  30   40
    const t = [cell('flu', 'F', 5), cell('flu', 'M', 45), cell('cold', 'F', 30), cell('cold', 'M', 40)];
    suppressCells(t, ['a', 'b'], 11);
    // flu,F is small; its row takes flu,M, its column takes cold,F, then cold's row takes cold,M.
    expect(flags(t)).toEqual([1, 1, 1, 1]);
    const lines = (i: 0 | 1) => {
      const by = new Map<string, number[]>();
      for (const c of t) {
        const k = String(Object.values(c.dims)[1 - i]);
        by.set(k, [...(by.get(k) ?? []), c.suppressed ? 1 : 0]);
      }
      return [...by.values()];
    };
    for (const line of [...lines(0), ...lines(1)]) expect(line.reduce((a, b) => a + b, 0)).not.toBe(1);
  });
});
