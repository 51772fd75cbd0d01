// What a ranking ranks and what a threshold compares, over an invented model (a clinic's visits,
// members and sites): the head noun names the records ranked or listed, and a total or average
// said of a column is compared per entity, not per row.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret, interpretQuery } from './index.ts';
import { leadingBreakdown } from './query-form.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

function query(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query;
}

describe('ranking: the records the head noun names', () => {
  it('ranks the named records by their key when they have no name ("which member had the most visits")', () => {
    for (const q of [
      'which member had the most visits',
      'the member with the most appointments',
      'top 3 members by number of visits',
    ])
      expect(query(q), q).toMatchObject({
        measures: ['visits.count'],
        dimensions: ['visits.member'],
        order: [['visits.count', 'desc']],
      });
    expect(query('top 3 members by number of visits').limit).toBe(3);
    expect(query('which member had the most visits').limit).toBe(1);
  });

  it('ranks named records by their name, by a figure of the rows that point at them', () => {
    expect(query('which site has the highest average charge')).toMatchObject({
      measures: ['visits.avg_charge'],
      dimensions: ['sites.name'],
      limit: 1,
    });
  });

  it('does not rank by a measure named only by the head’s words ("top 2 sites by number of urgent visits")', () => {
    expect(query('top 2 sites by number of urgent visits')).toMatchObject({
      measures: ['visits.count'],
      dimensions: ['sites.name'],
      limit: 2,
    });
  });

  it('counts records of another cube once each through the rows that point at both ("which site saw the most members")', () => {
    expect(query('which site saw the most members')).toMatchObject({
      measures: ['visits.distinct_members'],
      dimensions: ['sites.name'],
    });
  });
});

describe('threshold: counts, totals and averages per entity', () => {
  it('compares the average or total of a column over each entity’s rows, listed with the figure', () => {
    const r = form('sites whose average charge is over 200');
    expect(r.form).toMatchObject({
      kind: 'threshold',
      entity: 'sites',
      key: 'visits.site',
      value: 'visits.charge',
      agg: 'avg',
      op: 'gt',
      n: 200,
      list: true,
    });
    expect(r.sql).toContain(
      'avg("charge") AS n FROM "visits" WHERE "site" IS NOT NULL GROUP BY 1 HAVING avg("charge") > 200',
    );
    expect(r.sql).toContain('t.n AS "charge averaged per entity"');
    expect(form('how many members have a total charge of at least 1000').form).toMatchObject({
      agg: 'sum',
      op: 'gte',
      n: 1000,
      list: false,
    });
    expect(form('members with more than 5000 in charges').form).toMatchObject({
      agg: 'sum',
      op: 'gt',
      list: true,
    });
  });

  it('reads a total said of the entities themselves as theirs ("members with a total charge above 300")', () => {
    expect(form('members with a total charge above 300').form).toMatchObject({
      kind: 'threshold',
      entity: 'members',
      key: 'visits.member',
      agg: 'sum',
    });
  });

  it('keeps a figure said of one row a condition on rows ("a charge over 500")', () => {
    expect(form('how many members had a visit with a charge over 500').form).toMatchObject({
      kind: 'aggregate',
      filters: [{ member: 'visits.charge', op: 'gt', value: 500 }],
    });
  });

  it('reads "no more than", "N+", "exceeds" and "or above" as comparisons', () => {
    expect(form('how many members had no more than 3 visits').form).toMatchObject({ op: 'lte', n: 3 });
    expect(form('which members had 5+ visits').form).toMatchObject({ op: 'gte', n: 5, list: true });
    expect(form('how many members had 4 or above visits').form).toMatchObject({ op: 'gte', n: 4 });
    expect(form('sites whose total charge exceeds 10000').form).toMatchObject({ op: 'gt', agg: 'sum' });
  });
});

describe('a figure for every entity, and lists with the attributes asked for', () => {
  it('reads "for each X, the …" as a breakdown by X, and a record with no label by its key', () => {
    expect(leadingBreakdown('for every member, the total charge')).toBe('the total charge by member');
    expect(query('for each site, the number of visits')).toMatchObject({
      measures: ['visits.count'],
      dimensions: ['sites.name'],
    });
    // Members have no label: the visits' key to them, never the total with the breakdown dropped.
    expect(query('total charge by member').dimensions).toEqual(['visits.member']);
    // "by" before a qualified noun names who, not a split.
    expect(query('how many visits were by female members').dimensions).toBeUndefined();
  });

  it('lists the records with each attribute named after "and their" / "with their"', () => {
    expect(query('list sites and their towns').dimensions).toEqual(['sites.id', 'sites.name', 'sites.town']);
    expect(query('sites with their towns').dimensions).toEqual(['sites.id', 'sites.name', 'sites.town']);
    // The attribute said as what is listed ("the towns of sites") lists its values.
    expect(query('list the towns of sites').dimensions).toEqual(['sites.town']);
  });
});

describe('ranking with nothing to rank by', () => {
  it('asks by what when top N names records but no figure, dimension or period ("top members")', () => {
    for (const q of ['top members', 'who are our top members?', 'our top 5 members']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('clarify');
    }
  });
});

describe('a list of one attribute', () => {
  it('lists the values recorded, not an empty one ("list the visit settings")', () => {
    const q = query('list the distinct visit settings');
    expect(q.dimensions).toEqual(['visits.setting']);
    expect(q.filters).toContainEqual({ member: 'visits.setting', operator: 'set' });
  });
});
