import { describe, expect, it } from 'vitest';
import { chartFor } from './chart.ts';

describe('chartFor', () => {
  it('escapes the dots in member names so Vega-Lite reads them as flat fields, not nested paths', () => {
    const spec = chartFor(
      [
        { name: 'encounters.start.year', type: 'TIMESTAMP' },
        { name: 'encounters.count', type: 'DOUBLE' },
      ],
      [
        ['2020-01-01T00:00:00.000', 3],
        ['2021-01-01T00:00:00.000', 5],
      ],
      (n) => n,
    ) as { data: { values: Array<Record<string, unknown>> }; encoding: Record<string, { field: string }> };
    expect(spec.encoding.x?.field).toBe('encounters\\.start\\.year');
    expect(spec.encoding.y?.field).toBe('encounters\\.count');
    // The data keeps the plain names; the escaped field resolves to them.
    expect(spec.data.values[0]).toEqual({
      'encounters.start.year': '2020-01-01T00:00:00.000',
      'encounters.count': 3,
    });
  });
});
