// Value matches hold every word said (issue 15): "lisinopril 10 mg tablets" names the stored value
// holding all four words ("lisinopril 10 MG Oral Tablet"), never every value holding "10", "mg" or
// "tablet"; a word most values hold names no choice alone (asked back), and "lisinopril" alone
// still names every lisinopril value.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const cubes = clinicCubes.map((c) =>
  c.name === 'refills'
    ? {
        ...c,
        dimensions: [...c.dimensions, { name: 'refills.description', title: 'Description', type: 'string' }],
      }
    : c,
);
const lexicon = buildLexicon(cubes, [
  {
    dimension: 'refills.description',
    values: [
      'lisinopril 10 MG Oral Tablet',
      'lisinopril 20 MG Oral Tablet',
      'amlodipine 10 MG Oral Tablet',
      'Acetaminophen 325 MG Oral Tablet',
      'Ibuprofen 200 MG Oral Tablet',
      'Simvastatin 10 MG Oral Tablet',
      'metformin 500 MG Oral Tablet',
      'Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler',
      'insulin isophane 70 UNT/ML Injectable Suspension',
    ],
  },
]);

function filters(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query.filters;
}

describe('value matches hold every word said', () => {
  it('reads a dose and form said with a drug as the one value holding them all', () => {
    for (const q of [
      'how many refills of lisinopril 10 mg tablets',
      'number of refills of lisinopril 10mg tablet',
      'refills count for lisinopril 10 mg oral tablets',
    ])
      expect(filters(q), q).toEqual([
        { member: 'refills.description', operator: 'equals', values: ['lisinopril 10 MG Oral Tablet'] },
      ]);
  });

  it('keeps the drug alone as every value of it', () => {
    expect(filters('how many refills of lisinopril')).toEqual([
      {
        member: 'refills.description',
        operator: 'equals',
        values: ['lisinopril 10 MG Oral Tablet', 'lisinopril 20 MG Oral Tablet'],
      },
    ]);
  });

  it('asks back when no value holds them all, never the union of each word', () => {
    const r = interpretQuery('how many refills of lisinopril 40 mg tablets', lexicon, now);
    expect(r.kind, JSON.stringify(r)).toBe('clarify');
    const s = interpretQuery('how many refills of 10 mg tablets', lexicon, now);
    expect(s.kind, JSON.stringify(s)).toBe('clarify');
  });
});

describe('cohort: words a value holds together stay that value', () => {
  const cohortCubes = [
    {
      name: 'members',
      title: 'Members',
      measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
      dimensions: [{ name: 'members.id', title: 'Id', type: 'string', primaryKey: true }],
    },
    {
      name: 'problems',
      title: 'Problems',
      measures: [{ name: 'problems.count', title: 'Problems Count', type: 'number', aggType: 'count' }],
      dimensions: [
        { name: 'problems.id', title: 'Id', type: 'string', primaryKey: true },
        { name: 'problems.member', title: 'Member', type: 'string' },
        { name: 'problems.description', title: 'Description', type: 'string' },
      ],
    },
    {
      name: 'labs',
      title: 'Labs',
      meta: { synonyms: ['viral', 'lab tests'] },
      measures: [{ name: 'labs.count', title: 'Labs Count', type: 'number', aggType: 'count' }],
      dimensions: [
        { name: 'labs.id', title: 'Id', type: 'string', primaryKey: true },
        { name: 'labs.member', title: 'Member', type: 'string' },
      ],
    },
  ];
  const lex = buildLexicon(cohortCubes, [
    { dimension: 'problems.description', values: ['Viral sinusitis (disorder)', 'Sinusitis (disorder)'] },
  ]);
  it('"members who never had viral sinusitis" is the value holding both words, no labs', () => {
    const r = interpret('how many members never had viral sinusitis', lex, now);
    if (r.kind !== 'form') throw new Error(JSON.stringify(r));
    expect(r.sql).toContain(`IN ('Viral sinusitis (disorder)')`);
    expect(r.sql).not.toContain('"labs"');
  });
});
