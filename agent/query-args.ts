// The parts of a semantic query that a model's tool call and a verified query file both spell out:
// one list, so the two schemas accept the same operators and grains.

/** Filter operators a semantic query may use (Cube's names). */
export const SEMANTIC_FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'set',
  'notSet',
  'inDateRange',
  'notInDateRange',
  'beforeDate',
  'afterDate',
] as const;

/** Time grains a semantic query may group by. */
export const TIME_GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
