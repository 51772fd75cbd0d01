// A breakdown by records whose label several of them share (two sites of one name) is by each
// record's key with the label beside it, so records of one name are never merged; a label the
// model leaves unique is grouped by as before. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function dims(question: string, shared: boolean) {
  const cubes: LexiconCube[] = clinicCubes.map((c) =>
    c.name === 'sites' && shared
      ? {
          ...c,
          dimensions: c.dimensions.map((d) =>
            d.name === 'sites.name' ? { ...d, meta: { unique: false } } : d,
          ),
        }
      : c,
  );
  const r = interpretQuery(question, buildLexicon(cubes, []), now);
  return r.kind === 'query' ? r.query.dimensions : r.kind;
}

describe('a breakdown by records with a shared label', () => {
  it('groups by the key and the label together when the model says the label is not unique', () => {
    expect(dims('total charge by site', true)).toEqual(['visits.site', 'sites.name']);
    expect(dims('total charge by site', false)).toEqual(['sites.name']);
  });
});
