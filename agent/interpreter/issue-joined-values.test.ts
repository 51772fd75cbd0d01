// Values of one dimension joined by "and" in a count (issue 15): "how many men and women" gave one
// total kept to either value; a record holds one value of its own dimension, so the count is one
// row per value said. "Or" stays one total, and values of other records joined by "and" stay
// conditions on the records counted. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { interpretQuery } from './index.ts';
import { clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const read = (q: string) => {
  const r = interpretQuery(q, clinicLexicon, now);
  if (r.kind !== 'query') throw new Error(`not a query: ${JSON.stringify(r)}`);
  return r.query;
};

describe('values joined by "and" in a count', () => {
  it("counts each value of the records' own dimension", () => {
    for (const q of [
      'how many men and women do we have',
      'how many male and female members',
      'number of urgent and routine visits',
    ]) {
      const query = read(q);
      const member = query.filters?.[0]?.member as string;
      expect(query.dimensions, q).toContain(member);
      expect(query.filters?.[0]?.values?.length, q).toBe(2);
    }
  });

  it('keeps "or" one total', () => {
    const query = read('how many visits were urgent or routine');
    expect(query.dimensions ?? []).toEqual([]);
    expect(query.filters?.[0]?.values?.length).toBe(2);
  });

  it('keeps values of other records a condition on the records counted', () => {
    const query = read('how many members had urgent and routine visits');
    expect(query.dimensions ?? []).not.toContain('visits.setting');
  });
});
