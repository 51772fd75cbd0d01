// Distributions over any number column of a cube, row by row: the statistic's many wordings
// ("std dev", "variance", "quartiles"), a date column named whole, and "a single …" of the rows'
// own entity (each row one entity: the statistic over the rows).
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function sql(q: string): string {
  const r: Interpretation = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.sql;
}

describe('distribution wordings', () => {
  it('reads a standard deviation however it is written, and a variance', () => {
    for (const q of ['std dev of visit charge', 'stdev of visit charge', 'sample std dev of visit charge'])
      expect(sql(q)).toBe('SELECT stddev_samp("charge") AS "stddev" FROM "visits"');
    expect(sql('variance of visit charge')).toBe('SELECT var_samp("charge") AS "variance" FROM "visits"');
  });

  it('reads "the quartiles" as the three cut points, and "the top quartile" as one', () => {
    expect(sql('quartiles of visit charge')).toBe(
      'SELECT quantile_cont("charge", 0.25) AS "p25", median("charge") AS "median", quantile_cont("charge", 0.75) AS "p75" FROM "visits"',
    );
    expect(sql('top quartile of visit charge')).toBe(
      'SELECT quantile_cont("charge", 0.75) AS "p75" FROM "visits"',
    );
  });

  it('reads the earliest and latest of a date column named whole, without a date word', () => {
    expect(sql('earliest and latest joined at of members')).toBe(
      'SELECT min("joined_at") AS "min", max("joined_at") AS "max" FROM "members"',
    );
  });

  it('reads "on a single visit" of a number of the visits themselves as the statistic of its rows', () => {
    expect(sql('max charge on a single visit')).toBe('SELECT max("charge") AS "max" FROM "visits"');
    expect(sql('most expensive single visit charge')).toBe('SELECT max("charge") AS "max" FROM "visits"');
  });
});

describe('running totals of new rows', () => {
  it('reads "new" rows as those counted in the period they began, by the cube’s own date', () => {
    expect(sql('running count of new visits by year')).toBe(sql('running count of visits by year'));
  });
});

describe('one number column taken from another', () => {
  it('reads "X minus Y" and "X less Y" of the same rows into the statistic or the running total', () => {
    expect(sql('median charge minus wait of visits')).toBe(
      'SELECT median(("charge" - "wait_minutes")) AS "median" FROM "visits"',
    );
    expect(sql('total visit charge less wait')).toBe(
      'SELECT sum(("charge" - "wait_minutes")) AS "sum" FROM "visits"',
    );
    expect(sql('running total of visit charge minus wait by year')).toContain(
      'sum(("charge" - "wait_minutes")) AS n',
    );
  });

  it('leaves "less than" to the comparison', () => {
    expect(sql('how many visits had a charge less than 100')).toBe(
      'SELECT count(*) AS "rows" FROM "visits" WHERE "charge" < 100',
    );
  });
});

describe('a threshold on a difference', () => {
  it('reads "whose total X minus Y is over N" into each entity’s sum of the difference', () => {
    expect(sql('sites whose total charge minus wait exceeds 10000')).toContain(
      'HAVING sum(("charge" - "wait_minutes")) > 10000',
    );
    expect(sql('median charge - wait of visits')).toBe(sql('median charge minus wait of visits'));
  });
});
