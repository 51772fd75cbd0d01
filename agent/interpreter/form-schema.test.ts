// submit_interpretation's arguments read into the interpreter's logical form over an invented model
// (a clinic's visits and members): each kind the form has compiles with the interpreter's own
// compiler, and what a caller may not see, the wrong type, another kind's field, or SQL where a
// name belongs is refused with the reason.
import { describe, expect, it } from 'vitest';
import { InvalidInterpretation, readInterpretation, submitInterpretationArgs } from './form-schema.ts';
import { buildLexicon, compileSql, describeForm, interpret, type LexiconCube } from './index.ts';
import type { LogicalForm } from './logical-form.ts';
import { clinicLexicon } from './testing/clinic.ts';

const cubes: LexiconCube[] = [
  {
    name: 'members',
    title: 'Members',
    measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'members.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'members.sex', title: 'Sex', type: 'string' },
      { name: 'members.ssn', title: 'SSN', type: 'string', meta: { masked: true } },
    ],
  },
  {
    name: 'visits',
    title: 'Visits',
    measures: [{ name: 'visits.count', title: 'Visits Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'visits.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'visits.member', title: 'Member', type: 'string' },
      { name: 'visits.setting', title: 'Setting', type: 'string' },
      { name: 'visits.charge', title: 'Charge', type: 'number' },
      { name: 'visits.started_at', title: 'Started At', type: 'time' },
    ],
  },
];
const lexicon = buildLexicon(cubes, []);
// The same model with a second number column of visits (what a payer paid), for measure arithmetic.
const paidLexicon = buildLexicon(
  cubes.map((c) =>
    c.name === 'visits'
      ? { ...c, dimensions: [...c.dimensions, { name: 'visits.paid', title: 'Paid', type: 'number' }] }
      : c,
  ),
  [],
);
const y2023 = { member: 'visits.started_at', from: '2023-01-01', to: '2023-12-31', label: '2023' };

