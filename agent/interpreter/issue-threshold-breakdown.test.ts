// A threshold broken down (issue: "number of patients with more than 10 encounters, by gender" asked
// what "gender" meant): the entities meeting the threshold, counted per value of a dimension of
// their own. Over an invented model, so the test proves the mechanism, not a wording.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('a threshold broken down', () => {
  it('counts the entities meeting it per value of their own dimension', () => {
    for (const q of [
      'number of members with more than 3 visits, by sex',
      'how many members had more than 3 visits by sex',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'threshold',
        entity: 'members',
        op: 'gt',
        n: 3,
        list: false,
        groupBy: { member: 'members.sex' },
      });
      expect(r.sql, q).toBe(
        'SELECT e."sex" AS "sex", count(*) AS "entities" FROM (SELECT "member" AS entity, count(*) AS n FROM "visits" WHERE "member" IS NOT NULL GROUP BY 1 HAVING count(*) > 3) AS t JOIN "members" AS e ON e."id" = t.entity GROUP BY 1 ORDER BY 1',
      );
    }
  });

  it('is still one count without a breakdown', () => {
    expect(form('number of members with more than 3 visits').form.groupBy).toBeUndefined();
  });
});
