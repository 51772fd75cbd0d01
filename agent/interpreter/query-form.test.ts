// Aggregates, lists, rankings, side-by-side comparisons and follow-ups over an invented model: the
// query each reads to, the words of its interpretation, and questions back for what it cannot place.
import { describe, expect, it } from 'vitest';
import { interpretQuery, type QueryReading } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function query(q: string, previous?: Parameters<typeof interpretQuery>[3]) {
  const r = interpretQuery(q, lexicon, now, previous);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('interpretQuery', () => {
  it('reads "monthly … for a year" as one figure per month of that year', () => {
    const r = query('monthly visit counts for 2023');
    expect(r.query).toEqual({
      measures: ['visits.count'],
      timeDimensions: [
        { dimension: 'visits.started_at', granularity: 'month', dateRange: ['2023-01-01', '2023-12-31'] },
      ],
    });
    expect(r.interpretation).toBe('Visits Count by month, 2023');
  });

  it('picks the measure by its aggregation and breaks it down by a dimension', () => {
    const r = query('average charge of visits by setting');
    expect(r.query.measures).toEqual(['visits.avg_charge']);
    expect(r.query.dimensions).toEqual(['visits.setting']);
    expect(query('total charge of visits').query.measures).toEqual(['visits.total_total_charge']);
  });

  it('filters by stored values and the model’s value synonyms', () => {
    expect(query('how many urgent visits in 2023?').query.filters).toEqual([
      { member: 'visits.setting', operator: 'equals', values: ['urgent'] },
    ]);
    expect(query('how many women are members').query).toMatchObject({
      measures: ['members.count'],
      filters: [{ member: 'members.sex', values: ['F'] }],
    });
  });

  it('ranks the top or bottom N of a dimension by a measure', () => {
    const r = query('top 2 settings by number of visits');
    expect(r.reading).toBe('rank');
    expect(r.query).toMatchObject({
      measures: ['visits.count'],
      dimensions: ['visits.setting'],
      order: [['visits.count', 'desc']],
      limit: 2,
    });
    expect(query('the setting with the fewest visits').query).toMatchObject({
      order: [['visits.count', 'asc']],
    });
  });

  it('sets two values side by side ("urgent vs routine")', () => {
    const r = query('urgent vs routine visits');
    expect(r.query.dimensions).toEqual(['visits.setting']);
    expect(r.query.filters).toEqual([
      { member: 'visits.setting', operator: 'equals', values: ['urgent', 'routine'] },
    ]);
  });

  it('lists records, or the distinct values of a dimension', () => {
    expect(query('list the members').query).toMatchObject({ dimensions: ['members.id'], limit: 1000 });
    expect(query('which settings are there?').query).toMatchObject({ dimensions: ['visits.setting'] });
  });

  it('applies a follow-up to the previous query, keeping what it does not change', () => {
    const previous = {
      measures: ['visits.count'],
      timeDimensions: [
        { dimension: 'visits.started_at', dateRange: ['2023-01-01', '2023-12-31'] as [string, string] },
      ],
    };
    const r = query('and by setting?', previous);
    expect(r.reading).toBe('follow_up');
    expect(r.query).toMatchObject({ measures: ['visits.count'], dimensions: ['visits.setting'] });
    expect(r.query.timeDimensions?.[0]?.dateRange).toEqual(['2023-01-01', '2023-12-31']);
    expect(query('only urgent', previous).query.filters).toEqual([
      { member: 'visits.setting', operator: 'equals', values: ['urgent'] },
    ]);
  });

  it('asks back naming the words it could not place', () => {
    const r: QueryReading = interpretQuery('how many visits at the zorblat clinic', lexicon, now);
    expect(r).toMatchObject({ kind: 'clarify', unplaced: ['zorblat', 'clinic'] });
  });

  it('asks with the readings when two measures read alike, and what to measure when none is named', () => {
    const r = interpretQuery('what was the charge', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(interpretQuery('by setting', lexicon, now).kind).toBe('clarify');
  });

  it('refuses writes and questions about nothing in the model', () => {
    expect(interpretQuery('delete all visits', lexicon, now).kind).toBe('refuse');
    expect(interpretQuery('what is the weather tomorrow', lexicon, now).kind).toBe('refuse');
  });
});
