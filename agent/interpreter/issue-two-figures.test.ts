// Two figures in one question (issue 15): "how many visits and what was their total charge" asked
// for two figures and got one — or a question back offering two unrelated measures. The question is
// split on the conjunction between two figure phrases, each read with the period, conditions and
// breakdown said for both, and answered as one query with both measures; where they cannot be one
// query, both figures are named in a question back. "And" joining values splits nothing. Values set
// against each other ("lisinopril vs atorvastatin … for each") are one row each, never summed.
// Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { narrate } from '../nodes/answer.ts';
import { offlinePlan } from '../nodes/plan.ts';
import type { PlanStep } from '../state.ts';
import { buildLexicon, figureSides, interpret, type LexiconCube, mergeFigures } from './index.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const gathered: GatheredContext = {
  catalog: { cubes: clinicCubes, members: clinicLexicon.members },
  values: [],
  lexicon: clinicLexicon,
};
const plan = (q: string, g = gathered): PlanStep => offlinePlan(q, g, undefined, now);
const query = (p: PlanStep) => {
  if (p.kind !== 'query') throw new Error(`not a query: ${JSON.stringify(p)}`);
  return p;
};

describe('splitting a question into its figures', () => {
  it('splits on a conjunction between two figure phrases, the rest said for both', () => {
    expect(figureSides('number of visits and total charge in 2023', clinicLexicon)).toEqual({
      said: ['number of visits', 'total charge'],
      questions: ['number of visits in 2023', 'total charge in 2023'],
    });
    expect(
      figureSides('total charge as well as average charge by setting', clinicLexicon)?.questions,
    ).toEqual(['total charge by setting', 'average charge by setting']);
    expect(
      figureSides('In 2023, how many visits, and what was the summed charge?', clinicLexicon)?.questions,
    ).toEqual(['In 2023, how many visits', 'In 2023, what was the summed charge']);
  });

  it('reads a pronoun of the second figure as what the first one counts', () => {
    expect(
      figureSides('how many urgent visits and what was their total charge', clinicLexicon)?.questions,
    ).toEqual(['how many urgent visits', 'what was the total charge of urgent visits']);
    expect(figureSides('how many refills and what did they charge', clinicLexicon)?.questions[1]).toBe(
      'what did refills charge',
    );
  });

  it('does not split "and" that joins values, breakdowns or one figure\'s statistics', () => {
    for (const q of [
      'members with asthma and diabetes',
      'how many men and women',
      'number of visits by setting and site',
      'average and median charge',
      'min and max wait',
      'ratio of urgent and routine visits',
      'difference between total charge and average charge',
      'how many visits in 2022 and 2023',
      'share of visits that were urgent and routine',
      'members who are both male and deceased',
      'number of members who had an urgent visit and had a refill',
      'how many members with a refill and urgent visits',
    ])
      expect(figureSides(q, clinicLexicon), q).toBeUndefined();
  });
});

