// Time phrases as people write them: closed and open year ranges, quarters, halves and months in
// their several spellings, each read to the date range it means (and taken out of the words left).
import { describe, expect, it } from 'vitest';
import { readTime } from './read-time.ts';

const now = new Date('2024-06-01T12:00:00Z');
const range = (q: string) => readTime(q, now).dateRange;

describe('readTime', () => {
  it('reads closed year ranges in their usual spellings, inclusive of both years', () => {
    for (const q of [
      'visits from 2015 through 2017',
      'visits 2015-2017',
      'visits between 2015 and 2017',
      'visits from 2015 to 2017',
      'visits in 2015 to 2017',
      'visits 2015 thru 2017',
    ])
      expect(range(q), q).toEqual(['2015-01-01', '2017-12-31']);
    expect(readTime('visits 2015-2017 by setting', now).rest).not.toMatch(/\d/);
  });

  it('reads open ranges: since and "in or after" include the year, after and before exclude it', () => {
    expect(range('visits since 2017')).toEqual(['2017-01-01', '2024-12-31']);
    expect(range('visits in or after 2017')).toEqual(['2017-01-01', '2024-12-31']);
    expect(range('visits in 2017 or later')).toEqual(['2017-01-01', '2024-12-31']);
    expect(range('visits from 2017 onwards')).toEqual(['2017-01-01', '2024-12-31']);
    expect(range('visits after 2019')).toEqual(['2020-01-01', '2024-12-31']);
    expect(range('visits before 2010')).toEqual(['1900-01-01', '2009-12-31']);
    expect(range('visits up to 2015')).toEqual(['1900-01-01', '2015-12-31']);
    expect(range('visits in or before 2015')).toEqual(['1900-01-01', '2015-12-31']);
    expect(range('visits through 2015')).toEqual(['1900-01-01', '2015-12-31']);
  });

  it('reads quarters, halves and months however they are written', () => {
    for (const q of [
      'visits in Q3 2020',
      'visits in the third quarter of 2020',
      'visits 2020 Q3',
      'visits 2020-Q3',
    ])
      expect(range(q), q).toEqual(['2020-07-01', '2020-09-30']);
    for (const q of ['visits in the second half of 2018', 'visits in H2 2018', 'visits 2018 H2'])
      expect(range(q), q).toEqual(['2018-07-01', '2018-12-31']);
    expect(range('visits in the first half of 2021')).toEqual(['2021-01-01', '2021-06-30']);
    expect(range('visits in March 2020')).toEqual(['2020-03-01', '2020-03-31']);
    expect(range('visits in 2020-03')).toEqual(['2020-03-01', '2020-03-31']);
    expect(range('visits on 2020-03-15')).toEqual(['2020-03-15', '2020-03-15']);
    expect(range('visits between March 2019 and June 2020')).toEqual(['2019-03-01', '2020-06-30']);
    expect(range('visits after December 2020')).toEqual(['2021-01-01', '2024-06-01']);
  });

  it('keeps two years joined by "and" or "vs" as a side-by-side breakdown by year', () => {
    const t = readTime('visits in 2022 and 2023', now);
    expect(t.dateRange).toEqual(['2022-01-01', '2023-12-31']);
    expect(t.granularity).toBe('year');
  });
});
