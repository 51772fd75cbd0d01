// A ranking of periods (issue 15): "which year had the most encounters" picked the prior-year
// measure by the word "year" and failed with a query error; "which month had the most" asked what
// to rank by. The head noun of a ranking that is a grain ranks the buckets of that grain.
import { describe, expect, it } from 'vitest';
import { interpretQuery } from './index.ts';
import { periodRanked } from './rank-head.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

describe('a ranking of periods', () => {
  it('groups by the grain named and orders by the figure, one period when one is asked', () => {
    for (const [q, grain, dir, limit] of [
      ['which year had the most visits', 'year', 'desc', 1],
      ['the month with the fewest visits', 'month', 'asc', 1],
      ['which quarter had the highest total charge', 'quarter', 'desc', 1],
      ['top 3 months by visits', 'month', 'desc', 3],
      ['the busiest month for visits', 'month', 'desc', 1],
      ['the most busy month for visits', 'month', 'desc', 1],
      // Activity said as a quality, lowest first: the period with the fewest.
      ['the quietest month for visits', 'month', 'asc', 1],
      ['the least busy year for visits', 'year', 'asc', 1],
      ['which was the slowest quarter for visits', 'quarter', 'asc', 1],
      ['which week was the least busy for urgent visits', 'week', 'asc', 1],
    ] as const) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('query');
      if (r.kind !== 'query') continue;
      expect(r.query.timeDimensions?.[0], q).toMatchObject({
        dimension: 'visits.started_at',
        granularity: grain,
      });
      expect(r.query.dimensions ?? [], q).toEqual([]);
      expect(r.query.order?.[0]?.[1], q).toBe(dir);
      expect(r.query.limit, q).toBe(limit);
    }
  });

  it('keeps a period filter beside it', () => {
    const r = interpretQuery('which month in 2023 had the most urgent visits', lexicon, now);
    expect(r.kind === 'query' && r.query.timeDimensions?.[0]).toMatchObject({
      granularity: 'month',
      dateRange: ['2023-01-01', '2023-12-31'],
    });
  });

  it('is not read from a period that is a date range or a grain already', () => {
    expect(periodRanked('visits in the year 2020 with the most charge')).toBeUndefined();
    expect(periodRanked('the most visits over the year')).toBeUndefined();
    expect(periodRanked('which year did member 5 join')).toBeUndefined();
  });

  it('asks what to measure when a quiet period names no records', () => {
    expect(interpretQuery('quietest month', lexicon, now).kind).toBe('clarify');
    expect(interpretQuery('least busy year', lexicon, now).kind).toBe('clarify');
  });
});
