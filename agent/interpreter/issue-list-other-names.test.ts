// A list whose column words name a column of several other records (issue: on a model with one more
// cube, "what are the unique medication names prescribed in 2020" listed organizations' names under
// the title "Medications (Name)"): a label word ("names", "descriptions") said of records is their own
// label; other words several reached records share are asked back, naming each. Over an invented model.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = [
  {
    name: 'orders',
    title: 'Orders',
    measures: [{ name: 'orders.count', title: 'Orders Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'orders.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'orders.description', title: 'Description', type: 'string' },
      { name: 'orders.site', title: 'Site', type: 'string' },
      { name: 'orders.insurer', title: 'Insurer', type: 'string' },
      { name: 'orders.placed_at', title: 'Placed At', type: 'time' },
    ],
  },
  {
    name: 'sites',
    title: 'Sites',
    measures: [{ name: 'sites.count', title: 'Sites Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'sites.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'sites.name', title: 'Name', type: 'string' },
      { name: 'sites.town', title: 'Town', type: 'string' },
    ],
  },
  {
    name: 'insurers',
    title: 'Insurers',
    measures: [{ name: 'insurers.count', title: 'Insurers Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'insurers.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'insurers.name', title: 'Name', type: 'string' },
      { name: 'insurers.town', title: 'Town', type: 'string' },
    ],
  },
] as LexiconCube[];
const lexicon = buildLexicon(cubes, []);

describe('a list naming a column several reached records have', () => {
  it('reads the names of records as their own label', () => {
    for (const q of [
      'list order names',
      'what are the unique order names placed in 2023?',
      'list the order names',
    ]) {
      const r = interpretQuery(q, lexicon, now);
      if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
      expect(r.query.dimensions, q).toContain('orders.description');
      expect(r.query.dimensions, q).not.toContain('sites.name');
      expect(r.query.dimensions, q).not.toContain('insurers.name');
      expect(r.interpretation, q).not.toMatch(/\(Name\)/);
    }
  });

  it('asks which records a shared column word means, naming each', () => {
    const r = interpretQuery('list orders with their towns', lexicon, now);
    expect(r.kind).toBe('clarify');
    if (r.kind !== 'clarify') return;
    expect(r.options.map((o) => o.label).sort()).toEqual(['Insurers Town', 'Sites Town']);
    for (const o of r.options) {
      const again = interpretQuery(o.question, lexicon, now);
      expect(again.kind, o.question).toBe('query');
    }
  });

  it('still lists a column one reached record names in full, titled with its owner', () => {
    const r = interpretQuery('list orders with their site names', lexicon, now);
    if (r.kind !== 'query') throw new Error(JSON.stringify(r));
    expect(r.query.dimensions).toContain('sites.name');
    expect(r.interpretation).toContain('Sites Name');
  });
});
