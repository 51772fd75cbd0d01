// A figure asked in a unit of time ("in hours") is answered in that unit and says so; a figure of
// one row ("wait", a length of stay) per entity is each entity's average, never their totals averaged.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('units of time', () => {
  it('converts a number kept in minutes to the unit asked, and says the unit', () => {
    for (const [q, expr] of [
      ['average wait in hours', 'avg(("wait_minutes" / 60.0))'],
      ['what is the mean wait expressed in hours', 'avg(("wait_minutes" / 60.0))'],
      ['median wait in days for urgent visits', 'median(("wait_minutes" / 1440.0))'],
      ['maximum wait in seconds', 'max(("wait_minutes" * 60.0))'],
      ['total wait in hours in 2023', 'sum(("wait_minutes" / 60.0))'],
    ] as const) {
      const r = form(q);
      expect(r.sql, q).toContain(expr);
      expect(r.interpretation, q).toMatch(/Wait in (hours|days|seconds)/);
      expect(r.interpretation, q).not.toContain('(minutes)');
    }
  });

  it('reads the unit beside a breakdown and a per-entity average', () => {
    expect(form('average wait in hours by setting').sql).toBe(
      'SELECT "setting" AS "by setting", avg(("wait_minutes" / 60.0)) AS "avg" FROM "visits" GROUP BY 1 ORDER BY 1',
    );
    expect(form('average wait per site in hours').sql).toContain('avg(("wait_minutes" / 60.0))');
  });

  it('asks back when the number has no unit of time, never answering in the unit it is kept in', () => {
    for (const q of ['average number of visits per member in hours', 'average lifetime spend in days'])
      expect(interpret(q, lexicon, now).kind, q).toBe('clarify');
  });
});

describe('a figure of one row per entity', () => {
  it('is each entity’s average, by its name', () => {
    for (const q of [
      'average wait per site',
      'mean wait per site',
      'what is the average wait per site in 2023',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'distribution',
        stat: 'avg',
        value: 'visits.wait_minutes',
        groupBy: { member: 'sites.name' },
      });
      expect(r.sql, q).not.toContain('count(DISTINCT');
    }
  });

  it('keeps an amount per entity as the total over entities (charge per member)', () => {
    expect(form('average visit charge per member').form).toMatchObject({
      kind: 'per_entity',
      value: 'visits.charge',
    });
  });
});
