// Every query shape Cube's REST API documentation describes (query format, filters, time
// dimensions, relative date ranges, order forms, paging, timezone, data blending), written against
// the bundled Synthea model, plus the malformed variants a client can send. Each must answer 200 or
// a 400 in Cube's `{"error": "<string>"}` shape, never a 500.

const td = 'encounters.start';
const count = ['encounters.count'];

/** A named query shape (the name says which documented feature it exercises). */
export interface CubeQueryShape {
  name: string;
  query: unknown;
}

const granularities = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'fortnight'];
const relativeRanges = [
  'today',
  'yesterday',
  'this week',
  'this month',
  'this quarter',
  'this year',
  'last week',
  'last month',
  'last quarter',
  'last year',
  'last 7 days',
  'last 12 months',
  'last 2 quarters',
  'last 360 days',
  'next year',
  'next 3 months',
  'from 7 days ago to now',
  'from now to 2 weeks from now',
  'from 2020-01-01 to 2020-06-30',
  'nonsense',
];
const stringOps: Array<[string, string[] | undefined]> = [
  ['equals', ['ambulatory']],
  ['equals', ['ambulatory', 'inpatient']],
  ['notEquals', ['ambulatory']],
  ['contains', ['amb']],
  ['notContains', ['amb']],
  ['startsWith', ['amb']],
  ['notStartsWith', ['amb']],
  ['endsWith', ['ory']],
  ['notEndsWith', ['ory']],
  ['set', undefined],
  ['notSet', undefined],
  ['equals', []],
  ['gt', ['1']],
  ['between', ['1', '2']],
];
const numberOps: Array<[string, string[]]> = [
  ['equals', ['100']],
  ['notEquals', ['100']],
  ['gt', ['100']],
  ['gte', ['100']],
  ['lt', ['100']],
  ['lte', ['100']],
  ['inDateRange', ['2020-01-01', '2020-12-31']],
];
const dateOps: Array<[string, string[]]> = [
  ['inDateRange', ['2020-01-01', '2020-12-31']],
  ['notInDateRange', ['2020-01-01', '2020-12-31']],
  ['beforeDate', ['2020-01-01']],
  ['beforeOrOnDate', ['2020-01-01']],
  ['afterDate', ['2020-01-01']],
  ['afterOrOnDate', ['2020-01-01']],
  ['inDateRange', ['2020-01-01T00:00:00.000', '2020-12-31T23:59:59.999']],
  ['inDateRange', ['last year']],
  ['beforeDate', ['not a date']],
];

