// Shares read as parts of a whole: each group's part of all the rows (or of a column's sum), and
// the part of a column's sum that rows meeting a condition make up — never a plain breakdown of
// counts returned as if it were the share.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('shares as parts of a whole', () => {
  it('reads "percentage of visits by setting" as each group over all rows', () => {
    for (const q of [
      'percentage of visits by setting',
      'share of all visits by setting',
      'breakdown of visits by setting as a percentage',
      'what proportion of appointments fall in each setting',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'share',
        cube: 'visits',
        groupBy: { member: 'visits.setting' },
      });
      expect(r.form, q).not.toHaveProperty('condition');
    }
    expect(form('percentage of visits by setting').sql).toBe(
      'SELECT "setting" AS "by setting", count(*) AS "rows", count(*) * 1.0 / nullif(sum(count(*)) OVER (), 0) AS "share" FROM "visits" GROUP BY 1 ORDER BY 1',
    );
    expect(form('percentage of visits by setting').interpretation).toBe('Share of all visits by Setting');
  });

  it('breaks down by the records the rows point at, by their label', () => {
    const r = form('share of visits by site');
    expect(r.sql).toContain(
      `(SELECT o."name" FROM "sites" AS o WHERE o."id" = "visits"."site") AS "by name"`,
    );
    expect(r.interpretation).toBe('Share of all visits by Sites');
  });

  it('reads the part of a column sum that rows meeting a condition make up', () => {
    const r = form('what share of visit charge comes from urgent visits');
    expect(r.form).toMatchObject({
      kind: 'share',
      value: 'visits.charge',
      condition: { member: 'visits.setting', op: 'in', values: ['urgent'] },
    });
    expect(r.sql).toBe(
      `SELECT sum(CASE WHEN "setting" IN ('urgent') THEN "charge" ELSE 0 END) * 1.0 / nullif(sum("charge"), 0) AS "share" FROM "visits"`,
    );
    expect(form('percent of visit charge by setting').sql).toContain(
      'sum("charge") * 1.0 / nullif(sum(sum("charge")) OVER (), 0) AS "share"',
    );
  });

  it('reads the part one number column of the rows is of another column sum', () => {
    const r = form('what fraction of visit charge did the wait minutes make up');
    expect(r.form).toMatchObject({ kind: 'share', value: 'visits.charge', part: 'visits.wait_minutes' });
    expect(r.sql).toBe(
      'SELECT sum("wait_minutes") * 1.0 / nullif(sum("charge"), 0) AS "share" FROM "visits"',
    );
  });

  it('reads "paid by", "seen by" as who did it, never as a breakdown', () => {
    expect(interpret('percentage of visits seen by site', lexicon, now)).not.toMatchObject({
      kind: 'form',
      form: { groupBy: {} },
    });
  });

  it('keeps a share of rows meeting a condition as the average of the condition', () => {
    expect(form('what percentage of visits were urgent').sql).toBe(
      `SELECT avg(CASE WHEN "setting" IN ('urgent') THEN 1.0 ELSE 0.0 END) AS "share" FROM "visits"`,
    );
  });

  it('reads a value of the records the rows point at as the share condition, through the key', () => {
    for (const q of [
      'what share of visits were at Harbor View Practice',
      'percentage of appointments at the site Harbor View Practice',
      'share of visits where the location was harbor view practice',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'share',
        cube: 'visits',
        condition: { member: 'sites.name', op: 'in', values: ['Harbor View Practice'] },
      });
      expect(r.sql, q).toContain(
        `CASE WHEN "site" IN (SELECT "id" FROM "sites" WHERE "name" IN ('Harbor View Practice'))`,
      );
      expect(r.interpretation, q).toBe('Share of visits with Site is Harbor View Practice');
    }
    // A part of a column's sum, and a period, the same way.
    expect(form('what fraction of visit charge came from Elm Street Practice in 2023').sql).toContain(
      `sum(CASE WHEN "site" IN (SELECT "id" FROM "sites" WHERE "name" IN ('Elm Street Practice')) THEN "charge" ELSE 0 END)`,
    );
  });

  it('never answers a share whose condition names a value it could not place', () => {
    const r = interpret('what share of visits were at Lakeside Practice', lexicon, now);
    expect(r.kind).toBe('clarify');
  });

  it('computes a share of rows meeting a condition over all rows, even where the model has its rate', () => {
    // The model's "Urgent Rate" filtered by "urgent" again would be 100%.
    for (const q of ['percent urgent', 'what percent of visits were urgent']) {
      const r = form(q);
      expect(r.sql, q).toBe(
        `SELECT avg(CASE WHEN "setting" IN ('urgent') THEN 1.0 ELSE 0.0 END) AS "share" FROM "visits"`,
      );
    }
    expect(form('what percentage of members are deceased').sql).toBe(
      'SELECT avg(CASE WHEN "has_died" = true THEN 1.0 ELSE 0.0 END) AS "share" FROM "members"',
    );
  });
});
