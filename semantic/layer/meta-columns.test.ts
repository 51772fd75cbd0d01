// `/meta` reports the source column a plain member reads (`{CUBE}.totalcost`), so the offline
// interpreter reads raw column names analysts say as the model's words; derived SQL reports none.
import { describe, expect, it } from 'vitest';
import { columnsOf } from './meta.ts';

describe('columnsOf', () => {
  it('names the one column of its own cube a member reads', () => {
    expect(
      columnsOf([
        { t: 'cube', cube: 'orders' },
        { t: 'text', s: '.total_cost' },
      ]),
    ).toEqual(['total_cost']);
    expect(
      columnsOf([
        { t: 'cube', cube: 'orders' },
        { t: 'text', s: '."reaction1"' },
      ]),
    ).toEqual(['reaction1']);
  });

  it('names none for derived SQL', () => {
    expect(
      columnsOf([
        { t: 'cube', cube: 'orders' },
        { t: 'text', s: '.stop - ' },
        { t: 'cube', cube: 'orders' },
        { t: 'text', s: '.start' },
      ]),
    ).toEqual([]);
    expect(columnsOf([{ t: 'text', s: 'count(*)' }])).toEqual([]);
    expect(
      columnsOf([
        { t: 'cube', cube: 'orders' },
        { t: 'text', s: '.a + 1' },
      ]),
    ).toEqual([]);
  });
});