/** The shapes, each with a name for the failure message. */
export const cubeQueryShapes: CubeQueryShape[] = [
  { name: 'measure', query: { measures: count } },
  { name: 'dimension only', query: { dimensions: ['encounters.encounterclass'] } },
  {
    name: 'measures and dimensions of joined cubes',
    query: { measures: count, dimensions: ['encounters.encounterclass', 'patients.gender'] },
  },
  { name: 'granularity in the member name', query: { measures: count, dimensions: [`${td}.year`] } },
  ...granularities.map((g) => ({
    name: `granularity ${g}, absolute range`,
    // An hour: the client fills every empty second of the range, which takes it long for days.
    query: {
      measures: count,
      timeDimensions: [
        { dimension: td, granularity: g, dateRange: ['2020-01-01T00:00:00.000', '2020-01-01T00:59:59.999'] },
      ],
    },
  })),
  ...relativeRanges.map((r) => ({
    name: `relative range ${r}`,
    query: { measures: count, timeDimensions: [{ dimension: td, dateRange: r }] },
  })),
  ...['this year', 'last 12 months', 'last week'].map((r) => ({
    name: `relative range ${r} with a granularity`,
    query: { measures: count, timeDimensions: [{ dimension: td, granularity: 'month', dateRange: r }] },
  })),
  {
    name: 'time dimension without range or granularity',
    query: { measures: count, timeDimensions: [{ dimension: td }] },
  },
  {
    name: 'dateRange of one date',
    query: { measures: count, timeDimensions: [{ dimension: td, dateRange: '2020-01-01' }] },
  },
  {
    name: 'compareDateRange absolute',
    query: {
      measures: count,
      timeDimensions: [
        {
          dimension: td,
          granularity: 'year',
          compareDateRange: [
            ['2020-01-01', '2020-12-31'],
            ['2021-01-01', '2021-12-31'],
          ],
        },
      ],
    },
  },
  {
    name: 'compareDateRange relative',
    query: {
      measures: count,
      timeDimensions: [{ dimension: td, granularity: 'month', compareDateRange: ['last year', 'this year'] }],
    },
  },
  {
    name: 'compareDateRange empty',
    query: { measures: count, timeDimensions: [{ dimension: td, compareDateRange: [] }] },
  },
  ...stringOps.map(([operator, values]) => ({
    name: `string filter ${operator} ${JSON.stringify(values)}`,
    query: {
      measures: count,
      filters: [{ member: 'encounters.encounterclass', operator, ...(values ? { values } : {}) }],
    },
  })),
  ...numberOps.map(([operator, values]) => ({
    name: `measure filter ${operator}`,
    query: {
      measures: count,
      dimensions: ['encounters.encounterclass'],
      filters: [{ member: 'encounters.count', operator, values }],
    },
  })),
  ...dateOps.map(([operator, values]) => ({
    name: `date filter ${operator} ${values.join(',')}`,
    query: { measures: count, filters: [{ member: td, operator, values }] },
  })),
  {
    name: 'filter by `dimension` (the older key)',
    query: {
      measures: count,
      filters: [{ dimension: 'encounters.encounterclass', operator: 'equals', values: ['x'] }],
    },
  },
  {
    name: 'numeric filter values as numbers',
    query: { measures: count, filters: [{ member: 'encounters.count', operator: 'gt', values: [1] }] },
  },
  {
    name: 'or with a nested and',
    query: {
      measures: count,
      filters: [
        {
          or: [
            { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] },
            {
              and: [
                { member: 'patients.gender', operator: 'equals', values: ['F'] },
                { member: td, operator: 'afterDate', values: ['2015-01-01'] },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    name: 'measure filter inside or',
    query: {
      measures: count,
      dimensions: ['encounters.encounterclass'],
      filters: [
        {
          or: [
            { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] },
            { member: 'encounters.count', operator: 'gt', values: ['1'] },
          ],
        },
      ],
    },
  },
  {
    name: 'measure filters inside and',
    query: {
      measures: count,
      dimensions: ['encounters.encounterclass'],
      filters: [
        {
          and: [
            { member: 'encounters.count', operator: 'gt', values: ['1'] },
            { member: 'encounters.count', operator: 'lt', values: ['100000'] },
          ],
        },
      ],
    },
  },
  { name: 'segment', query: { measures: count, segments: ['encounters.inpatient'] } },
  { name: 'unknown segment', query: { measures: count, segments: ['encounters.nope'] } },
  {
    name: 'order object',
    query: {
      measures: count,
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.count': 'desc' },
    },
  },
  {
    name: 'order array',
    query: {
      measures: count,
      dimensions: ['encounters.encounterclass'],
      order: [
        ['encounters.count', 'desc'],
        ['encounters.encounterclass', 'asc'],
      ],
    },
  },
  {
    name: 'order by a time dimension with granularity',
    query: {
      measures: count,
      timeDimensions: [{ dimension: td, granularity: 'year', dateRange: ['2015-01-01', '2020-12-31'] }],
      order: { [td]: 'asc' },
    },
  },
  { name: 'order by an unselected member', query: { measures: count, order: { 'patients.gender': 'asc' } } },
  { name: 'order none', query: { measures: count, order: { 'encounters.count': 'none' } } },
  {
    name: 'limit, offset and total',
    query: { measures: count, dimensions: ['encounters.encounterclass'], limit: 2, offset: 1, total: true },
  },
  { name: 'limit over 50,000', query: { measures: count, limit: 1_000_000 } },
  { name: 'rowLimit', query: { measures: count, rowLimit: 5 } },
  {
    name: 'ungrouped',
    query: {
      dimensions: ['encounters.id'],
      measures: ['encounters.total_total_claim_cost'],
      ungrouped: true,
      limit: 3,
    },
  },
  {
    name: 'timezone',
    query: {
      measures: count,
      timezone: 'America/New_York',
      timeDimensions: [{ dimension: td, granularity: 'day', dateRange: 'last week' }],
    },
  },
  { name: 'unknown timezone', query: { measures: count, timezone: 'Not/AZone' } },
  { name: 'renewQuery', query: { measures: count, renewQuery: true } },
  {
    name: 'responseFormat compact',
    query: { measures: count, dimensions: ['encounters.encounterclass'], responseFormat: 'compact' },
  },
  { name: 'joinHints', query: { measures: count, joinHints: [['encounters', 'patients']] } },
  { name: 'data blending (an array)', query: [{ measures: count }, { measures: ['patients.count'] }] },
  { name: 'unknown measure', query: { measures: ['encounters.nope'] } },
  { name: 'a dimension as a measure', query: { measures: ['encounters.encounterclass'] } },
  { name: 'a measure as a dimension', query: { dimensions: ['encounters.count'] } },
  { name: 'member without cube', query: { measures: ['nope'] } },
  { name: 'measures not an array', query: { measures: 'encounters.count' } },
  { name: 'empty query', query: {} },
  {
    name: 'granularity on a string dimension',
    query: { timeDimensions: [{ dimension: 'encounters.encounterclass', granularity: 'day' }] },
  },
  {
    name: 'unknown operator',
    query: {
      measures: count,
      filters: [{ member: 'encounters.encounterclass', operator: 'nope', values: ['x'] }],
    },
  },
  { name: 'negative limit', query: { measures: count, limit: -1 } },
];
