// One figure however it is asked (issue 15): "length of stay" read as the model's inpatient average
// in days for "average length of stay" and "by hospital", but as every encounter's duration for
// "in hours" or "median". A measure the model defines as a statistic of a column over some rows
// (meta `statistic_of`) makes every statistic said in its words one of the same column, over the
// same rows, in the measure's unit unless another unit is asked; the interpretation names the rows.
import { describe, expect, it } from 'vitest';
import { buildLexicon, type Interpretation, interpret, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name !== 'visits'
    ? c
    : {
        ...c,
        measures: [
          ...c.measures,
          {
            name: 'visits.avg_urgent_wait_hours',
            title: 'Average Urgent Wait (hours)',
            type: 'number',
            aggType: 'avg',
            meta: {
              synonyms: ['waiting time'],
              unit: 'hour',
              statistic_of: { member: 'wait_minutes', where: { setting: ['urgent'] } },
            },
          },
        ],
      },
);
const lexicon = buildLexicon(cubes, [{ dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] }]);

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('a statistic said in the words of a measure defined as one', () => {
  it('is taken over the measure’s rows, in its unit', () => {
    const f = form('median waiting time');
    expect(f.sql).toContain('median(("wait_minutes" / 60.0))');
    expect(f.sql).toMatch(/"setting" IN \('urgent'\)/);
    expect(f.interpretation).toMatch(/in hours/);
    expect(f.interpretation).toMatch(/Setting is urgent/);
  });

  it('converts the same figure to the unit asked', () => {
    const f = form('average waiting time in days');
    expect(f.sql).toContain('avg(("wait_minutes" / 1440.0))');
    expect(f.sql).toMatch(/"setting" IN \('urgent'\)/);
  });

  it('leaves the column’s own statistics alone when the words are the column’s', () => {
    const f = form('median wait in hours');
    expect(f.sql).toContain('median(("wait_minutes" / 60.0))');
    expect(f.sql).not.toMatch(/urgent/);
  });
});
