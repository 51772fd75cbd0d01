// Words that only restate what a question names need no member of their own: a verb the model
// gives for a cube's event ("dispensed" of refills) where that cube is named, and "date" said of a
// date the model has ("no end date"). A state denied ("not ended", "no end") is the other state,
// never the state read without its "no". Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube } from './index.ts';
import { dropRestating } from './restating.ts';
import { clinicCubes } from './testing/clinic.ts';
import { deniedAt, tokenize, words } from './text.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = clinicCubes.map((c) =>
  c.name === 'refills'
    ? {
        ...c,
        meta: { verbs: ['dispensed', 'filled', 'noted'] },
        dimensions: [
          ...c.dimensions,
          { name: 'refills.filled_at', title: 'Filled At', type: 'time' },
          {
            name: 'refills.closed_at',
            title: 'Closed At',
            type: 'time',
            meta: { synonyms: ['end'], null_means: ['active'], not_null_means: ['ended'] },
          },
        ],
      }
    : c,
);
const lexicon = buildLexicon(cubes, []);

describe('words that restate what the question names', () => {
  it("drops the cube's own event verb only where the cube is named", () => {
    expect(dropRestating('how many refills were dispensed in 2023', lexicon)).toBe(
      'how many refills were in 2023',
    );
    expect(dropRestating('how many visits were dispensed', lexicon)).toBe('how many visits were dispensed');
    const q = interpretQuery('how many refills were dispensed in 2023', lexicon, now);
    expect(q.kind).toBe('query');
    const other = interpretQuery('how many visits were dispensed', lexicon, now);
    expect(other.kind).toBe('clarify');
    if (other.kind === 'clarify') expect(other.unplaced).toContain('dispensed');
  });

  it('matches verbs whole, so "not" is never a verb "noted" stems to', () => {
    expect(dropRestating('how many refills have not ended', lexicon)).toContain('not');
  });

  it('places "date" said of a date the model names by itself', () => {
    expect(dropRestating('how many refills have no end date', lexicon)).toBe('how many refills have no end');
    // "date" beside a word that names no date stays, to be asked about.
    expect(dropRestating('how many refills by due date', lexicon)).toBe('how many refills by due date');
  });

  it('reads a denied state as the other state, not as the state said', () => {
    for (const q of [
      'how many refills have no end date',
      'how many refills have not ended',
      'how many refills without an end',
    ]) {
      const r = interpret(q, lexicon, now);
      expect(r.kind, q).toBe('form');
      if (r.kind === 'form') {
        expect(r.sql, q).toMatch(/"closed_at" IS NULL/);
        expect(r.sql, q).not.toMatch(/"closed_at" IS NOT NULL/);
      }
    }
    const ended = interpret('how many refills have ended', lexicon, now);
    expect(ended.kind === 'form' && ended.sql).toMatch(/"closed_at" IS NOT NULL/);
  });

  it('finds the denial a few grammar words before what it denies', () => {
    expect(deniedAt(tokenize('refills with no end'), 3)).toBe(2);
    expect(deniedAt(tokenize('refills that have not yet ended'), 5)).toBe(3);
    expect(deniedAt(tokenize('refills that ended'), 2)).toBeUndefined();
  });

  it('reads a possessive as the word it is said of', () => {
    expect(words("What's Esteban536 Reynolds644's income?")).toEqual([
      'what',
      'esteban536',
      'reynolds644',
      'income',
    ]);
  });
});
