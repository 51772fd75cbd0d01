// "encounters paid by NO_INSURANCE" had answered the encounters with a payer coverage of 0: the "no"
// of the payer's name was read as a denial. A denial word inside a run of words that is a whole
// value (or a value synonym) is part of that value. Over an invented model: visits of sites, one
// site named NO_SITE.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const lexicon = buildLexicon(clinicCubes, [{ dimension: 'sites.name', values: ['NO_SITE', 'Main Street'] }]);
const noSite = { member: 'sites.name', operator: 'equals', values: ['NO_SITE'] };

describe('a denial word inside a value', () => {
  it('is the value, not a denial', () => {
    for (const q of ['how many visits were at NO_SITE', 'visits at no site']) {
      expect(interpret(q, lexicon, now).kind, q).not.toBe('form');
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind === 'query' && r.query.filters, q).toContainEqual(noSite);
    }
  });

  it('still denies outside a value', () => {
    const r = interpret('how many members never had a visit', lexicon, now);
    expect(r.kind).toBe('form');
  });
});
