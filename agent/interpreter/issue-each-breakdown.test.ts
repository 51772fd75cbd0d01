// "how many visits did each site see": a count for each record with a label to show is a
// breakdown, one row per record; the average per record is asked about only when no label shows
// which record a row is (or when the wording says average).
import { describe, expect, it } from 'vitest';
import { interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-01-01T12:00:00Z');

describe('a count for each labelled record', () => {
  it('reads "each <labelled record>" as a breakdown, not a question back', () => {
    const r = interpret('how many visits did each site see?', lexicon, now);
    // Not asked back: left to the semantic query's breakdown (the count by the record's label).
    expect(r.kind, JSON.stringify(r)).not.toBe('clarify');
  });

  it('still asks about records with no label', () => {
    const r = interpret('how many visits does each member have', lexicon, now);
    expect(r.kind).toBe('clarify');
  });
});
