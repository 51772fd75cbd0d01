// The records a question counts, and what it breaks them down by: "unique members for each site"
// is one count per site (never one total with the breakdown dropped), "urgent members by sex"
// counts members once each (not their visits), and "which towns do our members live in" ranks the
// members' own town before another cube's dimension of the same name. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

/** The clinic with site names shared by several sites (meta `unique: false`) and members living in towns. */
function clinic(options: { sharedNames?: boolean; memberTowns?: boolean }) {
  const cubes: LexiconCube[] = clinicCubes.map((c) => {
    if (c.name === 'sites' && options.sharedNames)
      return {
        ...c,
        dimensions: c.dimensions.map((d) =>
          d.name === 'sites.name' ? { ...d, meta: { unique: false } } : d,
        ),
      };
    if (c.name === 'members' && options.memberTowns)
      return { ...c, dimensions: [...c.dimensions, { name: 'members.town', title: 'Town', type: 'string' }] };
    if (c.name === 'visits' && options.memberTowns)
      return {
        ...c,
        dimensions: [...c.dimensions, { name: 'visits.branch', title: 'Branch', type: 'string' }],
      };
    return c;
  });
  // Branches (named before members in any order of names) have a town too.
  if (options.memberTowns)
    cubes.push({
      name: 'branches',
      title: 'Branches',
      measures: [{ name: 'branches.count', title: 'Branches Count', type: 'number', aggType: 'count' }],
      dimensions: [
        { name: 'branches.id', title: 'Id', type: 'string', primaryKey: true },
        { name: 'branches.town', title: 'Town', type: 'string' },
      ],
    });
  return buildLexicon(cubes, [
    { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
    { dimension: 'sites.name', values: ['Harbor View Practice', 'Elm Street Practice'] },
  ]);
}

function form(question: string, lexicon = clinicLexicon) {
  const r = interpret(question, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${question}: ${JSON.stringify(r)}`);
  return r;
}

describe('a count of distinct records with a breakdown after it', () => {
  it('breaks the count down by the records named after "per" or "for each", through rows that point at both', () => {
    for (const q of [
      'number of distinct members per site',
      'unique member count for each location',
      'how many different members by site',
    ]) {
      const r = form(q);
      expect(r.form).toMatchObject({
        kind: 'aggregate',
        cube: 'visits',
        distinct: 'visits.member',
        groupBy: { member: 'sites.name' },
      });
      expect(r.sql).toMatch(/count\(DISTINCT "member"\).*GROUP BY 1/);
    }
  });

  it('groups by the key and the label together when several records share a label', () => {
    const r = form('number of distinct members per site', clinic({ sharedNames: true }));
    expect(r.form).toMatchObject({ groupBy: { member: 'visits.site' }, thenBy: { member: 'sites.name' } });
    expect(r.sql).toMatch(/GROUP BY 1, 2/);
  });

  it('breaks it down by a dimension the counted records have', () => {
    const r = form('how many distinct members by sex');
    expect(r.form).toMatchObject({
      cube: 'members',
      distinct: 'members.id',
      groupBy: { member: 'members.sex' },
    });
  });

  it('asks whether an average or a row for each is meant when the records have no name to show', () => {
    const r = interpret('how many distinct sites per member', clinicLexicon, now);
    expect(r.kind).toBe('clarify');
  });

  it('still counts once, with no breakdown, when none is said', () => {
    const r = form('how many distinct members had an urgent visit');
    expect(r.form.groupBy).toBeUndefined();
    expect(r.form).toMatchObject({ cube: 'visits', distinct: 'visits.member' });
  });
});

describe('records qualified by another cube’s value', () => {
  it('counts the records the phrase ends in once each, not the rows that qualify them', () => {
    for (const q of [
      'urgent members by sex',
      'how many urgent members',
      'urgent-appointment members split by sex',
      'how many urgent-appointment members',
    ]) {
      const r = interpretQuery(q, clinicLexicon, now);
      expect(r.kind).toBe('query');
      if (r.kind === 'query') expect(r.query.measures).toEqual(['visits.distinct_members']);
    }
  });

  it('counts the rows when the rows are what the phrase ends in', () => {
    const r = interpretQuery('urgent visits of members by sex', clinicLexicon, now);
    expect(r.kind).toBe('query');
    if (r.kind === 'query') expect(r.query.measures).toEqual(['visits.count']);
  });
});

describe('a dimension several cubes have, ranked', () => {
  it('is the one of the records the question names', () => {
    const lexicon = clinic({ memberTowns: true });
    const r = interpretQuery('which 3 towns do most of our members live in', lexicon, now);
    expect(r.kind).toBe('query');
    if (r.kind === 'query') expect(r.query.dimensions).toEqual(['members.town']);
    const sites = interpretQuery('top 3 towns by number of branches', lexicon, now);
    expect(sites.kind).toBe('query');
    if (sites.kind === 'query') expect(sites.query.dimensions).toEqual(['branches.town']);
  });
});
