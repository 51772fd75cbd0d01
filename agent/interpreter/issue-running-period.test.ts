// A running total within the period named (issue #15: "running total of encounters month by month
// through 2023" added up from the first record, 1924, through 2023-12 — 577 rows — where readers
// meant the months of 2023 adding up from January 2023). Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

function period(q: string) {
  const f = form(q).form;
  return 'time' in f && f.time ? [f.time.from.slice(0, 10), f.time.to.slice(0, 10)] : undefined;
}

describe('a running total by a grain finer than the period named', () => {
  it('runs within that period, from zero at its start', () => {
    for (const q of [
      'running total of visits month by month through 2023',
      'running total of visits month by month in 2023',
      'cumulative visits by month during 2023',
      'running total of visits by quarter up to and including 2023',
    ])
      expect(period(q), q).toEqual(['2023-01-01', '2023-12-31']);
    expect(period('cumulative visit charge by week through Q1 2022')).toEqual(['2022-01-01', '2022-03-31']);
    expect(period('cumulative visit charge by week for Q1 2022')).toEqual(['2022-01-01', '2022-03-31']);
    expect(form('running total of visits month by month through 2023').interpretation).toBe(
      'Running total of visits by month, 2023, from January 2023',
    );
    expect(form('cumulative visit charge by week through Q1 2022').interpretation).toBe(
      'Running total of Charge by week, 2022-Q1, from 1 Jan 2022',
    );
  });

  it('starts where a start is named', () => {
    expect(period('running total of visits by month since 2019')?.[0]).toBe('2019-01-01');
    expect(period('running total of visits by month from 2019 to 2023')).toEqual([
      '2019-01-01',
      '2023-12-31',
    ]);
  });
});

describe('a running total that adds up from the first record', () => {
  it('does so by a grain as long as the period or longer, and says so', () => {
    expect(period('cumulative visits by year through 2023')).toEqual(['1900-01-01', '2023-12-31']);
    expect(period('running total of visits by month through March 2023')).toEqual([
      '1900-01-01',
      '2023-03-31',
    ]);
    expect(form('cumulative visits by year through 2023').interpretation).toBe(
      'Running total of visits by year, adding up from the first record through 2023',
    );
  });

  it('does so with no grain said, or a bound rather than a period ("no later than")', () => {
    expect(period('running total of visits through 2023')?.[0]).toBe('1900-01-01');
    expect(period('running total of visits by month no later than 2023')?.[0]).toBe('1900-01-01');
  });

  it('does so when the words say it, placing them', () => {
    expect(period('running total of visits by month through 2023 from the first record')?.[0]).toBe(
      '1900-01-01',
    );
    expect(period('running total of visits by month to date')).toBeUndefined();
    expect(period('running total of visits by month since the beginning')).toBeUndefined();
    expect(form('running total of visits by month to date').interpretation).toBe(
      'Running total of visits by month, adding up from the first record',
    );
  });
});
