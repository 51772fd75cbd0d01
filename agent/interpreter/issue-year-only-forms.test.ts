// A date the caller sees as its year only answers for whole years on every path: a logical form
// (the offline interpreter's SQL path) over part of a year asks back instead of counting the
// masked dates (all 1 January) and answering 0.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import { buildLexicon } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';
import { formYearOnlyConflict } from './year-only.ts';

const cubes = clinicCubes.map((c) =>
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
);
const lexicon = buildLexicon(cubes, []);

describe('year-only dates in logical forms', () => {
  it('finds a part-year period anywhere in a form, and lets whole years through', () => {
    const part = { member: 'members.died_on', from: '2023-10-01', to: '2023-12-31', label: '2023-Q4' };
    const whole = { member: 'members.died_on', from: '2022-01-01', to: '2023-12-31', label: '2022–2023' };
    const cohort = (time: unknown) => ({
      kind: 'cohort',
      cube: 'members',
      terms: [{ cube: 'members', time }],
    });
    expect(formYearOnlyConflict(cohort(part), lexicon)).toMatch(/Died On as a year only/);
    expect(formYearOnlyConflict(cohort(whole), lexicon)).toBeUndefined();
    // A date the caller sees whole is never a conflict.
    const seen = { member: 'visits.started_at', from: '2023-10-01', to: '2023-12-31', label: '2023-Q4' };
    expect(formYearOnlyConflict({ kind: 'aggregate', cube: 'visits', time: seen }, lexicon)).toBeUndefined();
  });

  it('asks back through the offline plan rather than counting masked dates', () => {
    const gathered: GatheredContext = { catalog: { cubes, members: lexicon.members }, values: [], lexicon };
    const plan = offlinePlan(
      'how many members died in the fourth quarter of 2023',
      gathered,
      undefined,
      new Date('2024-06-01T12:00:00Z'),
    );
    expect(plan.kind).toBe('clarify');
  });
});
