import { describe, expect, it } from 'vitest';
import { parseDateRange } from './date-range.ts';

const now = new Date('2024-05-15T12:00:00Z'); // a Wednesday

describe('parseDateRange', () => {
  it('turns absolute ranges into whole local days', () => {
    expect(parseDateRange(['2020-01-01', '2020-06-30'], 'UTC', now)).toEqual([
      '2020-01-01T00:00:00.000',
      '2020-06-30T23:59:59.999',
    ]);
    expect(parseDateRange('from 2020-01-01 to 2020-06-30', 'UTC', now)).toEqual([
      '2020-01-01T00:00:00.000',
      '2020-06-30T23:59:59.999',
    ]);
    expect(parseDateRange(['2020-01-01T10:00:00', '2020-01-02T11:30:00.5'], 'UTC', now)).toEqual([
      '2020-01-01T10:00:00.000',
      '2020-01-02T11:30:00.500',
    ]);
  });

  it("understands Cube's `from N units ago to now` and `from now to N units from now`", () => {
    expect(parseDateRange('from 7 days ago to now', 'UTC', now)).toEqual([
      '2024-05-08T00:00:00.000',
      '2024-05-15T23:59:59.999',
    ]);
    expect(parseDateRange('from now to 2 weeks from now', 'UTC', now)).toEqual([
      '2024-05-15T00:00:00.000',
      '2024-05-29T23:59:59.999',
    ]);
    expect(parseDateRange('from 3 months ago to today', 'UTC', now)[0]).toBe('2024-02-15T00:00:00.000');
    expect(parseDateRange('from 1 month ago to now', 'UTC', new Date('2024-03-31T12:00:00Z'))[0]).toBe(
      '2024-02-29T00:00:00.000',
    );
    expect(() => parseDateRange('from 7 fortnights ago to now', 'UTC', now)).toThrow(/not a date range/);
  });

  it('understands relative ranges', () => {
    expect(parseDateRange('today', 'UTC', now)).toEqual([
      '2024-05-15T00:00:00.000',
      '2024-05-15T23:59:59.999',
    ]);
    expect(parseDateRange('yesterday', 'UTC', now)[0]).toBe('2024-05-14T00:00:00.000');
    expect(parseDateRange('last 7 days', 'UTC', now)).toEqual([
      '2024-05-08T00:00:00.000',
      '2024-05-14T23:59:59.999',
    ]);
    expect(parseDateRange('this week', 'UTC', now)).toEqual([
      '2024-05-13T00:00:00.000',
      '2024-05-19T23:59:59.999',
    ]);
    expect(parseDateRange('this quarter', 'UTC', now)).toEqual([
      '2024-04-01T00:00:00.000',
      '2024-06-30T23:59:59.999',
    ]);
    expect(parseDateRange('last month', 'UTC', now)).toEqual([
      '2024-04-01T00:00:00.000',
      '2024-04-30T23:59:59.999',
    ]);
    expect(parseDateRange('last 2 years', 'UTC', now)).toEqual([
      '2022-01-01T00:00:00.000',
      '2023-12-31T23:59:59.999',
    ]);
    expect(parseDateRange('next month', 'UTC', now)).toEqual([
      '2024-06-01T00:00:00.000',
      '2024-06-30T23:59:59.999',
    ]);
    expect(parseDateRange('this year', 'UTC', now)).toEqual([
      '2024-01-01T00:00:00.000',
      '2024-12-31T23:59:59.999',
    ]);
  });

  it('uses the query time zone for "today"', () => {
    const lateUtc = new Date('2024-05-15T23:30:00Z');
    expect(parseDateRange('today', 'Asia/Tokyo', lateUtc)[0]).toBe('2024-05-16T00:00:00.000');
    expect(parseDateRange('today', 'America/New_York', lateUtc)[0]).toBe('2024-05-15T00:00:00.000');
  });

  it('rejects what it does not understand', () => {
    expect(() => parseDateRange('sometime soon', 'UTC', now)).toThrow(/not a date range/);
    expect(() => parseDateRange(['2020-02-30', '2020-03-01'], 'UTC', now)).toThrow(/not a valid date/);
    expect(() => parseDateRange('today', 'Mars/Olympus', now)).toThrow(/not a time zone/);
  });
});
