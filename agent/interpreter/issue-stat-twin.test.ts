// "total cost for urgent visits": a measure found by its average's words ("visit charge") is read
// as the cube's total of the same columns when the question says "total" (and the other way for
// "average"), rather than answering the other statistic with status ok. Over the clinic model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name === 'visits'
    ? {
        ...c,
        measures: c.measures.map((m) =>
          m.name === 'visits.avg_charge'
            ? { ...m, columns: ['charge'], meta: { synonyms: ['visit charge', 'charge per visit'] } }
            : m.name === 'visits.total_total_charge'
              ? { ...m, title: 'Total Billed Charge', shortTitle: 'Total Billed Charge', columns: ['charge'] }
              : m,
        ),
      }
    : c,
);
const lexicon = buildLexicon(cubes, [{ dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] }]);

const measures = (question: string) => {
  const q = interpretQuery(question, lexicon, now);
  return q.kind === 'query' ? q.query.measures : q.kind;
};

describe('a statistic asked of a measure found by its twin statistic', () => {
  it('"total" reads the total of the columns an average was found by', () => {
    expect(measures('total charge for urgent visits')).toEqual(['visits.total_total_charge']);
    expect(measures('sum of visit charge for routine visits')).toEqual(['visits.total_total_charge']);
  });
  it('"average" still reads the average', () => {
    expect(measures('average charge for urgent visits')).toEqual(['visits.avg_charge']);
  });
});
