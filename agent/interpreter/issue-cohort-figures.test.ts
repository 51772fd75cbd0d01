// Cohorts with figures, on the invented clinic model with two cubes whose labels share a word: a
// reaction's substance ("Penicillin") and a script's drug ("penicillin 250 MG capsule"). A value
// the model says names what its rows are about yields, said alone, to the other records holding
// it; a qualifier said first ("for members with …, how many refills each on average") keeps the
// figure after the comma to its records, averaged or one number per record; and a share "of the
// members with X" is over them.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-01-01T12:00:00Z');

function cubes(flagged: boolean): LexiconCube[] {
  return [
    ...clinicCubes,
    {
      name: 'scripts',
      title: 'Scripts',
      meta: { synonyms: ['prescriptions'] },
      measures: [{ name: 'scripts.count', title: 'Scripts Count', type: 'number', aggType: 'count' }],
      dimensions: [
        { name: 'scripts.id', title: 'Id', type: 'string', primaryKey: true },
        { name: 'scripts.member', title: 'Member', type: 'string' },
        { name: 'scripts.description', title: 'Description', type: 'string' },
        { name: 'scripts.started_at', title: 'Started At', type: 'time' },
        { name: 'scripts.stopped_at', title: 'Stopped At', type: 'time', meta: { role: 'stop' } },
      ],
    },
    {
      name: 'reactions',
      title: 'Reactions',
      meta: { synonyms: ['reaction', 'allergic'] },
      measures: [{ name: 'reactions.count', title: 'Reactions Count', type: 'number', aggType: 'count' }],
      dimensions: [
        { name: 'reactions.id', title: 'Id', type: 'string', primaryKey: true },
        { name: 'reactions.member', title: 'Member', type: 'string' },
        {
          name: 'reactions.description',
          title: 'Description',
          type: 'string',
          meta: flagged ? { values_name_other_records: true } : {},
        },
        { name: 'reactions.noted_at', title: 'Noted At', type: 'time' },
      ],
    },
  ];
}

const values = [
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  { dimension: 'scripts.description', values: ['penicillin 250 MG capsule', 'metformin 500 MG tablet'] },
  { dimension: 'reactions.description', values: ['Penicillin', 'Pollen', 'Hives without swelling'] },
];
const lexicon = buildLexicon(cubes(true), values);
const unflagged = buildLexicon(cubes(false), values);

function sql(q: string, lx = lexicon): string {
  const r = interpret(q, lx, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.sql;
}

describe('a value that names what its rows are about yields to other records said alone', () => {
  it('reads "never had penicillin" as no script of it, whatever the verb', () => {
    const s = sql('members with urgent visits who have never had penicillin');
    expect(s).toContain(
      `NOT EXISTS (SELECT 1 FROM "scripts" AS r1 WHERE r1."member" = e."id" AND r1."description" IN ('penicillin 250 MG capsule'))`,
    );
    expect(s).not.toContain('"reactions"');
  });

  it('filters a plain figure by the scripts holding it ("how many scripts of penicillin")', () => {
    const r = interpretQuery('how many scripts of penicillin', lexicon, now);
    expect(r.kind === 'query' && r.query.filters).toEqual([
      { member: 'scripts.description', operator: 'equals', values: ['penicillin 250 MG capsule'] },
    ]);
    const alone = interpretQuery('number of members with penicillin', lexicon, now);
    expect(JSON.stringify(alone)).not.toContain('reactions.description');
  });

  it('reads "without any <drug>" as no script of it, not a value holding "without"', () => {
    const s = sql('members with urgent visits and without any metformin');
    expect(s).toContain(
      `NOT EXISTS (SELECT 1 FROM "scripts" AS r1 WHERE r1."member" = e."id" AND r1."description" IN ('metformin 500 MG tablet'))`,
    );
    expect(s).not.toContain('"reactions"');
  });

  it('keeps the value to its own rows where their words are said ("allergic to penicillin")', () => {
    const s = sql('members with urgent visits who are allergic to penicillin');
    expect(s).toContain(
      `FROM "reactions" AS r1 WHERE r1."member" = e."id" AND r1."description" IN ('Penicillin')`,
    );
    expect(s).not.toContain('"scripts"');
  });

  it('leaves a value no other records hold to its rows ("pollen")', () => {
    expect(sql('members with urgent visits who never had pollen')).toContain(
      `NOT EXISTS (SELECT 1 FROM "reactions" AS r1 WHERE r1."member" = e."id" AND r1."description" IN ('Pollen'))`,
    );
  });

  it('is the model that says so: without its word the whole value wins', () => {
    expect(sql('members with urgent visits who have never had penicillin', unflagged)).toContain(
      `NOT EXISTS (SELECT 1 FROM "reactions"`,
    );
  });
});

describe('a share of the members of a cohort', () => {
  it('is over the cohort, the part those of them with an open script of it', () => {
    const s = sql('of the members with urgent visits, what percentage are currently on penicillin');
    expect(s).toBe(
      `SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM "scripts" AS r1 WHERE r1."member" = e."id" AND r1."stopped_at" IS NULL AND r1."description" IN ('penicillin 250 MG capsule')) THEN 1.0 ELSE 0.0 END) AS "share" FROM "members" AS e WHERE e."id" IS NOT NULL AND EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent'))`,
    );
  });
});

describe('a state said after "are"', () => {
  it('is of the rows named after it ("with urgent visits are currently on penicillin")', () => {
    const s = sql('how many members with urgent visits are currently on penicillin');
    expect(s).toContain(
      `EXISTS (SELECT 1 FROM "scripts" AS r1 WHERE r1."member" = e."id" AND r1."stopped_at" IS NULL AND r1."description" IN ('penicillin 250 MG capsule'))`,
    );
    expect(s).toContain(
      `EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent'))`,
    );
  });
});

describe('a figure of each record of a cohort said first', () => {
  const cohort = `"member" IN (SELECT e."id" AS "entity" FROM "members" AS e WHERE e."id" IS NOT NULL AND EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent')) ORDER BY 1)`;

  it('averages "each on average" over the cohort\'s records, not the total', () => {
    expect(sql('for members who had urgent visits, how many refills each on average')).toBe(
      `SELECT count(*) * 1.0 / nullif(count(DISTINCT "member"), 0) AS "per_entity" FROM "refills" WHERE ${cohort}`,
    );
  });

  it('averages "for each member …, how many … on average" too', () => {
    expect(sql('for each member with urgent visits, how many refills on average')).toBe(
      `SELECT count(*) * 1.0 / nullif(count(DISTINCT "member"), 0) AS "per_entity" FROM "refills" WHERE ${cohort}`,
    );
  });

  it('gives one number for each record with "for each member …" and no averaging word', () => {
    expect(sql('for each member with urgent visits, how many refills')).toBe(
      `SELECT "member" AS "by member", count(*) AS "rows" FROM "refills" WHERE ${cohort} GROUP BY 1 ORDER BY 1`,
    );
  });

  it('reads "how many … per member for members with …" as that number per record', () => {
    expect(sql('how many refills per member for members with urgent visits')).toBe(
      `SELECT "member" AS "by member", count(*) AS "rows" FROM "refills" WHERE ${cohort} GROUP BY 1 ORDER BY 1`,
    );
  });

  it('still asks back when the cohort has a word it cannot place', () => {
    const r = interpret('for members with zorblaxia, how many refills each on average', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.unplaced).toContain('zorblaxia');
  });
});
