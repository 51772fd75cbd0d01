// Regressions from held-out cohort questions answered with a confident wrong number: a state
// denied right after "not" ("not resolved") read as no such rows at all; "kidney" of "chronic
// kidney disease" read again alone (every kidney value); "still" of "still alive" left over as the
// state of another cube's rows; "as well as" read as the value word "well"; "A or B" of one
// member's values asked about; words widening a value ("of any stage") left unplaced.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, type LexiconCube } from './index.ts';
import { normalizeQuestion } from './text.ts';

const now = new Date('2024-01-01T12:00:00Z');

const cubes: LexiconCube[] = [
  {
    name: 'members',
    title: 'Members',
    measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'members.id', title: 'Id', type: 'string', primaryKey: true },
      {
        name: 'members.died_on',
        title: 'Died On',
        type: 'time',
        meta: { null_means: ['alive', 'living', 'still alive'], not_null_means: ['deceased', 'died'] },
      },
    ],
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
      { name: 'problems.started_on', title: 'Started On', type: 'time' },
      {
        name: 'problems.resolved_on',
        title: 'Resolved On',
        type: 'time',
        meta: { null_means: ['active', 'current', 'ongoing'], not_null_means: ['resolved', 'ended'] },
      },
    ],
  },
];

const lexicon = buildLexicon(cubes, [
  {
    dimension: 'problems.description',
    values: [
      'Chronic kidney disease stage 1',
      'Chronic kidney disease stage 2',
      'Kidney stone',
      'Chronic pain',
      'Essential hypertension',
      'Prediabetes',
      'Well child visit',
    ],
  },
]);

function sql(q: string): string {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.sql;
}

const exists = (where: string, n = 0) =>
  `EXISTS (SELECT 1 FROM "problems" AS r${n} WHERE r${n}."member" = e."id" AND ${where})`;

describe('cohort wording', () => {
  it('reads "not resolved" as still open, not as no such rows', () => {
    for (const q of [
      'how many members have active essential hypertension (not resolved)',
      'how many members have essential hypertension that is not resolved',
      'how many members have essential hypertension that has not yet ended',
    ]) {
      const s = sql(q);
      expect(s, q).toContain(`AND EXISTS (SELECT 1 FROM "problems" AS r0`);
      expect(s, q).toContain(`r0."resolved_on" IS NULL`);
      expect(s, q).not.toContain('NOT EXISTS');
    }
  });

  it('still denies the rows when the denial is of the rows ("no active …")', () => {
    const s = sql('how many members have no active essential hypertension');
    expect(s).toContain('NOT EXISTS');
    expect(s).toContain(`r0."resolved_on" IS NULL`);
  });

  it('takes the values holding a run of words once, not again by one of its words', () => {
    const s = sql('how many members currently have chronic kidney disease');
    expect(s).toContain(
      `r0."description" IN ('Chronic kidney disease stage 1', 'Chronic kidney disease stage 2')`,
    );
    expect(s).not.toContain('Kidney stone');
  });

  it('reads "still alive" whole, leaving no "still" for the other rows', () => {
    const s = sql('how many members who are still alive have prediabetes');
    expect(s).toContain(`e."died_on" IS NULL`);
    expect(s).not.toContain('resolved_on');
  });

  it('reads "A as well as B" as two conditions, not the value word "well"', () => {
    const s = sql('how many members have essential hypertension as well as prediabetes');
    expect(s).toContain(exists(`r0."description" IN ('Essential hypertension')`));
    expect(s).toContain(exists(`r1."description" IN ('Prediabetes')`, 1));
    expect(s).not.toContain('Well child');
  });

  it('reads "A or B" of one member\'s values as either of them', () => {
    expect(sql('how many members have essential hypertension or prediabetes')).toContain(
      exists(`r0."description" IN ('Essential hypertension', 'Prediabetes')`),
    );
  });

  it('drops words that only widen a value to all its kinds ("of any stage")', () => {
    expect(normalizeQuestion('patients with chronic kidney disease of any stage').trim()).toBe(
      'patients with chronic kidney disease',
    );
    expect(normalizeQuestion('CKD any stage').trim()).toBe('CKD');
    expect(normalizeQuestion('any type of allergy').trim()).toBe('allergy');
    expect(normalizeQuestion('all kinds of vaccines').trim()).toBe('vaccines');
    // A breakdown by kind keeps its words.
    expect(normalizeQuestion('allergies by type')).toContain('by type');
    const s = sql('how many members ever had chronic kidney disease of any stage');
    expect(s).toContain(
      `r0."description" IN ('Chronic kidney disease stage 1', 'Chronic kidney disease stage 2')`,
    );
  });
});

describe('a number said to be none', () => {
  const withCost: LexiconCube[] = cubes.map((c) =>
    c.name === 'problems'
      ? { ...c, dimensions: [...c.dimensions, { name: 'problems.copay', title: 'Copay', type: 'number' }] }
      : c,
  );
  const lex = buildLexicon(withCost, [{ dimension: 'problems.description', values: ['Prediabetes'] }]);

  it('reads "zero copay" as a copay of 0, not a missing copay', () => {
    const r = interpret('how many problems had zero copay', lex, now);
    expect(r.kind).toBe('form');
    if (r.kind !== 'form') return;
    expect(r.sql).toContain(`e."copay" >= 0 AND e."copay" <= 0`);
    expect(r.sql).not.toContain('IS NULL');
    expect(r.interpretation).toContain('Copay = 0');
  });
});
