// Thresholds and lists over an invented model: a comparison said of rows lists those rows (a count
// only when a counting word asks for one), "distinct" inside a threshold counts distinct values,
// records another cube does not point at are reached through rows keyed to both, and "between N
// and M" keeps both bounds — never a count in place of the rows, never one bound dropped.
import { describe, expect, it } from 'vitest';
import { buildLexicon, type Interpretation, interpret, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

/** Findings recorded for members at sites: a label (description), keyed to members and sites. */
const findings: LexiconCube = {
  name: 'findings',
  title: 'Findings',
  meta: { synonyms: ['diagnoses'] },
  measures: [{ name: 'findings.count', title: 'Findings Count', type: 'number', aggType: 'count' }],
  dimensions: [
    { name: 'findings.id', title: 'Id', type: 'string', primaryKey: true },
    { name: 'findings.member', title: 'Member', type: 'string' },
    { name: 'findings.site', title: 'Site', type: 'string' },
    { name: 'findings.description', title: 'Description', type: 'string' },
  ],
};
const withMeta = (activity?: string) =>
  clinicCubes.map((c) =>
    c.name === 'members' && activity ? { ...c, meta: { ...c.meta, activity } } : c,
  ) as LexiconCube[];
/** Members' activity is their visits: "sites with 20 members" counts them through visits. */
const active = buildLexicon([...withMeta('visits'), findings], []);
/** No activity said: two kinds of rows join sites to members, so which one is asked. */
const plain = buildLexicon([...withMeta(), findings], []);

function form(q: string, lexicon = clinicLexicon): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('a comparison said of rows lists the rows', () => {
  it('lists the records with their key and the figure compared, highest first', () => {
    for (const q of [
      'visits with a charge over 100',
      'list appointments with a charge above 100',
      'which visits had a charge of more than 100?',
      'show me the visits charged over 100',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'aggregate',
        cube: 'visits',
        list: true,
        filters: [{ member: 'visits.charge', op: 'gt', value: 100 }],
      });
      expect(r.sql, q).toMatch(
        /^SELECT "id", "charge" FROM "visits" WHERE "charge" > 100 ORDER BY "charge" DESC$/,
      );
      expect(r.interpretation, q).not.toMatch(/^Number/);
    }
  });

  it('counts them when a counting word asks how many', () => {
    for (const q of [
      'how many visits had a charge over 100',
      'number of appointments with a charge above 100',
      'count the visits with a charge of more than 100',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({ kind: 'aggregate', list: false });
      expect(r.sql, q).toMatch(/^SELECT count\(\*\)/);
    }
  });

  it('lists the entities the rows point at, once each', () => {
    const r = form('which members had a visit with a charge over 500?');
    expect(r.form).toMatchObject({
      kind: 'aggregate',
      distinct: 'visits.member',
      entity: 'members',
      list: true,
    });
    expect(r.sql).toContain('SELECT DISTINCT "member" AS entity FROM "visits"');
    expect(form('how many members had a visit with a charge over 500?').sql).toMatch(
      /^SELECT count\(DISTINCT "member"\)/,
    );
  });
});

describe('"between N and M" keeps both bounds', () => {
  it('of a count per entity', () => {
    for (const q of [
      'members with between 2 and 5 visits',
      'which members have between 2 and 5 appointments?',
      'list the members that had between 2 and 5 visits',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'threshold',
        entity: 'members',
        op: 'gte',
        n: 2,
        and: { op: 'lte', n: 5 },
        list: true,
      });
      expect(r.sql, q).toContain('HAVING count(*) >= 2 AND count(*) <= 5');
    }
    expect(form('how many members had between 2 and 5 visits').form).toMatchObject({ list: false });
  });

  it('of a figure of each row', () => {
    const r = form('visits with a charge between 50 and 100');
    expect(r.form.filters).toEqual([
      { member: 'visits.charge', op: 'gte', value: 50 },
      { member: 'visits.charge', op: 'lte', value: 100 },
    ]);
  });

  it('leaves two years to the period', () => {
    const r = interpret('visits between 2019 and 2020', clinicLexicon, now);
    expect(r.kind === 'form' && r.form.kind === 'threshold').toBe(false);
  });

  it('asks back for a share within a range rather than dropping a bound', () => {
    expect(interpret('what share of visits had a charge between 50 and 100', clinicLexicon, now).kind).toBe(
      'clarify',
    );
  });
});

describe('"distinct" inside a threshold', () => {
  it('counts each entity’s distinct kinds of the counted rows, not its rows', () => {
    for (const q of [
      'members with at least 3 distinct findings',
      'which members have more than 2 unique diagnoses?',
      'list members with 3 or more different findings',
    ]) {
      const r = form(q, active);
      expect(r.form, q).toMatchObject({
        kind: 'threshold',
        cube: 'findings',
        entity: 'members',
        distinct: 'findings.description',
        list: true,
      });
      expect(r.sql, q).toContain('count(DISTINCT "description")');
    }
    expect(form('how many members have more than 2 different findings', active).form).toMatchObject({
      distinct: 'findings.description',
      list: false,
    });
  });

  it('said of the entities, counts them once each, by their rows', () => {
    const r = form('how many distinct members had more than 3 visits');
    expect(r.form).toMatchObject({ kind: 'threshold', entity: 'members', list: false });
    expect(r.form).not.toHaveProperty('distinct', expect.anything());
  });
});

describe('a threshold over records another cube does not point at', () => {
  it('counts them once per entity through the rows of their activity', () => {
    for (const q of [
      'sites with more than 20 members',
      'which sites have over 20 unique members?',
      'list the locations with at least 21 distinct members',
    ]) {
      const r = form(q, active);
      expect(r.form, q).toMatchObject({
        kind: 'threshold',
        cube: 'visits',
        entity: 'sites',
        key: 'visits.site',
        distinct: 'visits.member',
        list: true,
      });
      expect(r.sql, q).toContain('count(DISTINCT "member")');
    }
    expect(form('how many sites have more than 20 members', active).form).toMatchObject({ list: false });
  });

  it('asks through which rows when several join them and none is their activity', () => {
    const r = interpret('sites with more than 20 members', plain, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.message).toMatch(/visits.*findings|findings.*visits/);
  });
});

describe('"name" asks for a list, not a person\'s name', () => {
  function listed(q: string, lexicon = clinicLexicon) {
    const r = interpretQuery(q, lexicon, now);
    if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
    return r.query;
  }

  it('lists the records named after the verb, as "which" does', () => {
    for (const q of ['name all sites', 'name the sites', 'please name every location'])
      expect(listed(q), q).toEqual(listed('which sites are there?'));
  });

  it('reads "<records> names" as the records\' own label when it names no person', () => {
    for (const q of ['list the names of the findings', 'what are the names of all diagnoses?'])
      expect(listed(q, active).dimensions, q).toContain('findings.description');
  });
});
