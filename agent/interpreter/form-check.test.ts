// A model's logical form checked against the caller's lexicon (the clinic test model): fields that
// name what the caller may not see, keys that point elsewhere, fields the compiler would not apply,
// or a masked value matched are refused with the field and what would be accepted.
import { describe, expect, it } from 'vitest';
import { InvalidInterpretation, readInterpretation } from './form-schema.ts';
import { buildLexicon, compileSql } from './index.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const y2023 = { member: 'visits.started_at', from: '2023-01-01', to: '2023-12-31', label: '2023' };

describe('checkForm', () => {
  it('refuses new fields that name what the caller may not see, or do not hold together, saying what would', () => {
    const urgent = { member: 'visits.setting', op: 'in', values: ['urgent'] };
    const women = { member: 'members.sex', op: 'in', values: ['F'] };
    const groups = [
      { label: 'urgent', condition: urgent },
      { label: 'routine', condition: { ...urgent, values: ['routine'] } },
    ];
    const womenCohort = { cube: 'members', terms: [{ cube: 'members', filters: [women] }] };
    const refusals: Array<[unknown, RegExp]> = [
      // comparison of groups
      [
        {
          kind: 'comparison',
          cube: 'visits',
          agg: 'count',
          groups: [groups[0], { label: 'x', condition: { ...urgent, member: 'visits.nope' } }],
        },
        /groups\.1\.condition\.member: no member "visits\.nope" the caller may see/,
      ],
      [
        {
          kind: 'comparison',
          cube: 'visits',
          agg: 'count',
          groups: [groups[0], { label: 'x', condition: { member: 'refills.charge', op: 'gt', value: 1 } }],
        },
        /groups\.1\.condition\.member: "refills\.charge" is not a member of visits/,
      ],
      [
        { kind: 'comparison', cube: 'visits', agg: 'count', groups, output: 'count' },
        /output: Invalid option: expected one of "difference"/,
      ],
      [
        { kind: 'comparison', cube: 'visits', agg: 'count', groups, output: 'ratio', differences: true },
        /differences: only with output rows/,
      ],
      [
        { kind: 'comparison', cube: 'visits', agg: 'count', groups, periods: [y2023, y2023] },
        /groups: compare two periods or two groups/,
      ],
      [
        { kind: 'comparison', cube: 'visits', agg: 'count', groups, rows: true },
        /rows: not a field of a comparison of groups/,
      ],
      [
        {
          kind: 'comparison',
          cube: 'visits',
          agg: 'count',
          groups,
          distinct: 'visits.site',
          entity: 'members',
        },
        /distinct: the key of visits that points at members is "visits.member"/,
      ],
      [{ kind: 'comparison', cube: 'visits', agg: 'avg', groups }, /value: a sum or average needs a value/],
      // comparison of periods
      [
        {
          kind: 'comparison',
          cube: 'visits',
          agg: 'count',
          periods: [{ ...y2023, label: 'a' }, y2023],
          difference: true,
          rows: true,
        },
        /give difference or rows/,
      ],
      [
        { kind: 'comparison', cube: 'visits', agg: 'count', periods: [y2023, y2023], output: 'rows' },
        /output: not a field of a comparison of periods/,
      ],
      // distribution
      [
        {
          kind: 'distribution',
          cube: 'visits',
          stat: 'median',
          per: { key: 'visits.member', entity: 'sites' },
        },
        /per\.key: visits has no key .* points at sites|per\.key: the key of visits that points at sites/,
      ],
      [
        {
          kind: 'distribution',
          cube: 'visits',
          stat: 'median',
          per: { key: 'visits.id', entity: 'members' },
        },
        /per\.key: the key of visits that points at members is "visits.member"/,
      ],
      [
        {
          kind: 'distribution',
          cube: 'visits',
          stat: 'median',
          per: { key: 'visits.member', entity: 'patients' },
        },
        /per\.entity: no cube "patients"/,
      ],
      [
        {
          kind: 'distribution',
          cube: 'visits',
          value: 'visits.charge',
          stat: 'min',
          also: [{ stat: 'percentile' }],
        },
        /p/,
      ],
      [
        {
          kind: 'distribution',
          cube: 'visits',
          value: 'visits.charge',
          stat: 'min',
          also: [{ stat: 'mode' }],
        },
        /also\.0\.stat/,
      ],
      [
        {
          kind: 'distribution',
          cube: 'visits',
          value: 'visits.charge',
          stat: 'median',
          unit: { from: 60, to: 3600, name: 'hours' },
        },
        /unit: visits.charge has no unit of time/,
      ],
      [
        {
          kind: 'distribution',
          cube: 'visits',
          value: 'visits.wait_minutes',
          stat: 'median',
          unit: { from: 1, to: 3600, name: 'hours' },
        },
        /unit: visits.wait_minutes is kept in minutes; .*"from":60,"to":3600,"name":"hours"/,
      ],
      // within
      [
        { kind: 'aggregate', cube: 'visits', within: [{ key: 'visits.site', cohort: womenCohort }] },
        /within\.0\.key: the key of visits that points at members is "visits.member"/,
      ],
      [
        {
          kind: 'aggregate',
          cube: 'visits',
          within: [
            {
              key: 'visits.member',
              cohort: {
                ...womenCohort,
                terms: [{ cube: 'members', filters: [{ ...women, member: 'members.gender' }] }],
              },
            },
          ],
        },
        /within\.0\.cohort\.terms\.0\.filters\.0\.member: no member "members.gender"/,
      ],
      [
        {
          kind: 'aggregate',
          cube: 'visits',
          within: [{ key: 'visits.member', cohort: { ...womenCohort, output: 'count' } }],
        },
        /within\.0\.cohort\.output/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          terms: [{ cube: 'visits', key: 'visits.member' }],
          within: [{ key: 'visits.member', cohort: womenCohort }],
        },
        /within: not a field of a cohort with terms/,
      ],
      // cohort with terms
      [
        { kind: 'cohort', cube: 'members', terms: [{ cube: 'visits', key: 'visits.site' }] },
        /terms\.0\.key: the key of visits that points at members is "visits.member"/,
      ],
      [
        { kind: 'cohort', cube: 'members', terms: [{ cube: 'sites' }] },
        /terms\.0\.key: sites has no key the caller may see that points at members/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          terms: [{ cube: 'members', key: 'members.id', filters: [women] }],
        },
        /terms\.0\.key: a term on members itself takes no key/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          terms: [{ cube: 'members', filters: [{ member: 'visits.setting', op: 'is_null' }] }],
        },
        /terms\.0\.filters\.0\.member: "visits.setting" is not a member of members/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          filters: [women],
          terms: [{ cube: 'visits', key: 'visits.member' }],
        },
        /filters: a cohort's conditions go in its terms/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          output: 'count',
          columns: ['members.sex'],
          terms: [{ cube: 'visits', key: 'visits.member' }],
        },
        /columns: only a listed cohort has columns/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          output: 'count',
          list: true,
          terms: [{ cube: 'visits', key: 'visits.member' }],
        },
        /list: the output is count/,
      ],
      [
        {
          kind: 'cohort',
          cube: 'members',
          output: 'ratio',
          terms: [{ cube: 'visits', key: 'visits.member' }],
        },
        /output: Invalid option/,
      ],
      // a cohort of two sides applies only its sides' conditions
      [
        {
          kind: 'cohort',
          cube: 'visits',
          entity: 'members',
          combine: 'and',
          filters: [urgent],
          first: { cube: 'visits', key: 'visits.member', filters: [] },
          second: { cube: 'refills', key: 'refills.member', filters: [] },
        },
        /filters: a cohort combining first and second takes its conditions on each side/,
      ],
      // text SQL cannot quote, in a group's name or a value
      [
        {
          kind: 'comparison',
          cube: 'visits',
          agg: 'count',
          groups: [groups[0], { ...groups[1], label: 'a\u0000b' }],
        },
        /groups\.1\.label: no NUL characters/,
      ],
      [
        { kind: 'aggregate', cube: 'visits', filters: [{ ...urgent, values: ['x\u0000'] }] },
        /filters\.0\.values\.0: no NUL characters/,
      ],
      // aggregate: a list of entities names them
      [
        { kind: 'aggregate', cube: 'visits', list: true, distinct: 'visits.member' },
        /entity: a list of distinct entities/,
      ],
      // share: a condition through a key the rows do not have
      [
        { kind: 'share', cube: 'members', condition: urgent },
        /condition\.member: "visits.setting" is not a member of members/,
      ],
    ];
    const wrong = refusals.flatMap(([args, reason]) => {
      try {
        readInterpretation(args, clinicLexicon);
        return [`${JSON.stringify(args)}: not refused`];
      } catch (err) {
        return err instanceof InvalidInterpretation && reason.test(err.message)
          ? []
          : [`${JSON.stringify(args)}: ${String(err)}`];
      }
    });
    expect(wrong).toEqual([]);
  });

  it('groups and joins by a masked key, as the offline path does, but never matches or counts a masked value', () => {
    // The member a visit belongs to, masked for this caller (the gate gives a stand-in), and a masked note.
    const masked = buildLexicon(
      clinicCubes.map((c) =>
        c.name === 'visits'
          ? {
              ...c,
              dimensions: [
                ...c.dimensions.map((d) =>
                  d.name === 'visits.member' ? { ...d, meta: { masked: true } } : d,
                ),
                { name: 'visits.note', title: 'Note', type: 'string', meta: { masked: true } },
              ],
            }
          : c,
      ),
      [],
    );
    const perMember = {
      kind: 'distribution',
      cube: 'visits',
      filters: [],
      stat: 'median',
      per: { key: 'visits.member', entity: 'members' },
    };
    expect(compileSql(readInterpretation(perMember, masked), masked)).toContain(
      '"member" AS entity, count(*)',
    );
    const refusals: Array<[unknown, RegExp]> = [
      [
        { ...perMember, filters: [{ member: 'visits.member', op: 'in', values: ['m-1'] }] },
        /"visits.member" is masked/,
      ],
      [
        {
          kind: 'per_entity',
          cube: 'visits',
          key: 'visits.member',
          entity: 'members',
          distinct: 'visits.note',
        },
        /distinct: "visits.note" is masked/,
      ],
      // Nor in a cohort's term, as anywhere.
      [
        {
          kind: 'cohort',
          cube: 'members',
          terms: [
            { cube: 'visits', key: 'visits.member', filters: [{ member: 'visits.note', op: 'is_null' }] },
          ],
        },
        /terms\.0\.filters\.0\.member: "visits.note" is masked/,
      ],
    ];
    for (const [args, reason] of refusals) expect(() => readInterpretation(args, masked)).toThrow(reason);
  });

  it('uses a date kept to the year for what the mask keeps: whether there is one, and whole years', () => {
    // Members' dates of death, which this caller sees as years; readings, which have no key of their own.
    const yearly = buildLexicon(
      [
        ...clinicCubes.map((c) =>
          c.name === 'members'
            ? {
                ...c,
                dimensions: [
                  ...c.dimensions,
                  {
                    name: 'members.died_on',
                    title: 'Died On',
                    type: 'time',
                    meta: { masked: true, masked_to: 'year' },
                  },
                ],
              }
            : c,
        ),
        {
          name: 'readings',
          title: 'Readings',
          measures: [],
          dimensions: [
            { name: 'readings.member', title: 'Member', type: 'string' },
            { name: 'readings.level', title: 'Level', type: 'number' },
          ],
        },
      ],
      [],
    );
    const died = {
      kind: 'share',
      cube: 'members',
      condition: { member: 'members.died_on', op: 'is_not_null' },
    };
    expect(compileSql(readInterpretation(died, yearly), yearly)).toContain('"died_on" IS NOT NULL');
    const diedIn = (from: string, to: string) => ({
      kind: 'cohort',
      cube: 'members',
      terms: [{ cube: 'members', time: { member: 'members.died_on', from, to, label: 'then' } }],
    });
    expect(compileSql(readInterpretation(diedIn('2023-01-01', '2023-12-31'), yearly), yearly)).toContain(
      'died_on',
    );
    expect(() => readInterpretation(diedIn('2023-10-01', '2023-12-31'), yearly)).toThrow(
      /terms\.0\.time: members.died_on is kept to the year for the caller; use whole years/,
    );
    expect(() =>
      readInterpretation(
        { ...died, condition: { member: 'members.died_on', op: 'in', values: ['2023-01-01'] } },
        yearly,
      ),
    ).toThrow(/"members.died_on" is masked/);
    // A cube with no key of its own is counted by its rows (as the offline form writes it, key ""),
    // but cannot be the cohort rows are kept to.
    const high = { cube: 'readings', filters: [{ member: 'readings.level', op: 'gt', value: 9 }] };
    expect(
      compileSql(
        readInterpretation({ kind: 'cohort', cube: 'readings', key: '', terms: [high] }, yearly),
        yearly,
      ),
    ).toBe('SELECT count(*) AS "entities" FROM "readings" AS e WHERE (e."level" > 9)');
    expect(() =>
      readInterpretation(
        {
          kind: 'aggregate',
          cube: 'visits',
          within: [{ key: 'visits.member', cohort: { cube: 'readings', terms: [high] } }],
        },
        yearly,
      ),
    ).toThrow(/within\.0\.cohort\.cube: readings has no key the caller may see/);
  });
});
