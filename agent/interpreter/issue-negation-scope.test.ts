// Negation scope (issue 15): "not", "no", "without" deny what follows them, not what came before.
// "patients with hypertension are not on lisinopril" is patients WITH hypertension and WITHOUT
// lisinopril, never patients with neither; "without A or B" still denies both.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, type LexiconCube } from './index.ts';

const now = new Date('2024-01-01T12:00:00Z');

const cubes: LexiconCube[] = [
  {
    name: 'members',
    title: 'Members',
    measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
    dimensions: [{ name: 'members.id', title: 'Id', type: 'string', primaryKey: true }],
  },
  {
    name: 'problems',
    title: 'Problems',
    meta: { synonyms: ['disease', 'diseases', 'diagnoses'] },
    measures: [{ name: 'problems.count', title: 'Problems Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'problems.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'problems.member', title: 'Member', type: 'string' },
      { name: 'problems.description', title: 'Description', type: 'string' },
    ],
  },
  {
    name: 'drugs',
    title: 'Drugs',
    meta: { synonyms: ['medication', 'medications', 'prescriptions'] },
    measures: [{ name: 'drugs.count', title: 'Drugs Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'drugs.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'drugs.member', title: 'Member', type: 'string' },
      { name: 'drugs.description', title: 'Description', type: 'string' },
    ],
  },
];

const lexicon = buildLexicon(cubes, [
  { dimension: 'problems.description', values: ['Hypertension', 'Diabetes', 'Asthma'] },
  {
    dimension: 'drugs.description',
    values: ['lisinopril 10 MG Oral Tablet', 'metformin 500 MG Oral Tablet'],
  },
]);

function sql(q: string): string {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.sql;
}

const has = (table: string, n: number, value: string, not = false) =>
  `${not ? 'NOT ' : ''}EXISTS (SELECT 1 FROM "${table}" AS r${n} WHERE r${n}."member" = e."id" AND r${n}."description" IN ('${value}'))`;

describe('negation scope', () => {
  it('denies only what follows the denial', () => {
    for (const q of [
      'how many members with hypertension are not on lisinopril',
      'how many members with hypertension who are not on lisinopril',
      'how many members with hypertension not taking lisinopril',
      'how many hypertension members were never prescribed lisinopril',
      'how many members have hypertension but no lisinopril',
      'how many members with hypertension without lisinopril',
    ]) {
      const s = sql(q);
      expect(s, q).toMatch(/AND EXISTS \(SELECT 1 FROM "problems" AS r0 [^)]*'Hypertension'/);
      expect(s, q).toMatch(
        /AND NOT EXISTS \(SELECT 1 FROM "drugs" AS r1 [^)]*'lisinopril 10 MG Oral Tablet'/,
      );
    }
    expect(sql('how many diabetes members not on metformin')).toContain(
      has('drugs', 1, 'metformin 500 MG Oral Tablet', true),
    );
    expect(sql('how many diabetes members not on metformin')).toContain(
      `AND ${has('problems', 0, 'Diabetes')}`,
    );
  });

  it('denies every side of "without A or B" (neither)', () => {
    for (const q of [
      'how many members without hypertension or diabetes',
      'how many members who never had hypertension or diabetes',
    ]) {
      const s = sql(q);
      expect(s, q).toContain(
        `NOT EXISTS (SELECT 1 FROM "problems" AS r0 WHERE r0."member" = e."id" AND r0."description" IN ('Hypertension', 'Diabetes'))`,
      );
    }
  });
});