describe('two figures answered as one query', () => {
  it('counts and totals the same records in one query, the period said for both', () => {
    const p = query(plan('how many visits and what was the summed charge in 2023?'));
    expect(p.query.measures).toEqual(['visits.count', 'visits.total_total_charge']);
    expect(p.query.timeDimensions).toEqual([
      { dimension: 'visits.started_at', dateRange: ['2023-01-01', '2023-12-31'] },
    ]);
    expect(p.interpretation).toMatch(/^Visits Count and .*Total Charge.*2023/);
  });

  it('keeps the breakdown said after the second figure for both', () => {
    const p = query(plan('total charge and average charge by setting'));
    expect(p.query.measures).toEqual(['visits.total_total_charge', 'visits.avg_charge']);
    expect(p.query.dimensions).toEqual(['visits.setting']);
  });

  it('reads "distinct members" beside a count of visits as the members of those visits', () => {
    const p = query(plan('number of visits and number of distinct members in 2023'));
    expect(p.query.measures).toEqual(['visits.count', 'visits.distinct_members']);
  });

  it('keeps conditions said with the first figure, through a pronoun, for the second', () => {
    const p = query(plan('how many urgent visits and what was their total charge'));
    expect(p.query.measures).toEqual(['visits.count', 'visits.total_total_charge']);
    expect(p.query.filters).toEqual([{ member: 'visits.setting', operator: 'equals', values: ['urgent'] }]);
  });

  it('asks back naming both figures when they are of records that do not meet', () => {
    const p = plan('how many sites and how many refills');
    expect(p.kind).toBe('clarify');
    if (p.kind !== 'clarify') return;
    expect(p.message).toMatch(/two figures/);
    expect(p.message).toMatch(/Sites Count/);
    expect(p.message).toMatch(/Refills Count/);
    expect(p.options.map((o) => o.question)).toEqual(['how many sites', 'how many refills']);
  });

  it('asks back naming both when one of them cannot be read, never answering the other alone', () => {
    const p = plan('how many visits and what was the total glorp');
    expect(p.kind).toBe('clarify');
    if (p.kind === 'clarify') expect(p.message).toMatch(/two figures.*Visits Count/);
  });

  it('merges only queries with the same breakdown, conditions and dates', () => {
    const a = { measures: ['visits.count'], dimensions: ['visits.setting'] };
    expect(
      mergeFigures(a, { measures: ['visits.avg_charge'], dimensions: ['visits.setting'] }, clinicLexicon),
    ).toEqual({ measures: ['visits.count', 'visits.avg_charge'], dimensions: ['visits.setting'] });
    expect(typeof mergeFigures(a, { measures: ['visits.avg_charge'] }, clinicLexicon)).toBe('string');
    expect(
      typeof mergeFigures({ measures: ['sites.count'] }, { measures: ['refills.count'] }, clinicLexicon),
    ).toBe('string');
  });
});

describe('values set against each other, for each', () => {
  // Refills with a description whose words name drugs inside longer stored values.
  const cubes: LexiconCube[] = clinicCubes.map((c) =>
    c.name === 'refills'
      ? {
          ...c,
          dimensions: [
            ...c.dimensions,
            { name: 'refills.description', title: 'Description', type: 'string' },
          ],
        }
      : c,
  );
  const lexicon = buildLexicon(cubes, [
    { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
    {
      dimension: 'refills.description',
      values: [
        'Lisinopril 10 MG Oral Tablet',
        'Lisinopril 20 MG Oral Tablet',
        'Atorvastatin 20 MG Oral Tablet',
        'Ondansetron 4 MG Oral Tablet',
      ],
    },
  ]);

  it('answers one row per value said, each with its own stored values, not one sum', () => {
    for (const q of [
      'lisinopril vs atorvastatin: number of refills for each?',
      'lisinopril versus atorvastatin refills',
      'how many refills, lisinopril vs atorvastatin, respectively',
    ]) {
      const r = interpret(q, lexicon, now);
      expect(r.kind, q).toBe('form');
      if (r.kind !== 'form' || r.form.kind !== 'comparison' || !r.form.groups) throw new Error(q);
      expect(r.form.output, q).toBe('rows');
      expect(r.form.groups.map((g) => g.label)).toEqual(['lisinopril', 'atorvastatin']);
      expect(r.form.groups[0].condition).toEqual({
        member: 'refills.description',
        op: 'in',
        values: ['Lisinopril 10 MG Oral Tablet', 'Lisinopril 20 MG Oral Tablet'],
      });
    }
  });

  it('still reads whole values side by side as before', () => {
    const r = interpret('urgent vs routine: number of visits', clinicLexicon, now);
    if (r.kind !== 'form' || r.form.kind !== 'comparison' || !r.form.groups) throw new Error('no comparison');
    expect(r.form.groups.map((g) => g.label)).toEqual(['urgent', 'routine']);
  });
});

describe('answers naming each figure', () => {
  it('tells each row of a breakdown with both figures, named together', () => {
    const title = (n: string) => n.replace(/^[^.]+\./, '');
    const columns = [{ name: 'visits.setting' }, { name: 'visits.count' }, { name: 'visits.avg_charge' }];
    expect(narrate(columns, [['urgent', 3, 120.5]], title, false, undefined, 2)).toBe(
      'count and avg_charge by setting: urgent (3 / 120.5).',
    );
    // One figure, as before: the last column.
    expect(narrate(columns.slice(0, 2), [['urgent', 3]], title, false)).toBe('count by setting: urgent (3).');
  });
});
