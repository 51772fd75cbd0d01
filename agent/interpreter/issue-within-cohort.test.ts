// Figures kept to a cohort's records, and measures found by what they compute, on the invented
// clinic model: per-entity figures "among women", distinct counts through rows keyed to two
// entities, and a measure named only by the words of its description.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, kpiByDescription, type LexiconCube, restate } from './index.ts';
import { clinicCubes, clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-01-01T12:00:00Z');

function read(q: string) {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('figures kept to a cohort', () => {
  it('keeps a per-entity figure to the records the qualifier names ("among women")', () => {
    const r = read('average number of visits per member among women');
    expect(r.sql).toBe(
      `SELECT count(*) * 1.0 / nullif(count(DISTINCT "member"), 0) AS "per_entity" FROM "visits" WHERE "member" IN (SELECT e."id" AS "entity" FROM "members" AS e WHERE e."id" IS NOT NULL AND (e."sex" IN ('F')) ORDER BY 1)`,
    );
    expect(r.interpretation).toContain('among members with Sex is F');
  });

  it('reads a qualifier between "per" and the entity ("per female member")', () => {
    expect(read('average refills per female member').sql).toContain(`(e."sex" IN ('F'))`);
  });

  it('keeps it to members with related rows ("among members with urgent visits")', () => {
    const s = read('average refills per member among members with urgent visits').sql;
    expect(s).toContain(`FROM "refills" WHERE "member" IN (SELECT e."id"`);
    expect(s).toContain(
      `EXISTS (SELECT 1 FROM "visits" AS r0 WHERE r0."member" = e."id" AND r0."setting" IN ('urgent'))`,
    );
  });

  it('counts one entity through rows keyed to another ("different sites that saw women")', () => {
    const r = read('how many different sites saw female members');
    expect(r.sql).toBe(
      `SELECT count(DISTINCT "site") AS "entities" FROM "visits" WHERE "member" IN (SELECT e."id" AS "entity" FROM "members" AS e WHERE e."id" IS NOT NULL AND (e."sex" IN ('F')) ORDER BY 1)`,
    );
  });

  it('asks back when the qualifier has a word it cannot place', () => {
    const r = interpret('average visits per member among members with zorblaxia', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.unplaced).toContain('zorblaxia');
  });

  it('asks whether "each" means an average or one figure per record, with no averaging word', () => {
    const r = interpret('how many visits does each member have', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.options.length).toBe(2);
  });
});

describe('measures found by their description', () => {
  const cubes: LexiconCube[] = clinicCubes.map((c) =>
    c.name !== 'visits'
      ? c
      : {
          ...c,
          measures: [
            ...c.measures,
            {
              name: 'visits.return_rate_14d',
              title: 'Return Rate',
              type: 'number',
              aggType: 'number',
              description:
                'Visits followed by another visit of the same member within 14 days, divided by all visits.',
              meta: { kpi: true },
            },
          ],
        },
  );
  const withKpi = buildLexicon(cubes, []);

  it('ranks a measure by the words of its description, widened by the synonyms of what it names', () => {
    // "people" is a synonym of members, which the description names.
    const [best] = kpiByDescription(
      'what share of appointments were followed by another visit of the same people',
      withKpi,
    );
    expect(best?.member.member).toBe('visits.return_rate_14d');
    expect(best?.left.map((t) => t.word)).toEqual([]);
  });

  it('names the words it could not place, for a question back with the measure as a choice', () => {
    const [best] = kpiByDescription(
      'what fraction of visits were followed by another visit within a fortnight',
      withKpi,
    );
    expect(best?.member.member).toBe('visits.return_rate_14d');
    expect(best?.left.map((t) => t.word)).toContain('fortnight');
    expect(restate('what fraction of visits were followed by another visit in 2021', best!)).toBe(
      'Return Rate in 2021',
    );
  });

  it('finds nothing from ratio and row words alone', () => {
    expect(kpiByDescription('what share of visits', withKpi)).toEqual([]);
  });
});
