// submit_interpretation's arguments read into the interpreter's logical form over an invented model
// (a clinic's visits and members): each kind the form has compiles with the interpreter's own
// compiler, and what a caller may not see, the wrong type, another kind's field, or SQL where a
// name belongs is refused with the reason.
import { describe, expect, it } from 'vitest';
import { InvalidInterpretation, readInterpretation, submitInterpretationArgs } from './form-schema.ts';
import { buildLexicon, compileSql, describeForm, type LexiconCube } from './index.ts';

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
      [{ kind: 'aggregate', cube: 'visits', stat: 'median' }, /stat: not a field of a aggregate/],
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

  it('keeps the wire schema flat: one object, no unions a provider could refuse', () => {
    const json = JSON.stringify(submitInterpretationArgs.toJSONSchema());
    expect(json).not.toMatch(/"(anyOf|oneOf|allOf)"/);
  });
});
