// One figure divided by another (issue: "total claim cost divided by number of encounters" asked
// back between two unrelated measures): each side is a cube's rows counted or a column's total,
// with its own conditions; the period said applies to each on its own date.
import { describe, expect, it } from 'vitest';
import { interpret } from './interpret.ts';
import { clinicLexicon } from './testing/clinic.ts';

const now = new Date('2026-12-07T09:00:00Z');
const form = (q: string) => {
  const read = interpret(q, clinicLexicon, now);
  expect(read.kind, `${q}: ${JSON.stringify(read)}`).toBe('form');
  return read.kind === 'form' ? read : undefined;
};

describe('a ratio of two figures', () => {
  it('divides a column’s total by a count of rows, in any wording', () => {
    for (const q of [
      'total visit charge divided by number of visits',
      'what is the visit charge divided by the number of visits?',
      'ratio of visit charge to visits',
      'visit charge over number of visits',
    ]) {
      const read = form(q);
      expect(read?.form, q).toMatchObject({
        kind: 'comparison',
        output: 'ratio',
        figures: [
          { cube: 'visits', agg: 'sum', value: 'visits.charge' },
          { cube: 'visits', agg: 'count' },
        ],
      });
      expect(read?.sql).toMatch(/a \* 1\.0 \/ nullif\(b, 0\) AS "ratio"/);
    }
  });

  it('divides the rows of two cubes, each with its own conditions', () => {
    const read = form('urgent visits divided by members');
    expect(read?.form).toMatchObject({
      figures: [
        { cube: 'visits', agg: 'count', filters: [{ member: 'visits.setting', values: ['urgent'] }] },
        { cube: 'members', agg: 'count' },
      ],
    });
    expect(read?.interpretation).toMatch(
      /Number of visits where Setting is urgent divided by Number of members/,
    );
  });

  it('keeps each side to the period said, on its own date', () => {
    const read = form('visit charge divided by number of visits in 2021');
    const f = read?.form;
    expect(f?.kind === 'comparison' && f.figures?.map((x) => x.time?.label)).toEqual(['2021', '2021']);
  });

  it('breaks the ratio down when both figures are of one cube', () => {
    expect(form('visit charge divided by number of visits by setting')?.form).toMatchObject({
      groupBy: { member: 'visits.setting' },
    });
    expect(form('visit charge divided by number of visits by year')?.form).toMatchObject({
      groupBy: { grain: 'year' },
    });
    const apart = interpret('visits divided by members by year', clinicLexicon, now);
    expect(apart.kind).toBe('clarify');
  });

  it('asks back naming the words a side could not place', () => {
    const read = interpret('visit charge divided by number of widgets', clinicLexicon, now);
    expect(read.kind).toBe('clarify');
    expect(read.kind === 'clarify' && read.message).toMatch(/widgets/);
  });

  it('leaves "over" to other readings when it does not divide', () => {
    const read = interpret('visits over time', clinicLexicon, now);
    expect(read.kind === 'form' && read.form.kind === 'comparison').toBe(false);
  });
});
