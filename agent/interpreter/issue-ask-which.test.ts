// Questions back instead of a confident figure (issue 15). (a) The same words naming in full figures
// of different records ("doses": vaccines given, or medication doses dispensed) were settled by
// how each was named — a cube's name scores above a column's — so one was picked silently: both are
// offered now. (b) "what's the cost of the drug": "the" and a singular noun of records name one
// record without saying which; the figure over all of them answered another question: the caller
// is asked which one. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import { buildLexicon, interpretQuery, type LexiconCube, unnamedRecord } from './index.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const cubes: LexiconCube[] = [
  ...clinicCubes.map((c) =>
    c.name === 'refills'
      ? {
          ...c,
          measures: [
            ...c.measures,
            {
              name: 'refills.total_units',
              title: 'Total Units',
              type: 'number',
              aggType: 'sum',
              meta: { synonyms: ['doses', 'units dispensed'] },
            },
          ],
        }
      : c,
  ),
  {
    name: 'shots',
    title: 'Shots',
    meta: { synonyms: ['vaccinations', 'doses'] },
    measures: [{ name: 'shots.count', title: 'Shots Count', type: 'number', aggType: 'count' }],
    dimensions: [{ name: 'shots.id', title: 'Id', type: 'string', primaryKey: true }],
  },
];
const lexicon = buildLexicon(cubes, []);
const gathered: GatheredContext = { catalog: { cubes, members: lexicon.members }, values: [], lexicon };

describe('the same words naming figures of different records', () => {
  it('offers both', () => {
    for (const q of ['how many doses did we give?', 'number of doses']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('clarify');
      if (r.kind === 'clarify')
        expect(r.options.map((o) => o.label).sort(), q).toEqual(['Shots Count', 'Total Units']);
    }
  });

  it('answers when other words settle it', () => {
    for (const [q, m] of [
      ['how many vaccinations', 'shots.count'],
      ['total units dispensed', 'refills.total_units'],
    ] as const) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind === 'query' && r.query.measures, q).toEqual([m]);
    }
  });
});

describe('"the" and one record, not said which', () => {
  const plan = { measures: ['visits.total_total_charge'] };
  it('asks which one, offering all of them', () => {
    for (const q of ["what's the charge of the visit", 'how much did the visit charge']) {
      const which = unnamedRecord(q, plan, clinicLexicon);
      expect(which?.message, q).toMatch(/^Which visit do you mean\?/);
      expect(which?.options[0]?.question, q).toMatch(/all visits/);
    }
    const p = offlinePlan("what's the total charge of the appointment", gathered, undefined, now);
    expect(p.kind).toBe('clarify');
  });

  it('answers the records in general, a value or a breakdown', () => {
    expect(unnamedRecord("what's the charge of the visits", plan, clinicLexicon)).toBeUndefined();
    expect(
      unnamedRecord('what was the visit count', { measures: ['visits.count'] }, clinicLexicon),
    ).toBeUndefined();
    expect(
      unnamedRecord(
        "what's the charge of the visit at home",
        { ...plan, filters: [{ member: 'visits.setting', operator: 'equals', values: ['home'] }] },
        clinicLexicon,
      ),
    ).toBeUndefined();
    expect(
      unnamedRecord(
        "what's the charge of the visit",
        { ...plan, dimensions: ['visits.setting'] },
        clinicLexicon,
      ),
    ).toBeUndefined();
    expect(offlinePlan('total charge of visits', gathered, undefined, now).kind).toBe('query');
  });
});
