// A run of words inside stored values, read by the plain (query) path: the longest run names the
// values; its later words are not read again alone (their values would be unioned in).
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const cubes = clinicCubes.map((c) =>
  c.name === 'visits'
    ? {
        ...c,
        dimensions: [
          ...c.dimensions,
          { name: 'visits.reason_description', title: 'Reason Description', type: 'string' },
        ],
      }
    : c,
);
const lexicon = buildLexicon(cubes, [
  {
    dimension: 'visits.reason_description',
    values: [
      'Gout self management plan',
      'Wheeze self management',
      'Heart strain self management plan',
      'Self-care interventions (procedure)',
    ],
  },
]);

describe('plain path value runs', () => {
  it('reads "gout self management" as the one value holding the whole run', () => {
    const r = interpretQuery('how many visits were for gout self management?', lexicon, now);
    if (r.kind !== 'query') throw new Error(JSON.stringify(r));
    expect(r.query.filters).toEqual([
      { member: 'visits.reason_description', operator: 'equals', values: ['Gout self management plan'] },
    ]);
  });
});
