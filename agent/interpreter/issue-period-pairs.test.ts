// Two periods where one is said by the other (issue: "2021 compared with the previous year" was
// 2021 vs the year before today, 2025, with 0 rows — a confident wrong change of -100%; "this year
// vs last year" on data ending before today was read from today, or both as its latest year).
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { anchoredPlan } from '../nodes/plan.ts';
import { periodBeside } from './period-pairs.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2026-12-07T09:00:00Z');
const gathered: GatheredContext = {
  catalog: { cubes: clinicCubes, members: clinicLexicon.members },
  values: [],
  lexicon: clinicLexicon,
};
const latest = (day: string) => async () => day;

describe('a period said beside another', () => {
  it('is the one before (or after) the stated period, of the unit said', () => {
    expect(periodBeside('visits in 2021 compared with the previous year', now)).toMatch(/2021 .*2020/);
    expect(periodBeside('visits in 2021 vs the year before', now)).toMatch(/2021 vs\s+2020/);
    expect(periodBeside('charge in q1 2021 vs the prior quarter', now)).toMatch(/q4 2020/);
    expect(periodBeside('visits in 2021-03 compared with the month before', now)).toMatch(/2021-02/);
    expect(periodBeside('visits in 2021 vs the following year', now)).toMatch(/2022/);
  });

  it('is left as said when the stated period is not one whole unit of it', () => {
    expect(periodBeside('visits in 2021 vs the previous quarter', now)).toBe(
      'visits in 2021 vs the previous quarter',
    );
    expect(periodBeside('visits the previous year', now)).toBe('visits the previous year');
  });

  it('compares the stated year with the year before it', async () => {
    const p = await anchoredPlan(
      'number of visits in 2021 compared with the previous year',
      gathered,
      undefined,
      now,
      latest('2023-05-20'),
    );
    expect(p.kind).toBe('sql');
    if (p.kind !== 'sql') return;
    expect(p.interpretation).toMatch(/2020 vs 2021/);
    expect(p.sql).not.toMatch(/2025/);
  });
});

describe('this and last period on data that ends before today', () => {
  it('reads "this year" as the latest year in the data and "last year" as the one before', async () => {
    const p = await anchoredPlan(
      'visits this year vs last year',
      gathered,
      undefined,
      now,
      latest('2023-05-20'),
    );
    expect(p.kind).toBe('sql');
    if (p.kind !== 'sql') return;
    expect(p.interpretation).toMatch(
      /last year \(2022, the year before\) vs this year \(2023, the latest in the data/,
    );
    expect(p.sql).toMatch(/2022-01-01/);
    expect(p.sql).toMatch(/2023-12-31/);
  });

  it('reads the quarters the same way', async () => {
    const p = await anchoredPlan(
      'total visit charge this quarter compared with last quarter',
      gathered,
      undefined,
      now,
      latest('2023-05-20'),
    );
    expect(p.kind).toBe('sql');
    if (p.kind !== 'sql') return;
    expect(p.interpretation).toMatch(/2023-Q1.*2023-Q2/);
  });

  it('keeps the reading from today for data that reaches today', async () => {
    const p = await anchoredPlan(
      'visits this year vs last year',
      gathered,
      undefined,
      now,
      latest('2026-12-01'),
    );
    expect(p.kind === 'sql' && p.interpretation).toMatch(/2025.*2026/);
  });
});
