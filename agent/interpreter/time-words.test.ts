// Time wording as analysts write it, read by one mechanism: periods in their many spellings, joined
// into ranges by their connecting words, periods relative to today, grains, and what is left unread
// (fiscal years, "2019/2020") so the question comes back naming it. Ranges are said back in words.
import { describe, expect, it } from 'vitest';
import { readTime } from './read-time.ts';
import { timeFilter } from './time-filter.ts';

const now = new Date('2024-06-15T12:00:00Z');
const range = (q: string) => readTime(q, now).dateRange;

describe('time words', () => {
  it('reads one year however it is named, and leaves none of its words behind', () => {
    for (const q of [
      'visits in 2020',
      'visits in calendar year 2020',
      'visits during the year 2020',
      'visits in calendar 2020',
      'visits in CY2020',
      "visits in CY'20",
      "visits in '20",
    ]) {
      expect(range(q), q).toEqual(['2020-01-01', '2020-12-31']);
      expect(readTime(q, now).rest, q).toBe('visits');
    }
  });

  it('reads days in ISO, US and written forms, and ranges between two of them inclusive of both', () => {
    for (const q of [
      'visits between 1/1/2019 and 6/30/2019',
      'visits from 2019-01-01 to 2019-06-30',
      'visits from January 1, 2019 to June 30, 2019',
      'visits from 1 Jan 2019 through 30 Jun 2019',
      'visits between Jan 1st 2019 and Jun 30th 2019 inclusive',
      'visits between Jan 1 and Jun 30, 2019',
      'visits 2019-01-01T00:00:00Z to 2019-06-30',
    ]) {
      expect(range(q), q).toEqual(['2019-01-01', '2019-06-30']);
      expect(readTime(q, now).rest, q).toBe('visits');
    }
    expect(range('visits on 31/12/2020')).toEqual(['2020-12-31', '2020-12-31']);
    expect(range('visits on 2/30/2020')).toBeUndefined();
  });

  it('reads months, quarters, halves, decades and "the first N months" of a year', () => {
    expect(range('visits in Jan 2021')).toEqual(['2021-01-01', '2021-01-31']);
    expect(range("visits in jan '21")).toEqual(['2021-01-01', '2021-01-31']);
    expect(range('visits in 03/2021')).toEqual(['2021-03-01', '2021-03-31']);
    expect(range('visits in Jan-Mar 2020')).toEqual(['2020-01-01', '2020-03-31']);
    expect(range('visits in q4 2019')).toEqual(['2019-10-01', '2019-12-31']);
    expect(range('visits in the 4th quarter of 2019')).toEqual(['2019-10-01', '2019-12-31']);
    expect(range('visits in H1 2020')).toEqual(['2020-01-01', '2020-06-30']);
    expect(range('visits in the 1990s')).toEqual(['1990-01-01', '1999-12-31']);
    expect(range("visits in the '90s")).toEqual(['1990-01-01', '1999-12-31']);
    expect(range('visits in the first 6 months of 2020')).toEqual(['2020-01-01', '2020-06-30']);
    expect(range('visits in the last 2 quarters of 2020')).toEqual(['2020-07-01', '2020-12-31']);
  });

  it('reads open ranges by the words around one period, with the day or year they start or end', () => {
    expect(range('visits on or after 2020-06-01')).toEqual(['2020-06-01', '2024-06-15']);
    expect(range('visits after Jan 1st 2020')).toEqual(['2020-01-02', '2024-06-15']);
    expect(range('visits since 1 Jul 2022')).toEqual(['2022-07-01', '2024-06-15']);
    expect(range('visits from 2019 onward')).toEqual(['2019-01-01', '2024-12-31']);
    expect(range('visits 2020 and later')).toEqual(['2020-01-01', '2024-12-31']);
    expect(range('visits from 2015 to now')).toEqual(['2015-01-01', '2024-12-31']);
    expect(range('pre-2020 visits')).toEqual(['1900-01-01', '2019-12-31']);
    expect(range('visits prior to March 2015')).toEqual(['1900-01-01', '2015-02-28']);
    expect(range('visits no later than 2012')).toEqual(['1900-01-01', '2012-12-31']);
    expect(range('visits from 2018 up to and including 2020')).toEqual(['2018-01-01', '2020-12-31']);
    expect(range('visits from 2019 to 2021 exclusive')).toEqual(['2019-01-01', '2020-12-31']);
    // A span counted from a period: before it, after it, or ending with it.
    expect(range('visits in the 12 months before 2020')).toEqual(['2019-01-01', '2019-12-31']);
    expect(range('visits 30 days after 2021-01-01')).toEqual(['2021-01-02', '2021-01-31']);
    expect(range('visits in the year ending June 2021')).toEqual(['2020-07-01', '2021-06-30']);
    // "starting in 2019" is the period itself; "starting from 2019" opens a range.
    expect(range('visits starting in 2019')).toEqual(['2019-01-01', '2019-12-31']);
    expect(range('visits starting from 2019')).toEqual(['2019-01-01', '2024-12-31']);
  });

  it('reads periods relative to today, as the relative range the semantic layer resolves', () => {
    expect(range('visits in the last 3 years')).toBe('last 3 years');
    expect(range('visits over the past 12 months')).toBe('last 12 months');
    expect(range('visits in the previous calendar year')).toBe('last year');
    expect(range('visits YTD')).toBe('this year');
    expect(range('visits month to date')).toBe('this month');
    expect(range('visits since last year')).toEqual(['2023-01-01', '2024-06-15']);
    // "the most recent quarter", "the latest month": the last whole one, never dropped.
    expect(range('top drugs in the most recent quarter')).toBe('last quarter');
    expect(range('visits in the latest month')).toBe('last month');
    // A stated period wins over "YTD"; another relative period beside it conflicts and is asked about.
    expect(readTime('YTD visits month by month in 2015', now)).toMatchObject({
      dateRange: ['2015-01-01', '2015-12-31'],
      granularity: 'month',
      rest: 'visits',
    });
    expect(readTime('visits in the last 3 years of 2015', now)).toMatchObject({
      unread: ['the last 3 years', '2015'],
    });
  });

  it('reads grains, and says when it chose one because none was named', () => {
    const grain = (q: string) => readTime(q, now).granularity;
    expect(grain('visits month by month in 2020')).toBe('month');
    expect(grain('visits quarter by quarter')).toBe('quarter');
    expect(grain('visits broken down by week')).toBe('week');
    expect(grain('visits for each year')).toBe('year');
    expect(grain('annually')).toBe('year');
    expect(readTime('visits over time', now)).toMatchObject({ granularity: 'month', grainChosen: true });
    // "by birth year": the grain, and the word that says which date (left for the date's choice).
    expect(readTime('members by birth year', now)).toMatchObject({ granularity: 'year', dateWord: 'birth' });
    expect(readTime('visits by month of discharge', now)).toMatchObject({
      granularity: 'month',
      dateWord: 'discharge',
    });
    // A unit before a year is the period: "over the year 2020".
    expect(readTime('visits over the year 2020', now).granularity).toBeUndefined();
  });

  it('leaves unread what it cannot place, so the question comes back naming it', () => {
    expect(readTime('visits in FY2021', now)).toMatchObject({ rest: 'visits in fy2021' });
    expect(readTime('visits in fiscal year 2021', now).dateRange).toBeUndefined();
    expect(readTime('visits in 2019/2020', now).unread).toEqual(['2019/2020']);
    // "as of" a date is read only by a reader that counts rows up to it.
    expect(readTime('average age as of 2020', now).dateRange).toBeUndefined();
    expect(readTime('visits as of 2020-12-31', now, { asOf: true })).toMatchObject({
      dateRange: ['1900-01-01', '2020-12-31'],
      asOf: '2020-12-31',
    });
    // A number after a comparison is an amount, not a year.
    const amount = readTime('visits costing more than 2000', now);
    expect(amount.dateRange).toBeUndefined();
    expect(amount.unread).toEqual([]);
  });

  it('says a range in words: by its grain when whole, else by its days', () => {
    const label = (r: [string, string] | string) => timeFilter('v.at', r, now).label;
    expect(label(['2021-01-01', '2021-12-31'])).toBe('2021');
    expect(label(['2015-01-01', '2020-12-31'])).toBe('2015 to 2020');
    expect(label(['2021-04-01', '2021-06-30'])).toBe('2021-Q2');
    expect(label(['2021-03-01', '2021-05-31'])).toBe('2021-03 to 2021-05');
    expect(label(['2021-03-05', '2021-03-05'])).toBe('5 Mar 2021');
    expect(label(['2000-01-01', '2020-06-15'])).toBe('1 Jan 2000 to 15 Jun 2020, inclusive');
    expect(label(['1900-01-01', '2014-12-31'])).toBe('up to 2014');
    expect(label(['1900-01-01', '2021-06-15'])).toBe('up to and including 15 Jun 2021');
    expect(label(['2019-01-01', '2024-12-31'])).toBe('2019 onward');
    expect(label(['2022-07-01', '2024-06-15'])).toBe('2022-07 onward');
    expect(label('last year')).toBe('2023');
  });
});
