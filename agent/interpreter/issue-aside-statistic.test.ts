// "average claim cost (continuous)" had answered the 90th percentile: the aside, read in place, was
// explained by the percentile's description ("90th percentile (continuous) of …"). An aside may add
// a breakdown or a condition, but change the statistic only by naming it; otherwise the answer asks
// back naming the word. Over the invented clinic model, with a percentile described the same way.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import type { PlanStep } from '../state.ts';
import { buildLexicon, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const cubes = clinicCubes.map((c) =>
  c.name === 'visits'
    ? {
        ...c,
        measures: [
          ...(c.measures ?? []),
          {
            name: 'visits.p90_charge',
            title: '90th Percentile Charge',
            type: 'number',
            aggType: 'number',
            description:
              '90th percentile (continuous) of the charge of a visit: 90% of the visits cost at most this.',
          },
        ],
      }
    : c,
) as LexiconCube[];
const lexicon = buildLexicon(cubes, []);
const gathered: GatheredContext = { catalog: { cubes, members: lexicon.members }, values: [], lexicon };
const plan = (q: string): PlanStep => offlinePlan(q, gathered, undefined, now);
const measures = (p: PlanStep) => (p.kind === 'query' ? p.query.measures : undefined);

describe('an aside never changes the statistic by a description word', () => {
  it('asks back naming the word', () => {
    const p = plan('average charge (continuous)');
    expect(p.kind).toBe('clarify');
    expect(p.kind === 'clarify' && p.message).toContain('"continuous"');
  });

  it('the same word in the question rules out a percentile when an average is asked', () => {
    const p = plan('average continuous charge');
    expect(measures(p) ?? []).not.toContain('visits.p90_charge');
  });

  it('an aside still adds a breakdown, and one naming a statistic still says it', () => {
    expect(plan('average charge (by setting)')).toMatchObject({
      kind: 'query',
      query: { measures: ['visits.avg_charge'], dimensions: ['visits.setting'] },
    });
    expect(measures(plan('average charge'))).toEqual(['visits.avg_charge']);
  });
});
