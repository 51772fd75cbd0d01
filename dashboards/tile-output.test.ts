import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';
import { tileSchema } from './schema.ts';
import { tileSpec, vegaField } from './tile-chart.ts';
import { shapeResult } from './tile-result.ts';

const load = {
  data: [
    { 'payers.name': 'Medicare', 'encounters.count': 10, 'encounters.cost': 5.5 },
    { 'payers.name': '=HYPERLINK("x")', 'encounters.count': 2, 'encounters.cost': null },
  ],
  annotation: {
    measures: {
      'encounters.count': { title: 'Encounters Count', shortTitle: 'Count', type: 'number' },
      'encounters.cost': { title: 'Encounters Cost', shortTitle: 'Cost', type: 'number', format: 'currency' },
    },
    dimensions: { 'payers.name': { title: 'Payers Name', shortTitle: 'Name', type: 'string' } },
    timeDimensions: {},
  },
};
const query = { measures: ['encounters.count', 'encounters.cost'], dimensions: ['payers.name'] };
const tile = (chart: string, extra: Record<string, unknown> = {}) =>
  tileSchema.parse({ id: 't', title: 'T', query, chart, position: { x: 0, y: 0, w: 6, h: 4 }, ...extra });

describe('tile output', () => {
  it('shapes columns in query order with titles and formats', () => {
    const r = shapeResult(query, load);
    expect(r.columns.map((c) => [c.key, c.title, c.kind])).toEqual([
      ['payers.name', 'Name', 'dimension'],
      ['encounters.count', 'Count', 'measure'],
      ['encounters.cost', 'Cost', 'measure'],
    ]);
    expect(r.columns[2]?.format).toBe('currency');
    expect(r.rows).toEqual([
      ['Medicare', 10, 5.5],
      ['=HYPERLINK("x")', 2, null],
    ]);
  });

  it('writes CSV that spreadsheets do not execute', () => {
    expect(toCsv(shapeResult(query, load))).toBe(
      'payers.name,encounters.count,encounters.cost\r\nMedicare,10,5.5\r\n"\'=HYPERLINK(""x"")",2,\r\n',
    );
  });

  it('escapes dotted member names as Vega-Lite fields and folds several measures into series', () => {
    expect(vegaField('encounters.start.year')).toBe('encounters\\.start\\.year');
    const single = tileSpec(tile('bar', { query: { ...query, measures: ['encounters.count'] } }), {
      ...shapeResult({ ...query, measures: ['encounters.count'] }, load),
    });
    expect(single).toMatchObject({
      mark: { type: 'bar' },
      encoding: { x: { field: 'payers\\.name', sort: '-y' }, y: { field: 'encounters\\.count' } },
    });
    const multi = tileSpec(tile('bar'), shapeResult(query, load)) as { data: { values: unknown[] } };
    expect(multi.data.values).toContainEqual({
      'payers.name': 'Medicare',
      series: 'Cost',
      value: 5.5,
      __row: 0,
    });
    expect(tileSpec(tile('table'), shapeResult(query, load))).toBeNull();
    const own = tileSpec(
      tile('bar', { vega_lite: { mark: 'point', encoding: { x: { field: 'encounters.count' } } } }),
      shapeResult(query, load),
    );
    expect(own).toMatchObject({ mark: 'point', encoding: { x: { field: 'encounters\\.count' } } });
  });
});
