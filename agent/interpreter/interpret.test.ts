// The interpreter over an invented model (a clinic's visits and members): the kinds it compiles,
// the coverage rule, ties asked back, and deference to the model's own measures. The same code
// runs over the bundled model and the real gate in interpret.int.test.ts.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret, retrieveMembers } from './index.ts';

import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('interpret', () => {
  it('reads a median of a number column, with the period, into governed SQL and words', () => {
    const r = form('median visit charge in 2023');
    expect(r.form).toMatchObject({
      kind: 'distribution',
      stat: 'median',
      cube: 'visits',
      value: 'visits.charge',
    });
    expect(r.sql).toBe(
      `SELECT median("charge") AS "median" FROM "visits" WHERE make_timestamp(epoch_us("started_at")) >= '2023-01-01T00:00:00.000' AND make_timestamp(epoch_us("started_at")) <= '2023-12-31T23:59:59.999'`,
    );
    expect(r.interpretation).toBe('Median of Charge over all visits, 2023');
  });

  it('reads percentiles written as ordinals or p-numbers, and units in parentheses are optional', () => {
    expect(form('90th percentile of wait for appointments').sql).toContain(
      'quantile_cont("wait_minutes", 0.9)',
    );
    expect(form('p95 wait of visits').form).toMatchObject({ stat: 'percentile', p: 95 });
  });

  it('reads several statistics of one column asked for together into one answer', () => {
    const r = form('min and max charge of visits in 2023');
    expect(r.form).toMatchObject({ kind: 'distribution', stat: 'min', also: [{ stat: 'max' }] });
    expect(r.sql).toBe(
      `SELECT min("charge") AS "min", max("charge") AS "max" FROM "visits" WHERE make_timestamp(epoch_us("started_at")) >= '2023-01-01T00:00:00.000' AND make_timestamp(epoch_us("started_at")) <= '2023-12-31T23:59:59.999'`,
    );
    expect(r.interpretation).toBe('Minimum and maximum of Charge over all visits, 2023');
    expect(form('average, median and 90th percentile of visit wait').sql).toContain(
      'avg("wait_minutes") AS "avg", median("wait_minutes") AS "median", quantile_cont("wait_minutes", 0.9) AS "p90"',
    );
    expect(form('count and total charge of urgent visits').sql).toBe(
      `SELECT count(*) AS "count", sum("charge") AS "sum" FROM "visits" WHERE "setting" IN ('urgent')`,
    );
    expect(form('lowest and highest visit charge').form).toMatchObject({
      stat: 'min',
      also: [{ stat: 'max' }],
    });
    // "average total" is one figure, not two: the semantic query path answers it.
    expect(interpret('average total charge of visits', lexicon, now).kind).toBe('none');
  });

  it('reads distinct, unique and different as a count of distinct entities, kinds or values', () => {
    const r = form('how many distinct members had an urgent visit in 2023');
    expect(r.form).toMatchObject({
      kind: 'aggregate',
      cube: 'visits',
      distinct: 'visits.member',
      entity: 'members',
      filters: [{ member: 'visits.setting', op: 'in', values: ['urgent'] }],
    });
    expect(r.sql).toContain('SELECT count(DISTINCT "member") AS "entities" FROM "visits" WHERE "setting" IN');
    expect(form('how many different settings do visits have').sql).toBe(
      'SELECT count(DISTINCT "setting") AS "entities" FROM "visits"',
    );
    expect(form('number of unique members').sql).toBe(
      'SELECT count(DISTINCT "id") AS "entities" FROM "members"',
    );
  });

  it('lists the entities over a threshold by key and label when no counting word asks for a number', () => {
    const r = form('sites with more than 100 visits');
    expect(r.form).toMatchObject({ kind: 'threshold', entity: 'sites', key: 'visits.site', list: true });
    expect(r.sql).toBe(
      'SELECT t.entity AS entity, e."name" AS "name of entity", t.n FROM (SELECT "site" AS entity, count(*) AS n FROM "visits" WHERE "site" IS NOT NULL GROUP BY 1 HAVING count(*) > 100) AS t LEFT JOIN "sites" AS e ON e."id" = t.entity ORDER BY t.n DESC, t.entity',
    );
    expect(form('how many sites had more than 100 visits').form).toMatchObject({ list: false });
    // Members have no label: listed by key only.
    expect(form('which members had at least 3 visits').sql).toMatch(/^SELECT t\.entity AS entity, t\.n FROM/);
  });

  it('looks up an attribute of the record a stored name names, not only by id', () => {
    const r = form('which town is Harbor View Practice in?');
    expect(r.form).toMatchObject({
      kind: 'lookup',
      cube: 'sites',
      attributes: ['sites.town'],
      key: 'sites.name',
      id: 'Harbor View Practice',
    });
    expect(r.sql).toBe(
      `SELECT DISTINCT "name" AS "name", "town" AS "town of record" FROM "sites" WHERE "name" = 'Harbor View Practice'`,
    );
    expect(r.interpretation).toBe('Town of the site with Name Harbor View Practice');
    // Counting or listing words ask for something else: not a lookup.
    expect(interpret('how many visits at Harbor View Practice', lexicon, now).kind).toBe('none');
  });

  it('reads two groups of rows in different cubes, joined by a clause, as a cohort of both', () => {
    const r = form('how many members with urgent visits also had refills');
    expect(r.form).toMatchObject({
      kind: 'cohort',
      entity: 'members',
      output: 'count',
      terms: [
        { cube: 'visits', filters: [{ member: 'visits.setting', values: ['urgent'] }], negated: false },
        { cube: 'refills', filters: [], negated: false },
      ],
    });
    expect(r.sql).toBe(
      'SELECT count(*) AS "entities" FROM "members" AS e WHERE e."id" IS NOT NULL' +
        ` AND EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent'))` +
        ' AND EXISTS (SELECT 1 FROM "refills" AS r1 WHERE r1."member" = e."id")',
    );
    // Both groups in one cube is a plain filtered count, not a cohort.
    expect(interpret('how many members had urgent visits in 2023', lexicon, now).kind).not.toBe('form');
  });

  it('compares two periods of any size, with the relative change, and places percent words', () => {
    const r = form('percent change in visits from Q1 2023 to Q1 2024');
    expect(r.form).toMatchObject({ kind: 'comparison', agg: 'count' });
    expect(r.interpretation).toBe('Change in Number of visits, 2023-Q1 to 2024-Q1');
    expect(r.sql).toContain('"relative change"');
    expect(
      form('how did urgent visits change between the first half of 2023 and the first half of 2024')
        .interpretation,
    ).toBe('Number of visits where Setting is urgent: 2023-H1 vs 2024-H1, one row each with the change');
  });

  it('reads a range (max minus min) and the earliest and latest dates of the rows named', () => {
    expect(form('range of visit charge').sql).toBe(
      'SELECT max("charge") - min("charge") AS "range" FROM "visits"',
    );
    expect(form('max minus min charge of visits').form).toMatchObject({ stat: 'range' });
    const r = form('earliest and latest visit dates');
    expect(r.sql).toBe('SELECT min("started_at") AS "min", max("started_at") AS "max" FROM "visits"');
  });

  it('reads a standard deviation like any other statistic', () => {
    expect(form('standard deviation of visit charge').sql).toBe(
      'SELECT stddev_samp("charge") AS "stddev" FROM "visits"',
    );
  });

  it('reads a share of rows meeting a value, by the model’s value synonyms too', () => {
    const r = form('what percentage of members are women?');
    expect(r.form).toMatchObject({
      kind: 'share',
      cube: 'members',
      condition: { member: 'members.sex', values: ['F'] },
    });
    expect(r.sql).toBe(
      `SELECT avg(CASE WHEN "sex" IN ('F') THEN 1.0 ELSE 0.0 END) AS "share" FROM "members"`,
    );
    expect(form('what share of people are deceased').form).toMatchObject({
      condition: { member: 'members.has_died', op: 'is_true' },
    });
  });

  it('reads a per-entity figure through the key that points at the entity', () => {
    const r = form('average number of appointments per member');
    expect(r.form).toMatchObject({
      kind: 'per_entity',
      cube: 'visits',
      key: 'visits.member',
      entity: 'members',
    });
    expect(r.sql).toBe(
      `SELECT count(*) * 1.0 / nullif(count(DISTINCT "member"), 0) AS "per_entity" FROM "visits"`,
    );
  });

  it('leaves a plain average of the entity’s own column, and breakdowns "for each", to the aggregate path', () => {
    expect(interpret('average lifetime spend per member', lexicon, now).kind).toBe('none');
    expect(interpret('average visit charge for each setting', lexicon, now).kind).toBe('none');
    expect(interpret('how many visits in 2023', lexicon, now).kind).toBe('none');
  });

  it('reads thresholds on a count of related rows, counting entities with none when asked for fewer', () => {
    const more = form('how many members had more than 3 visits?');
    expect(more.form).toMatchObject({ kind: 'threshold', entity: 'members', cube: 'visits', op: 'gt', n: 3 });
    expect(more.sql).toContain('HAVING count(*) > 3');
    const fewer = form('how many members had fewer than 2 visits');
    expect(fewer.sql).toContain('LEFT JOIN "visits" AS c ON c."member" = e."id"');
    expect(form('which members had at least 10 appointments').form).toMatchObject({ list: true, op: 'gte' });
  });

  it('reads a running total by a grain, of rows or of a column', () => {
    const rows = form('running total of visits by quarter in 2023');
    expect(rows.form).toMatchObject({ kind: 'cumulative', cube: 'visits', grain: 'quarter' });
    expect(rows.sql).toContain('sum(n) OVER (ORDER BY period)');
    expect(rows.sql).toContain('date_trunc(\'quarter\', make_timestamp(epoch_us("started_at")))');
    expect(rows.interpretation).toBe('Running total of visits by quarter, 2023, from Q1 2023');
    expect(form('cumulative visit charge').form).toMatchObject({ value: 'visits.charge', grain: 'month' });
    // Refills have no date: asked back, not added up over something else.
    expect(interpret('cumulative refills', lexicon, now).kind).toBe('clarify');
  });

  it('reads cohorts: both A and B, A but not B, by values and periods of rows keyed to the entity', () => {
    const both = form('how many members had both urgent and routine visits?');
    expect(both.form).toMatchObject({ kind: 'cohort', entity: 'members', output: 'count' });
    expect(both.sql).toBe(
      `SELECT count(*) AS "entities" FROM "members" AS e WHERE e."id" IS NOT NULL AND EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent')) AND EXISTS (SELECT 1 FROM "visits" AS r1 WHERE r1."member" = e."id" AND r1."setting" IN ('routine'))`,
    );
    const lapsed = form('how many members had visits in 2022 but none in 2023');
    expect(lapsed.form).toMatchObject({ terms: [{ negated: false }, { negated: true }] });
    expect(lapsed.sql).toContain('AND NOT EXISTS');
    expect(lapsed.interpretation).toBe('Number of members with any visits (2022) and no visits (2023)');
    // Words that name nothing are named back.
    expect(interpret('how many members have both gout and asthma', lexicon, now)).toMatchObject({
      kind: 'clarify',
      unplaced: ['gout', 'asthma'],
    });
  });

  it('breaks a figure down by a dimension of the cube or by a grain', () => {
    const r = form('median visit charge by setting');
    expect(r.form).toMatchObject({ kind: 'distribution', groupBy: { member: 'visits.setting' } });
    expect(r.sql).toBe(
      'SELECT "setting" AS "by setting", median("charge") AS "median" FROM "visits" GROUP BY 1 ORDER BY 1',
    );
    expect(r.interpretation).toBe('Median of Charge over all visits by Setting');
    expect(form('share of visits that were urgent by quarter in 2023').interpretation).toBe(
      'Share of visits with Setting is urgent by quarter, 2023',
    );
  });

  it('reads a comparison with a number as a condition: shares and counts above or below it', () => {
    const share = form('what percent of visits had a charge above 100?');
    expect(share.sql).toBe(
      'SELECT avg(CASE WHEN "charge" > 100 THEN 1.0 ELSE 0.0 END) AS "share" FROM "visits"',
    );
    const members = form('how many members had a visit with a charge of more than 500');
    expect(members.sql).toBe(
      'SELECT count(DISTINCT "member") AS "entities" FROM "visits" WHERE "charge" > 500',
    );
  });

  it('reads a change between two years: the figure in each, the change and the relative change', () => {
    const r = form('how did urgent visits change from 2022 to 2023?');
    expect(r.form).toMatchObject({
      kind: 'comparison',
      agg: 'count',
      filters: [{ member: 'visits.setting' }],
    });
    expect(r.sql).toContain(
      'count(*) FILTER (WHERE make_timestamp(epoch_us("started_at")) >= \'2022-01-01T00:00:00.000\'',
    );
    expect(r.sql).toContain('"value" - lag("value") OVER (ORDER BY k) AS "change"');
    expect(r.sql).toContain('AS "relative change"');
    expect(r.interpretation).toBe(
      'Number of visits where Setting is urgent: 2022 vs 2023, one row each with the change',
    );
    expect(form('increase in total charge of visits between 2022 and 2023').form).toMatchObject({
      agg: 'sum',
      value: 'visits.charge',
    });
    // Side by side ("compare … and …"): the two years only, one row each (never the range between).
    expect(form('compare urgent visits in 2020 and 2023').form).toMatchObject({
      kind: 'comparison',
      rows: true,
      periods: [{ label: '2020' }, { label: '2023' }],
    });
    // Said as a range, or by year: a breakdown, for the aggregate path.
    expect(interpret('compare urgent visits by year from 2020 to 2023', lexicon, now).kind).toBe('none');
  });

  it('reads what the model says an empty member means ("open" = no end), in counts and shares', () => {
    const open = form('how many open refills?');
    expect(open.sql).toBe('SELECT count(*) AS "rows" FROM "refills" WHERE "ended_on" IS NULL');
    expect(open.interpretation).toBe('Number of refills where Ended On not recorded');
    expect(form('how many members have pending refills').sql).toBe(
      'SELECT count(DISTINCT "member") AS "entities" FROM "refills" WHERE "ended_on" IS NULL',
    );
    expect(form('what share of refills are closed').sql).toContain('"ended_on" IS NOT NULL');
  });

  it('looks up an attribute of one record by an id recognised by its shape', () => {
    const r = form('what is the sex of member 0b5fc1a0-0dd4-4fd5-8bb4-9e4fc1a0bd3f');
    expect(r.sql).toBe(
      `SELECT "id" AS "id", "sex" AS "sex of record" FROM "members" WHERE "id" = '0b5fc1a0-0dd4-4fd5-8bb4-9e4fc1a0bd3f'`,
    );
  });

  it('asks back naming the words it could not place, instead of answering without them', () => {
    const r = interpret('median visit charge by clinic', lexicon, now);
    expect(r).toMatchObject({ kind: 'clarify', unplaced: ['clinic'] });
    const grain = interpret('median refill charge by month', lexicon, now);
    expect(grain.kind).toBe('clarify');
  });

  it('asks with both readings when two members score alike', () => {
    const r = interpret('median charge', lexicon, now);
    expect(r.kind).toBe('clarify');
    if (r.kind === 'clarify')
      expect(r.options.map((o) => o.label).sort()).toEqual(['Charge (refills)', 'Charge (visits)']);
  });

  it('defers to a measure of the model that already names the figure', () => {
    expect(interpret('urgent rate of visits', lexicon, now).kind).toBe('none');
    // A share whose condition the words name is computed over all rows: the model's rate, filtered
    // again by its own condition, would be 100%.
    expect(form('percent urgent of visits').sql).toBe(
      `SELECT avg(CASE WHEN "setting" IN ('urgent') THEN 1.0 ELSE 0.0 END) AS "share" FROM "visits"`,
    );
  });

  it('retrieves the top of the model for a question, with the counts and dates of the cubes in play', () => {
    const top = retrieveMembers('median charge of urgent appointments', lexicon, 6);
    expect(top[0]).toBe('visits.charge');
    expect(top).toContain('visits.count');
    expect(top).toContain('visits.started_at');
    expect(top).not.toContain('members.lifetime_spend');
    expect(top.length).toBeLessThanOrEqual(6);
  });

  it('titles read like a person wrote them', () => {
    expect(lexicon.members.get('visits.total_total_charge')?.title).toBe('Total Charge');
  });
});
