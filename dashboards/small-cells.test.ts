import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';
import { shapeResult } from './tile-result.ts';

// A load answer under small-cell suppression (the semantic layer's shape for such a role).
const load = {
  minGroupSize: 11,
  data: [
    { 'patients.race': 'white', 'patients.count': 80 },
    { 'patients.race': 'asian', 'patients.count': null, suppressed: true },
    { 'patients.race': 'black', 'patients.count': null, suppressed: true },
  ],
  annotation: {
    measures: { 'patients.count': { shortTitle: 'Count', type: 'number' } },
    dimensions: { 'patients.race': { shortTitle: 'Race', type: 'string' } },
    timeDimensions: {},
  },
};
const query = { measures: ['patients.count'], dimensions: ['patients.race'] };

describe('suppressed cells in tiles and CSV', () => {
  it('a tile result lists the suppressed rows and the group size', () => {
    const r = shapeResult(query, load);
    expect(r.rows).toEqual([
      ['white', 80],
      ['asian', null],
      ['black', null],
    ]);
    expect(r.suppressed).toEqual({ minGroupSize: 11, rows: [1, 2] });
    expect(
      shapeResult(query, { ...load, minGroupSize: undefined, data: [load.data[0]!] }).suppressed,
    ).toBeUndefined();
  });

  it('CSV says "<11" in a suppressed measure cell, not an empty cell or a zero', () => {
    expect(toCsv(shapeResult(query, load))).toBe(
      'patients.race,patients.count\r\nwhite,80\r\nasian,<11\r\nblack,<11\r\n',
    );
  });
});