describe('readInterpretation', () => {
  it('reads each kind into the logical form, compiled by the interpreter', () => {
    const p90 = readInterpretation(
      {
        kind: 'distribution',
        cube: 'visits',
        value: 'visits.charge',
        stat: 'percentile',
        p: 90,
        time: y2023,
      },
      lexicon,
    );
    expect(p90).toEqual({
      kind: 'distribution',
      cube: 'visits',
      filters: [],
      time: y2023,
      value: 'visits.charge',
      stat: 'percentile',
      p: 90,
    });
    expect(compileSql(p90, lexicon)).toContain('quantile_cont("charge", 0.9)');
    expect(describeForm(p90, lexicon)).toContain('2023');

    const share = readInterpretation(
      {
        kind: 'share',
        cube: 'visits',
        condition: { member: 'visits.setting', op: 'in', values: ['urgent'] },
      },
      lexicon,
    );
    expect(compileSql(share, lexicon)).toContain(`CASE WHEN "setting" IN ('urgent')`);

    const lookup = readInterpretation(
      { kind: 'lookup', cube: 'members', key: 'members.id', id: "x' OR '1'='1", attributes: ['members.sex'] },
      lexicon,
    );
    // A value is a literal, quoted by the compiler: never SQL.
    expect(compileSql(lookup, lexicon)).toContain(`"id" = 'x'' OR ''1''=''1'`);

    const cohort = readInterpretation(
      {
        kind: 'cohort',
        cube: 'visits',
        entity: 'members',
        combine: 'but_not',
        first: {
          cube: 'visits',
          key: 'visits.member',
          filters: [{ member: 'visits.setting', op: 'in', values: ['urgent'] }],
        },
        second: { cube: 'visits', key: 'visits.member', filters: [], time: y2023 },
      },
      lexicon,
    );
    expect(cohort).toMatchObject({ kind: 'cohort', list: false });
    expect(compileSql(cohort, lexicon)).toContain('EXCEPT');

    const compare = readInterpretation(
      {
        kind: 'comparison',
        cube: 'visits',
        agg: 'avg',
        value: 'visits.charge',
        periods: [{ ...y2023, from: '2022-01-01', to: '2022-12-31', label: '2022' }, y2023],
      },
      lexicon,
    );
    expect(compileSql(compare, lexicon)).toContain('"relative change"');
  });

  it('refuses what the caller may not see, the wrong type, and fields of another kind', () => {
    const refusals: Array<[unknown, RegExp]> = [
      [{ kind: 'aggregate', cube: 'claims' }, /cube: no cube "claims"/],
      [
        { kind: 'distribution', cube: 'visits', value: 'visits.secret_cost', stat: 'median' },
        /no member "visits.secret_cost"/,
      ],
      [
        { kind: 'distribution', cube: 'visits', value: 'visits.setting', stat: 'median' },
        /is string, not number/,
      ],
      [{ kind: 'distribution', cube: 'visits', value: 'visits.count', stat: 'median' }, /is a measure/],
      [{ kind: 'distribution', cube: 'visits', value: 'members.id', stat: 'max' }, /not a member of visits/],
      [{ kind: 'distribution', cube: 'visits', value: 'visits.charge', stat: 'percentile' }, /p/],
      [{ kind: 'aggregate', cube: 'visits', stat: 'median' }, /stat: not a field of an aggregate/],
      [
        {
          kind: 'lookup',
          cube: 'members',
          key: 'members.ssn',
          id: '123-45-6789',
          attributes: ['members.sex'],
        },
        /"members.ssn" is masked/,
      ],
      [
        { kind: 'aggregate', cube: 'visits', time: { ...y2023, from: '2024-01-01' } },
        /from 2024-01-01 is after/,
      ],
      [
        { kind: 'aggregate', cube: 'visits', time: { ...y2023, to: "2023'); DROP TABLE visits;--" } },
        /YYYY-MM-DD/,
      ],
      [{ kind: 'aggregate', cube: 'visits', time: { ...y2023, member: 'visits.charge' } }, /not time/],
      [{ kind: 'share', cube: 'visits' }, /condition/],
      [{ kind: 'raw_sql', cube: 'visits', sql: 'DROP TABLE visits' }, /kind/],
    ];
    for (const [args, reason] of refusals) {
      let caught: unknown;
      try {
        readInterpretation(args, lexicon);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(args)).toBeInstanceOf(InvalidInterpretation);
      expect((caught as Error).message, JSON.stringify(args)).toMatch(reason);
    }
  });

  it('takes every field the offline interpreter gained: the same form, compiled to the same SQL', () => {
    // Forms as the offline interpreter writes them: a model submitting one reads back into it unchanged.
    const forms: LogicalForm[] = [
      // A second breakdown ("share of visits by setting for each year"), and its scope ("of all visits").
      {
        kind: 'share',
        cube: 'visits',
        filters: [],
        groupBy: { member: 'visits.setting' },
        thenBy: { grain: 'year' },
      },
      {
        kind: 'share',
        cube: 'visits',
        filters: [],
        groupBy: { member: 'visits.setting' },
        thenBy: { member: 'members.sex' },
        whole: 'all',
      },
      // A share of a sum, and one number column's part of another's.
      {
        kind: 'share',
        cube: 'visits',
        filters: [],
        value: 'visits.charge',
        groupBy: { member: 'visits.setting' },
      },
      // A distinct running total ("members seen so far, by month").
      {
        kind: 'cumulative',
        cube: 'visits',
        filters: [],
        distinct: 'visits.member',
        entity: 'members',
        grain: 'month',
      },
      // Measure arithmetic: a running total, a statistic and a threshold of one column less another.
      {
        kind: 'cumulative',
        cube: 'visits',
        filters: [],
        value: 'visits.charge',
        less: 'visits.paid',
        grain: 'year',
      },
      {
        kind: 'distribution',
        cube: 'visits',
        filters: [],
        value: 'visits.charge',
        less: 'visits.paid',
        stat: 'median',
        groupBy: { member: 'visits.setting' },
        thenBy: { grain: 'year' },
      },
      {
        kind: 'threshold',
        cube: 'visits',
        filters: [],
        key: 'visits.member',
        entity: 'members',
        op: 'gt',
        n: 1000,
        list: true,
        value: 'visits.charge',
        less: 'visits.paid',
        agg: 'sum',
      },
      // "between 2 and 5 distinct settings"; distinct settings per member; per member, those with none too.
      {
        kind: 'threshold',
        cube: 'visits',
        filters: [],
        key: 'visits.member',
        entity: 'members',
        op: 'gte',
        n: 2,
        list: false,
        distinct: 'visits.setting',
        and: { op: 'lte', n: 5 },
      },
      {
        kind: 'per_entity',
        cube: 'visits',
        filters: [],
        key: 'visits.member',
        entity: 'members',
        distinct: 'visits.setting',
      },
      {
        kind: 'per_entity',
        cube: 'visits',
        filters: [],
        key: 'visits.member',
        entity: 'members',
        over: 'all',
      },
    ];
    for (const form of forms) {
      const read = readInterpretation(form, paidLexicon);
      expect(read, JSON.stringify(form)).toEqual(form);
      expect(compileSql(read, paidLexicon)).toBe(compileSql(form, paidLexicon));
    }
    const refusals: Array<[unknown, RegExp]> = [
      [
        {
          kind: 'share',
          cube: 'visits',
          groupBy: { member: 'visits.setting' },
          thenBy: { member: 'visits.nope' },
        },
        /thenBy.member/,
      ],
      [
        {
          kind: 'share',
          cube: 'visits',
          thenBy: { grain: 'year' },
          condition: { member: 'visits.setting', op: 'is_null' },
        },
        /thenBy: a second breakdown needs a groupBy/,
      ],
      [{ kind: 'share', cube: 'visits', groupBy: { member: 'visits.setting' }, whole: 'all' }, /whole/],
      [
        { kind: 'cumulative', cube: 'visits', grain: 'year', less: 'visits.setting', value: 'visits.charge' },
        /is string, not number/,
      ],
      [
        { kind: 'cumulative', cube: 'visits', grain: 'year', thenBy: { grain: 'month' } },
        /thenBy: not a field/,
      ],
      [
        {
          kind: 'threshold',
          cube: 'visits',
          key: 'visits.member',
          entity: 'members',
          op: 'gt',
          n: 1,
          agg: 'sum',
        },
        /value/,
      ],
    ];
    for (const [args, reason] of refusals) {
      expect(() => readInterpretation(args, paidLexicon), JSON.stringify(args)).toThrow(reason);
    }
  });

  it('takes every field of the logical form: the offline interpreter’s form for a question, submitted, compiles to its SQL', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    // One question per field (or shape) the model may fill in, read offline over the clinic model.
    const questions: Array<[string, Partial<Record<string, unknown>>]> = [
      // comparison of groups: each output, a condition through a key, a period beside the groups
      ['how much higher is the average charge for urgent than routine visits', { output: 'difference' }],
      ['ratio of urgent to routine visits', { output: 'ratio' }],
      ['is the average charge higher for urgent or routine visits', { output: 'rows', differences: true }],
      ['how many women vs men had visits', { groups: [{ label: 'women' }, { label: 'men' }] }],
      ['average charge of urgent vs routine visits in 2023', { time: { label: '2023' } }],
      // comparison of periods: the difference as said, and one row per period
      ['were there more visits in 2023 than in 2022', { difference: true }],
      ['visits in 2023 vs 2022', { rows: true }],
      // distribution: also, per (rows and a breakdown through the key), unit, every statistic
      ['shortest and longest visit wait', { stat: 'min', also: [{ stat: 'max' }] }],
      ['median number of visits per member', { per: { key: 'visits.member', entity: 'members' } }],
      ['min and max visits per member', { also: [{ stat: 'max' }], per: { entity: 'members' } }],
      ['median visits per member by sex', { per: { entity: 'members' }, groupBy: { member: 'members.sex' } }],
      ['median wait in hours', { unit: { from: 60, to: 3600, name: 'hours' } }],
      ['average wait in hours by setting', { stat: 'avg', unit: { name: 'hours' } }],
      ['interquartile range of visit charge', { stat: 'iqr' }],
      ['standard deviation of visit charge', { stat: 'stddev' }],
      [
        'earliest and latest visit dates',
        { stat: 'min', also: [{ stat: 'max' }], value: 'visits.started_at' },
      ],
      // within: rows kept to a cohort's records, on a per-entity figure, a statistic and a share
      ['average visits per member among women', { kind: 'per_entity', within: [{ key: 'visits.member' }] }],
      ['average visits per member among members with urgent visits', { within: [{ key: 'visits.member' }] }],
      ['median visit charge for women', { kind: 'distribution', within: [{ key: 'visits.member' }] }],
      ['what share of visits were urgent for women', { kind: 'share', within: [{ key: 'visits.member' }] }],
      // cohort with terms: negated terms, terms on its own rows, a period, scope, output, columns
      ['members who had an urgent visit but never a routine visit', { output: 'list' }],
      ['how many deceased members had urgent visits', { output: 'count' }],
      [
        'members with urgent visits in 2023 who never had a refill',
        { terms: [{ time: { label: '2023' } }, {}] },
      ],
      ['among members with urgent visits, what share had a refill', { output: 'share', scope: [{}] }],
      ['list sites with no visits', { columns: ['sites.name'] }],
      // aggregate: the records listed, and the entities they point at
      ['list visits with charge over 1000', { kind: 'aggregate', list: true }],
      ['which members had a visit with a charge over 1000', { list: true, distinct: 'visits.member' }],
      // share: a condition on a cube the rows point at
      ['share of visits by women', { condition: { member: 'members.sex' } }],
    ];
    for (const [q, shape] of questions) {
      const r = interpret(q, clinicLexicon, now);
      if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
      // Word positions the reader keeps are no part of the form a model sees.
      const { at: _at, ...form } = r.form as LogicalForm & { at?: unknown };
      expect(form, q).toMatchObject(shape);
      const read = readInterpretation(JSON.parse(JSON.stringify(form)), clinicLexicon);
      expect(read, q).toEqual(form);
      expect(compileSql(read, clinicLexicon), q).toBe(r.sql);
      expect(describeForm(read, clinicLexicon), q).toBe(r.interpretation);
    }
  });

  it('fills in what a model may leave out of a cohort, and reads it as the offline form', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    const offline = (q: string) => {
      const r = interpret(q, clinicLexicon, now);
      if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
      return r;
    };
    // "among women": the cohort's cube and its terms; its key, entity and output are derived.
    const among = offline('average visits per member among women');
    const lean = readInterpretation(
      {
        kind: 'per_entity',
        cube: 'visits',
        key: 'visits.member',
        entity: 'members',
        within: [
          {
            key: 'visits.member',
            cohort: {
              cube: 'members',
              terms: [{ cube: 'members', filters: [{ member: 'members.sex', op: 'in', values: ['F'] }] }],
            },
          },
        ],
      },
      clinicLexicon,
    );
    expect(compileSql(lean, clinicLexicon)).toBe(among.sql);
    // A cohort listed through `list`, its negated term with no filters.
    const never = offline('list sites with no visits');
    const listed = readInterpretation(
      {
        kind: 'cohort',
        cube: 'sites',
        list: true,
        columns: ['sites.name'],
        terms: [{ cube: 'visits', key: 'visits.site', negated: true }],
      },
      clinicLexicon,
    );
    expect(compileSql(listed, clinicLexicon)).toBe(never.sql);
    // A comparison of groups with no output named: one row per group.
    const vs = offline('urgent vs routine visits');
    const rows = readInterpretation(
      {
        kind: 'comparison',
        cube: 'visits',
        agg: 'count',
        groups: [
          { label: 'urgent', condition: { member: 'visits.setting', op: 'in', values: ['urgent'] } },
          { label: 'routine', condition: { member: 'visits.setting', op: 'in', values: ['routine'] } },
        ],
      },
      clinicLexicon,
    );
    expect(compileSql(rows, clinicLexicon)).toBe(vs.sql);
  });

  it('keeps the wire schema flat: one object, no unions a provider could refuse', () => {
    const json = JSON.stringify(submitInterpretationArgs.toJSONSchema());
    expect(json).not.toMatch(/"(anyOf|oneOf|allOf)"/);
  });
});
