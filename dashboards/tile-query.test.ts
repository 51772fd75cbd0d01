import { describe, expect, it } from 'vitest';
import { dashboardFileSchema } from './schema.ts';
import { drillQuery, periodRange, tileQuery } from './tile-query.ts';

const dashboard = {
  id: 'd',
  ...dashboardFileSchema.parse({
    title: 'D',
    filters: [
      { id: 'period', type: 'date_range', label: 'Period', member: 'encounters.start' },
      { id: 'payer', type: 'select', label: 'Payer', member: 'payers.name', default: 'Medicare' },
    ],
    tiles: [
      {
        id: 'per-year',
        title: 'Per year',
        query: {
          measures: ['encounters.count'],
          timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
        },
        chart: 'line',
        position: { x: 0, y: 0, w: 6, h: 4 },
        drill: { dimensions: ['encounters.id', 'encounters.start'] },
      },
      {
        id: 'conditions',
        title: 'Conditions',
        query: { measures: ['conditions.count'], dimensions: ['conditions.description'], limit: 10 },
        chart: 'bar',
        position: { x: 6, y: 0, w: 6, h: 4 },
        filters: { period: 'conditions.start', payer: null },
      },
    ],
  }),
};
const [perYear, conditions] = dashboard.tiles as [
  (typeof dashboard.tiles)[number],
  (typeof dashboard.tiles)[number],
];

describe('tileQuery', () => {
  it('sets the date range on the tile’s own time dimension and adds select filters', () => {
    const r = tileQuery(dashboard, perYear, { period: ['2020-01-01', '2021-12-31'], payer: 'Humana' });
    expect(r.query.timeDimensions).toEqual([
      { dimension: 'encounters.start', granularity: 'year', dateRange: ['2020-01-01', '2021-12-31'] },
    ]);
    expect(r.query.filters).toEqual([{ member: 'payers.name', operator: 'equals', values: ['Humana'] }]);
    expect(r.applied).toEqual(['period', 'payer']);
    // The dashboard's definition is not changed by a request.
    expect(perYear.query.timeDimensions?.[0]).not.toHaveProperty('dateRange');
  });

  it('maps filters per tile, skips the ones a tile opts out of, and applies defaults', () => {
    const r = tileQuery(dashboard, conditions, { period: ['2020-01-01', '2020-06-30'] });
    expect(r.query.timeDimensions).toEqual([
      { dimension: 'conditions.start', dateRange: ['2020-01-01', '2020-06-30'] },
    ]);
    expect(r.query.filters).toBeUndefined();
    expect(r.notApplied).toEqual(['payer']);
    expect(r.query.limit).toBe(10);
    expect(tileQuery(dashboard, perYear, {}).query.filters).toEqual([
      { member: 'payers.name', operator: 'equals', values: ['Medicare'] },
    ]);
    expect(tileQuery(dashboard, perYear, { payer: null }).query.filters).toBeUndefined();
  });

  it('refuses unknown filters and values of the wrong kind', () => {
    expect(() => tileQuery(dashboard, perYear, { nope: 'x' })).toThrow(
      expect.objectContaining({ code: 'FILTER_INVALID' }),
    );
    expect(() => tileQuery(dashboard, perYear, { period: 'x' })).toThrow(
      expect.objectContaining({ code: 'FILTER_INVALID' }),
    );
    expect(() => tileQuery(dashboard, perYear, { payer: ['2020-01-01', '2020-01-02'] })).toThrow(
      expect.objectContaining({ code: 'FILTER_INVALID' }),
    );
    expect(() => tileQuery(dashboard, perYear, { period: ['2021-01-01', '2020-01-01'] })).toThrow(
      expect.objectContaining({ code: 'FILTER_INVALID' }),
    );
  });
});

describe('drillQuery', () => {
  it('drills into a time bucket within the dashboard’s date filter', () => {
    const r = drillQuery(
      dashboard,
      perYear,
      { period: ['2020-03-01', '2024-12-31'] },
      {
        'encounters.start.year': '2020-01-01T00:00:00.000',
      },
    );
    expect(r.query).toMatchObject({
      dimensions: ['encounters.id', 'encounters.start'],
      ungrouped: true,
      timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2020-03-01', '2020-12-31'] }],
      filters: [{ member: 'payers.name', operator: 'equals', values: ['Medicare'] }],
    });
  });

  it('refuses points on members the tile does not show, and tiles without drill rows', () => {
    expect(() => drillQuery(dashboard, perYear, {}, { 'patients.ssn': 'x' })).toThrow(
      expect.objectContaining({ code: 'DRILL_INVALID' }),
    );
    expect(() => drillQuery(dashboard, conditions, {})).toThrow(
      expect.objectContaining({ code: 'DRILL_INVALID' }),
    );
  });

  it('turns bucket starts into inclusive periods', () => {
    expect(periodRange('2020-01-01T00:00:00.000', 'year')).toEqual(['2020-01-01', '2020-12-31']);
    expect(periodRange('2020-02-01T00:00:00.000', 'month')).toEqual(['2020-02-01', '2020-02-29']);
    expect(periodRange('2020-10-01', 'quarter')).toEqual(['2020-10-01', '2020-12-31']);
    expect(periodRange('2020-03-02', 'week')).toEqual(['2020-03-02', '2020-03-08']);
  });
});
