import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { checkFilterDepth, MAX_FILTER_DEPTH } from './filter-depth.ts';

const leaf = { member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] };
/** `depth` levels of and/or: depth 1 is a leaf at the top of `filters`. */
function nested(depth: number): unknown {
  let f: unknown = leaf;
  for (let i = 1; i < depth; i++) f = i % 2 ? { or: [f, leaf] } : { and: [leaf, f] };
  return { measures: ['encounters.count'], filters: [f] };
}

describe('filter depth', () => {
  it(`accepts ${MAX_FILTER_DEPTH} levels and refuses one more with QUERY_INVALID`, () => {
    expect(() => checkFilterDepth(nested(MAX_FILTER_DEPTH))).not.toThrow();
    const err = (() => {
      try {
        checkFilterDepth(nested(MAX_FILTER_DEPTH + 1));
      } catch (e) {
        return e;
      }
    })();
    expect(hasCode(err, 'QUERY_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/nest more than 32 levels/);
  });

  it('refuses 3,000 and 200,000 levels without running out of stack', () => {
    for (const depth of [3_000, 200_000]) {
      expect(() => checkFilterDepth(nested(depth))).toThrow(/nest more than/);
    }
  });

  it('leaves shapes that are not filter lists to the schema', () => {
    for (const q of [null, 'x', {}, { filters: 'x' }, { filters: [1, null, { and: 'x' }] }]) {
      expect(() => checkFilterDepth(q)).not.toThrow();
    }
  });
});
