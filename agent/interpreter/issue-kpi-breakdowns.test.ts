// KPI questions keep every part of the question: a breakdown said after the figure is carried into
// the query (one row per group, two breakdowns at most) or asked about by name, never dropped; a
// running total of entities counts each once; "compare … in A and B" is those two periods only;
// kinds of records per entity go through the cube that links them; "among X with any Y" scopes.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function read(q: string): Interpretation {
  return interpret(q, lexicon, now);
}

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = read(q);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('breakdowns said after a KPI', () => {
  it('carries a breakdown and a period grain together, never one in place of the other', () => {
    const share = form('percentage of visits by setting for each year');
    expect(share.form).toMatchObject({
      kind: 'share',
      groupBy: { member: 'visits.setting' },
      thenBy: { grain: 'year' },
    });
    // Each setting's part of its year's visits.
    expect(share.sql).toContain('PARTITION BY');
    expect(share.interpretation).toContain('by Setting within each year');
    for (const q of ['median visit charge by setting by year', 'median visit charge by setting, yearly']) {
      expect(form(q).form, q).toMatchObject({
        kind: 'distribution',
        stat: 'median',
        groupBy: { grain: 'year' },
        thenBy: { member: 'visits.setting' },
      });
    }
  });

  it('reads every way a breakdown is said, for every path that breaks down', () => {
    for (const q of [
      'median visit charge grouped by setting',
      'median visit charge broken down by setting',
      'median visit charge split by setting',
      'median visit charge of visits of each setting',
      'median visit charge for every setting',
      'median visit charge in each setting',
    ])
      expect(form(q).form, q).toMatchObject({ kind: 'distribution', groupBy: { member: 'visits.setting' } });
    expect(form('average number of visits per member, broken down by sex').form).toMatchObject({
      kind: 'per_entity',
      groupBy: { member: 'members.sex' },
    });
    expect(form('median number of visits per member by sex for each year').form).toMatchObject({
      kind: 'distribution',
      per: { entity: 'members' },
      groupBy: { grain: 'year' },
      thenBy: { member: 'members.sex' },
    });
    const running = form('running total of visits by month for each setting');
    expect(running.form).toMatchObject({
      kind: 'cumulative',
      grain: 'month',
      groupBy: { member: 'visits.setting' },
    });
    expect(running.sql).toContain('PARTITION BY g ORDER BY period');
  });

  it('joins two dimensions said with "and": each pair, as a part of all the rows for a share', () => {
    const r = form('share of visits by setting and sex');
    expect(r.form).toMatchObject({
      kind: 'share',
      groupBy: { member: 'visits.setting' },
      thenBy: { member: 'members.sex' },
      whole: 'all',
    });
    expect(r.sql).not.toContain('PARTITION BY');
  });

  it('asks back, naming them, when more breakdowns are said than the figure can carry', () => {
    const r = read('median visit charge by setting and sex for each year');
    expect(r.kind).toBe('clarify');
    expect(JSON.stringify(r)).toMatch(/Setting.*Sex.*year/);
    const t = read('members with more than 3 visits by sex');
    expect(t.kind).toBe('clarify');
    expect(JSON.stringify(t)).toContain('sex');
  });
});

describe('running totals of entities', () => {
  it('counts each entity once, in the period of its first row', () => {
    const r = form('cumulative number of distinct members with visits by year');
    expect(r.form).toMatchObject({
      kind: 'cumulative',
      cube: 'visits',
      grain: 'year',
      distinct: 'visits.member',
      entity: 'members',
    });
    expect(r.sql).toContain('min(');
    expect(r.interpretation).toMatch(/distinct members/i);
  });

  it('asks back rather than add up rows when no rows say when an entity was counted', () => {
    const r = read('running total of distinct sites by year');
    expect(r.kind).toBe('clarify');
    expect(JSON.stringify(r)).toContain('distinct');
  });
});

describe('comparisons of two periods worded without "vs"', () => {
  it('reads "compare … in A and B", "… relative to …" as the two periods, one row each', () => {
    for (const q of [
      'compare urgent visits in 2019 and 2022',
      'how did the number of urgent visits in 2022 compare with 2019',
      'urgent visits in 2022 relative to 2019',
      'comparison of urgent visits in 2019 and 2022',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'comparison',
        rows: true,
        periods: [{ label: '2019' }, { label: '2022' }],
      });
    }
  });
});

describe('comparisons with the shape of their answer said', () => {
  it('reads "one row per year", "(row per year)", "count per year" as the rows it answers in', () => {
    for (const q of [
      'urgent visits 2020 vs 2022 — one row per year',
      'number of urgent visits in 2020 versus 2022 (row per year)',
      'urgent visits in 2020 vs 2022, count per year',
    ])
      expect(form(q).form, q).toMatchObject({
        kind: 'comparison',
        rows: true,
        periods: [{ label: '2020' }, { label: '2022' }],
      });
    expect(form('urgent vs routine visits, one row each').form).toMatchObject({
      kind: 'comparison',
      output: 'rows',
    });
    // The breakdown the two groups already are, said again, is theirs; another is asked about.
    expect(form('urgent vs routine visits, by setting').form).toMatchObject({
      kind: 'comparison',
      output: 'rows',
    });
    expect(read('urgent vs routine visits by sex').kind).toBe('clarify');
  });

  it('answers "how many more … than …? give the difference" with the difference alone', () => {
    expect(
      form('how many more visits were there in 2022 than in 2020? give the difference').form,
    ).toMatchObject({
      kind: 'comparison',
      difference: true,
    });
  });
});

describe('kinds of records per entity, and scopes said of the entity', () => {
  it('counts kinds of another cube per entity through the cube keyed to both', () => {
    for (const q of [
      'average number of different sites per member',
      'on average how many distinct sites has each member visited',
    ]) {
      expect(form(q).form, q).toMatchObject({
        kind: 'per_entity',
        cube: 'visits',
        key: 'visits.member',
        entity: 'members',
        distinct: 'visits.site',
      });
    }
  });

  it('reads "among members with any …" as the scope of a per-entity figure', () => {
    const own = form('average number of visits per member (among members with at least one visit)');
    expect(own.form).toMatchObject({ kind: 'per_entity', cube: 'visits', entity: 'members' });
    expect(own.form).not.toHaveProperty('within');
    const other = form('average number of visits per member among members with any refills');
    expect(other.form).toMatchObject({
      kind: 'per_entity',
      cube: 'visits',
      within: [{ key: 'visits.member', cohort: { terms: [{ cube: 'refills', negated: false }] } }],
    });
    expect(other.sql).toContain('"refills"');
  });
});
