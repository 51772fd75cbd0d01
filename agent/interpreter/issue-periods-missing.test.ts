// A measure that compares each period with an earlier one (a time shift, or built on one), asked
// with no periods, ended in status error (QUERY_INVALID from the semantic layer). It asks back,
// naming the measure and what is missing; with periods it answers as before.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { anchoredPlan } from '../nodes/plan.ts';
import { buildLexicon, type LexiconCube } from './index.ts';
import { periodsMissing } from './periods-missing.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2026-12-07T09:00:00Z');
const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name !== 'visits'
    ? c
    : {
        ...c,
        measures: [
          ...c.measures,
          {
            name: 'visits.visit_growth',
            title: 'Visit Growth',
            type: 'number',
            comparesPeriods: true,
            meta: { synonyms: ['change in visits from the prior period'] },
          },
        ],
      },
);
const lexicon = buildLexicon(cubes, []);
const gathered: GatheredContext = { catalog: { cubes, members: lexicon.members }, values: [], lexicon };
const plan = (q: string) => anchoredPlan(q, gathered, undefined, now, async () => '2023-05-20');

describe('a measure that compares periods', () => {
  it('asks which periods when none is named', async () => {
    const p = await plan('visit growth');
    expect(p.kind).toBe('clarify');
    expect(p.kind === 'clarify' && p.message).toMatch(/Visit Growth compares each period.*Which periods/);
  });

  it('answers by a grain or over a period', async () => {
    for (const q of ['visit growth by quarter', 'visit growth in 2022']) {
      const p = await plan(q);
      expect(p.kind, q).toBe('query');
    }
  });

  it('is told by the query alone', () => {
    expect(periodsMissing({ measures: ['visits.count'] }, lexicon)).toBeUndefined();
    expect(
      periodsMissing(
        {
          measures: ['visits.visit_growth'],
          timeDimensions: [{ dimension: 'visits.started_at', granularity: 'year' }],
        },
        lexicon,
      ),
    ).toBeUndefined();
    expect(periodsMissing({ measures: ['visits.visit_growth'] }, lexicon)).toMatch(/Visit Growth/);
  });
});
