// Relative periods on historic data (issue 15): "last quarter", "past 12 months", "this year",
// "YTD", "the latest month" were read from today, so on data that ends years ago they matched no
// row and answered "No data matched" with status ok — a confident wrong answer. They are read
// against the latest date of the date they are of, as the caller sees it, and say which period.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { anchoredPlan } from '../nodes/plan.ts';
import type { PlanStep } from '../state.ts';
import { anchorQuery, dataRelativeRange } from './data-dates.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2026-12-07T09:00:00Z');
const gathered: GatheredContext = {
  catalog: { cubes: clinicCubes, members: clinicLexicon.members },
  values: [],
  lexicon: clinicLexicon,
};

describe('a relative period read against the data', () => {
  it('is the unit holding the latest date when the data stops before today’s period', () => {
    expect(dataRelativeRange('last quarter', '2023-05-20', now)).toEqual({
      from: '2023-04-01',
      to: '2023-06-30',
      label: 'last quarter (2023-Q2, the latest in the data, which ends 20 May 2023)',
    });
    expect(dataRelativeRange('this year', '2023-12-31', now)).toEqual({
      from: '2023-01-01',
      to: '2023-12-31',
      label: 'this year (2023, the latest in the data)',
    });
    expect(dataRelativeRange('last month', '2021-02-10', now)).toMatchObject({
      from: '2021-02-01',
      to: '2021-02-28',
    });
  });

  it('counts "last N units" back from the unit holding the latest date', () => {
    expect(dataRelativeRange('last 12 months', '2023-05-20', now)).toMatchObject({
      from: '2022-06-01',
      to: '2023-05-31',
      label: expect.stringMatching(
        /^last 12 months \(2022-06 to 2023-05, ending with the latest in the data/,
      ),
    });
    expect(dataRelativeRange('last 2 years', '2020-03-01', now)).toMatchObject({
      from: '2019-01-01',
      to: '2020-12-31',
    });
  });

  it('keeps the reading from today for data that reaches into today’s period', () => {
    expect(dataRelativeRange('last quarter', '2026-11-30', now)).toBeUndefined();
    expect(dataRelativeRange('this year', '2026-12-06', now)).toBeUndefined();
    // A date after today (a planned stop) is current data too.
    expect(dataRelativeRange('last month', '2027-03-01', now)).toBeUndefined();
  });

  it('rewrites only the relative ranges of a semantic query', () => {
    const q = anchorQuery(
      {
        measures: ['visits.count'],
        timeDimensions: [
          { dimension: 'visits.started_at', dateRange: 'last quarter' },
          { dimension: 'members.joined_at', dateRange: ['2020-01-01', '2020-12-31'] },
        ],
      },
      () => '2023-05-20',
      now,
    );
    expect(q.timeDimensions?.map((td) => td.dateRange)).toEqual([
      ['2023-04-01', '2023-06-30'],
      ['2020-01-01', '2020-12-31'],
    ]);
  });
});

describe('the offline plan with relative periods', () => {
  const asked: string[] = [];
  const latest =
    (days: Record<string, string | null>) =>
    async (member: string): Promise<string | null> => {
      asked.push(member);
      return days[member] ?? null;
    };
  const said = (p: PlanStep) =>
    p.kind === 'query'
      ? `${p.interpretation} ${JSON.stringify(p.query)}`
      : p.kind === 'sql'
        ? `${p.interpretation} ${p.sql}`
        : p.kind === 'clarify'
          ? p.message
          : '';

  it('answers "last quarter" with the latest quarter of the data, and says so', async () => {
    const p = await anchoredPlan(
      'how many visits last quarter',
      gathered,
      undefined,
      now,
      latest({ 'visits.started_at': '2023-05-20' }),
    );
    expect(p.kind).toBe('query');
    if (p.kind !== 'query') return;
    expect(p.query.timeDimensions?.[0]).toMatchObject({
      dimension: 'visits.started_at',
      dateRange: ['2023-04-01', '2023-06-30'],
    });
    expect(p.interpretation).toMatch(/last quarter \(2023-Q2, the latest in the data/);
  });

  it('reads the latest date of the date the period is of, on the governed SQL path too', async () => {
    const p = await anchoredPlan(
      'median visit charge in the past 6 months',
      gathered,
      undefined,
      now,
      latest({ 'visits.started_at': '2022-08-15' }),
    );
    expect(p.kind).toBe('sql');
    expect(said(p)).toMatch(/2022-03-01/);
    expect(said(p)).toMatch(/2022-08-31/);
    expect(said(p)).toMatch(/last 6 months \(2022-03 to 2022-08, ending with the latest in the data/);
  });

  it('asks back when the caller sees no dated row to count back from', async () => {
    const p = await anchoredPlan('visits this year', gathered, undefined, now, latest({}));
    expect(p.kind).toBe('clarify');
    expect(said(p)).toMatch(/latest Started At/);
  });

  it('looks nothing up for a question without a relative period', async () => {
    asked.length = 0;
    const p = await anchoredPlan(
      'how many visits in 2021',
      gathered,
      undefined,
      now,
      latest({ 'visits.started_at': '2023-05-20' }),
    );
    expect(asked).toEqual([]);
    expect(p.kind === 'query' && p.query.timeDimensions?.[0]?.dateRange).toEqual([
      '2021-01-01',
      '2021-12-31',
    ]);
  });
});
