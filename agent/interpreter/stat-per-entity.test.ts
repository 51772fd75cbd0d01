// Statistics over entities of a figure per entity, spread words (IQR, deciles, quartiles), and
// breakdowns by a dimension of the records the rows point at.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('statistics over entities', () => {
  it('reads "median number of visits per member" as the median over members of their count', () => {
    const r = form('median number of visits per member');
    expect(r.form).toMatchObject({
      kind: 'distribution',
      stat: 'median',
      cube: 'visits',
      per: { key: 'visits.member', entity: 'members' },
    });
    expect(r.sql).toBe(
      'SELECT median(n) AS "median" FROM (SELECT "member" AS entity, count(*) AS n FROM "visits" WHERE "member" IS NOT NULL GROUP BY 1) AS t',
    );
    expect(r.interpretation).toBe('Median of Number of visits per member (over members with visits)');
  });

  it('sums a number column per entity before the statistic, in other wordings of "per"', () => {
    expect(form('90th percentile of visit charge per member').sql).toContain(
      'quantile_cont(n, 0.9) AS "p90" FROM (SELECT "member" AS entity, sum("charge") AS n',
    );
    expect(form('maximum number of visits for a single member').form).toMatchObject({
      stat: 'max',
      per: { entity: 'members' },
    });
    expect(form('min and max visits per member').form).toMatchObject({
      stat: 'min',
      also: [{ stat: 'max' }],
      per: { entity: 'members' },
    });
  });

  it('reads "the most … for a single member" as the maximum over members, not a ranking', () => {
    expect(form('the most visits recorded for a single member').form).toMatchObject({
      stat: 'max',
      per: { entity: 'members' },
    });
    expect(form('fewest visits any one member had').form).toMatchObject({ stat: 'min' });
    expect(interpret('which member has the most visits', lexicon, now).kind).toBe('none');
  });

  it('keeps a plain statistic when the entity is the rows themselves', () => {
    expect(form('median charge per visit').form).not.toHaveProperty('per');
  });

  it('breaks a figure down by a dimension of the records the rows point at', () => {
    const r = form('median visits per member by sex');
    expect(r.sql).toContain(`(SELECT o."sex" FROM "members" AS o WHERE o."id" = "visits"."member") AS g`);
    expect(r.sql).toMatch(/GROUP BY 1, 2\) AS t GROUP BY 1 ORDER BY 1$/);
  });
});

describe('spread and cut points', () => {
  it('reads the interquartile range', () => {
    for (const q of ['interquartile range of visit charge', 'IQR of visit charge'])
      expect(form(q).sql, q).toBe(
        'SELECT quantile_cont("charge", 0.75) - quantile_cont("charge", 0.25) AS "iqr" FROM "visits"',
      );
  });

  it('reads superlatives of money and time asked together as the minimum and maximum', () => {
    expect(form('cheapest and most expensive urgent visit by charge').form).toMatchObject({
      stat: 'min',
      also: [{ stat: 'max' }],
      value: 'visits.charge',
      filters: [{ member: 'visits.setting', op: 'in', values: ['urgent'] }],
    });
    expect(form('shortest and longest visit wait').form).toMatchObject({
      stat: 'min',
      also: [{ stat: 'max' }],
    });
    // One superlative alone ranks the rows: the semantic query path answers it.
    expect(interpret('most expensive visits', lexicon, now).kind).not.toBe('form');
  });

  it('reads deciles and quartiles as the percentile where that part begins', () => {
    expect(form('top decile of visit charge').form).toMatchObject({ stat: 'percentile', p: 90 });
    expect(form('bottom decile of visit charge').form).toMatchObject({ stat: 'percentile', p: 10 });
    expect(form('upper quartile of visit charge').form).toMatchObject({ stat: 'percentile', p: 75 });
    expect(form('lower quartile of visit charge').form).toMatchObject({ stat: 'percentile', p: 25 });
  });
});

describe('distinct kinds of rows per entity', () => {
  it('counts each entity’s distinct rows first, then averages (or takes the statistic) over entities', () => {
    for (const q of [
      'average number of distinct refills per member',
      'how many unique refills does a member have on average',
      'mean number of different refills per member',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({ kind: 'per_entity', entity: 'members', distinct: 'refills.id' });
      expect(r.sql, q).toBe(
        'SELECT avg(n) AS "per_entity" FROM (SELECT "member" AS entity, count(DISTINCT "id") AS n FROM "refills" WHERE "member" IS NOT NULL GROUP BY 1) AS t',
      );
    }
    expect(form('median number of different refills per member').sql).toBe(
      'SELECT median(n) AS "median" FROM (SELECT "member" AS entity, count(DISTINCT "id") AS n FROM "refills" WHERE "member" IS NOT NULL GROUP BY 1) AS t',
    );
  });

  it('never answers a count of distinct kinds over all rows when a per-entity average is asked', () => {
    const r = interpret('how many different refills does a member have on average', lexicon, now);
    expect(r).not.toMatchObject({ kind: 'form', form: { kind: 'aggregate' } });
  });
});

describe('a figure per entity over every record of the entity', () => {
  it('divides by all the entity’s records when asked to include those with none', () => {
    for (const q of [
      'average number of refills per member, including members with none',
      'average number of refills per member across all members',
      'how many refills does a member have on average, counting those with no refills',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({ kind: 'per_entity', entity: 'members', over: 'all' });
      expect(r.sql, q).toBe(
        'SELECT (SELECT count(*) FROM "refills" WHERE "member" IS NOT NULL) * 1.0 / nullif((SELECT count(*) FROM "members"), 0) AS "per_entity"',
      );
      expect(r.interpretation, q).toContain('over all members, those with none too');
    }
  });

  it('leaves the words to be placed when they are not about the entity the figure is per', () => {
    expect(interpret('average refills per member across all sites', lexicon, now)).not.toMatchObject({
      kind: 'form',
      form: { over: 'all' },
    });
  });
});
