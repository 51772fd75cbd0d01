// A masked member is never answered by a look-alike (issue 15): a Safe Harbor caller asking "which
// 3 cities do most of our patients live in" got organizations' cities ranked, because patients'
// city is masked for them. When the question names the records whose own member of that name is
// masked, and not the cube of the member used, the caller is told what is not available instead.
// Over the invented clinic model, with members' town masked.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import { buildLexicon, interpretQuery, type LexiconCube, maskedLookalike } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name === 'members'
    ? {
        ...c,
        dimensions: [
          ...c.dimensions,
          { name: 'members.town', title: 'Town', type: 'string', meta: { masked: true, synonyms: ['city'] } },
        ],
      }
    : c,
);
const lexicon = buildLexicon(cubes, [{ dimension: 'sites.town', values: ['Springfield', 'Shelbyville'] }]);
const gathered: GatheredContext = { catalog: { cubes, members: lexicon.members }, values: [], lexicon };

describe('a masked member and its look-alike', () => {
  it("asks back instead of ranking the records named by another cube's member", () => {
    for (const q of ['which 3 towns do most of our members live in', 'what city do most members live in']) {
      const read = interpretQuery(q, lexicon, now);
      expect(read.kind === 'query' && read.query.dimensions, q).toEqual(['sites.town']);
      const plan = offlinePlan(q, gathered, undefined, now);
      expect(plan.kind === 'clarify' && plan.message, q).toMatch(/Members' Town is not available/);
    }
  });

  it("answers by the other cube's member when the question does not name the masked one's records", () => {
    const plan = offlinePlan('number of visits by town', gathered, undefined, now);
    expect(plan.kind === 'query' && plan.query.dimensions).toEqual(['sites.town']);
    expect(
      maskedLookalike(
        'number of sites by town',
        { measures: ['sites.count'], dimensions: ['sites.town'] },
        lexicon,
      ),
    ).toBeUndefined();
    // The records named, and the cube of the member used named too: what was asked.
    expect(
      maskedLookalike('members by the town of their site', { dimensions: ['sites.town'] }, lexicon),
    ).toBeUndefined();
  });
});
