// Cohorts and null semantics on the invented clinic model: EXISTS / NOT EXISTS through the key
// other cubes hold to the head, and what the model says an empty member means.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, type LexiconCube } from './index.ts';
import { clinicCubes, clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-01-01T12:00:00Z');

function sql(q: string): string {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.sql;
}

describe('cohorts', () => {
  it('counts the head with no related rows ("never")', () => {
    expect(sql('how many members never had an urgent visit')).toBe(
      `SELECT count(*) AS "entities" FROM "members" AS e WHERE e."id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent'))`,
    );
  });

  it('takes a share over every head row ("ever")', () => {
    expect(sql('what share of members have ever had a refill')).toBe(
      `SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM "refills" AS r0 WHERE r0."member" = e."id") THEN 1.0 ELSE 0.0 END) AS "share" FROM "members" AS e WHERE e."id" IS NOT NULL`,
    );
  });

  it('scopes a share by the words before its condition ("of the members with …")', () => {
    const s = sql('of the members with urgent visits, what percentage also had a home visit');
    expect(s).toContain(`WHERE e."id" IS NOT NULL AND EXISTS (SELECT 1 FROM "visits" AS r0`);
    expect(s).toMatch(/avg\(CASE WHEN EXISTS \(SELECT 1 FROM "visits" AS r1 .*'home'/);
  });

  it("combines the head's own values with related rows and a stop the model names", () => {
    const s = sql('how many women with urgent visits have open refills');
    expect(s).toContain(`e."sex" IN ('F')`);
    expect(s).toContain(`coalesce(r`);
    expect(s).toContain(`."ended_on", '') = ''`);
  });

  it('reads "A or B" of one member\'s values as either value, never as "and"', () => {
    expect(sql('how many members had urgent or home visits')).toBe(
      `SELECT count(*) AS "entities" FROM "members" AS e WHERE e."id" IS NOT NULL AND EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent', 'home'))`,
    );
  });

  it('asks back for "or" between rows of different kinds', () => {
    expect(interpret('how many members had urgent visits or refills', lexicon, now).kind).toBe('clarify');
  });

  it('reads a missing value of the head as empty', () => {
    expect(sql('how many members have no sex recorded')).toBe(
      `SELECT count(*) AS "entities" FROM "members" AS e WHERE e."id" IS NOT NULL AND (coalesce(e."sex", '') = '')`,
    );
  });

  it('names words it cannot place in a cohort', () => {
    const r = interpret('how many members never had gout', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.unplaced).toContain('gout');
  });
});

describe('names of a cohort (the model tags them, whatever their titles)', () => {
  const people = (masked: boolean): LexiconCube[] =>
    clinicCubes.map((c) =>
      c.name !== 'members'
        ? c
        : {
            ...c,
            dimensions: [
              ...c.dimensions,
              {
                name: 'members.given',
                title: 'First',
                type: 'string',
                meta: { safe_harbor: 'name', masked },
              },
              {
                name: 'members.family',
                title: 'Last',
                type: 'string',
                meta: { safe_harbor: 'name', masked },
              },
              {
                name: 'members.honorific',
                title: 'Prefix',
                type: 'string',
                meta: { safe_harbor: 'name', masked },
              },
            ],
          },
    );

  it('lists the name members the model tags, though no title says "name"', () => {
    const r = interpret(
      'list the names of members who never had a refill',
      buildLexicon(people(false), []),
      now,
    );
    expect(r.kind).toBe('form');
    if (r.kind !== 'form') return;
    expect(r.sql).toContain(`e."given", e."family"`);
    expect(r.sql).not.toContain('honorific');
  });

  it('refuses only when those members are masked for the caller', () => {
    const r = interpret(
      'list the names of members who never had a refill',
      buildLexicon(people(true), []),
      now,
    );
    expect(r.kind).toBe('refuse');
  });
});

describe('state words said of records (ivalues)', () => {
  it('asks what "active" means of records with no stop date, never reading another cube’s stop', () => {
    const r = interpret('how many active members do we have?', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.unplaced).toEqual(['active']);
  });

  it('reads a clause of state words alone as the state of the rows named just before it', () => {
    const s = sql('how many members have urgent visits and refills that are still open');
    expect(s).toMatch(
      /EXISTS \(SELECT 1 FROM "refills" AS r\d WHERE r\d."member" = e."id" AND coalesce\(r\d."ended_on", ''\) = ''\)$/,
    );
  });
});

describe('a period said after "both … and …"', () => {
  it('is said of both sides', () => {
    const s = sql('how many members had both an urgent visit and a home visit in 2021');
    expect(s.match(/2021-01-01/g)).toHaveLength(2);
  });

  it('stays with its own side when the other side names its own period', () => {
    const s = sql('how many members had both an urgent visit in 2020 and a home visit in 2021');
    expect(s.match(/2021-01-01/g)).toHaveLength(1);
    expect(s.match(/2020-01-01/g)).toHaveLength(1);
  });
});
