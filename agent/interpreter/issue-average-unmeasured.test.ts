// "Average number of dispenses per medication order" had answered the TOTAL dispenses: the model
// keeps only a sum of that column, and the query path took it, dropping "average" and "per …".
// An averaging word said of a number column the model only totals is the column's average over
// its rows ("per <the rows themselves>" says the same); "per <another kind of record>" stays the
// per-entity figure; the query path asks back rather than answer the total. Over an invented
// model, so the test proves the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { buildLexicon, type Interpretation, interpret, interpretQuery } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

// Refills carry a number of packs; the model keeps their total only (and the charge's average).
const cubes = clinicCubes.map((c) =>
  c.name === 'refills'
    ? {
        ...c,
        meta: { synonyms: ['scripts', 'script', 'refill orders'] },
        measures: [
          ...c.measures,
          {
            name: 'refills.total_packs',
            title: 'Total Packs',
            type: 'number',
            aggType: 'sum',
            columns: ['packs'],
          },
          {
            name: 'refills.total_charge',
            title: 'Total Charge',
            type: 'number',
            aggType: 'sum',
            columns: ['charge'],
          },
          {
            name: 'refills.avg_charge',
            title: 'Average Charge',
            type: 'number',
            aggType: 'avg',
            columns: ['charge'],
          },
        ],
        dimensions: [
          ...c.dimensions,
          { name: 'refills.packs', title: 'Packs', type: 'number', columns: ['packs'] },
        ],
      }
    : c,
);
const lexicon = buildLexicon(cubes, []);

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('an average of a column the model only totals', () => {
  it('is the column’s average over its rows, "per" its own rows or not', () => {
    for (const q of [
      'average number of packs per refill order',
      'mean packs per script',
      'avg number of packs per refill',
      'what is the average packs',
      'how many packs does the average refill have',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'distribution',
        stat: 'avg',
        cube: 'refills',
        value: 'refills.packs',
      });
      expect(r.sql, q).toContain('avg("packs")');
    }
  });

  it('stays a figure per entity when "per" names another kind of record', () => {
    const r = form('average packs per member');
    expect(r.form).toMatchObject({
      kind: 'per_entity',
      cube: 'refills',
      entity: 'members',
      value: 'refills.packs',
    });
  });

  it('leaves an average the model keeps to the model, and a ranking to its own reading', () => {
    expect(interpret('average charge per refill', lexicon, now).kind).toBe('none');
    const q = interpretQuery('average refill charge', lexicon, now);
    expect(q.kind === 'query' && q.query.measures).toEqual(['refills.avg_charge']);
  });

  it('is asked back by the query reading, never answered with the total', () => {
    const q = interpretQuery('average packs per refill', lexicon, now);
    expect(q.kind).toBe('clarify');
  });

  it('asks back when "average" would name no figure: a count, or an average found by the records’ noun', () => {
    for (const q of ['mean number of members', 'average number of visits', 'average refills per month']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('clarify');
    }
    const named = interpretQuery('average visit charge', lexicon, now);
    expect(named.kind === 'query' && named.query.measures).toEqual(['visits.avg_charge']);
  });
});
