// Comparisons, ratios, stated top-N limits and running totals over an invented model: two groups
// of one dimension side by side with their difference or ratio, two periods with their change, a
// ranking's stated number of rows, and where a running total starts — by mechanism, not wording.
import { describe, expect, it } from 'vitest';
import { type Interpretation, interpret, interpretQuery } from './index.ts';
import { statedLimit } from './limit.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';
import { tokenize } from './text.ts';

const now = new Date('2024-06-01T12:00:00Z');

function form(q: string): Extract<Interpretation, { kind: 'form' }> {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

function limitOf(q: string): number | undefined {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query.limit;
}

describe('group against group', () => {
  it('answers "is X higher for A or B" with one row per group, each with its difference from the other', () => {
    for (const q of [
      'is the average charge higher for urgent or routine visits',
      'difference in average charge between urgent and routine visits',
      'average charge of urgent visits compared with routine visits',
      'are urgent visits cheaper than routine visits? average charge for each',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({
        kind: 'comparison',
        agg: 'avg',
        value: 'visits.charge',
        output: 'rows',
        differences: true,
      });
      expect(r.sql, q).toContain(
        `SELECT "setting", "value", "value" - o AS "difference from the other", ("value" - o) * 1.0 / nullif(o, 0) AS "relative difference from the other" FROM (SELECT 1 AS k, 'urgent' AS "setting", a AS "value", b AS o FROM (SELECT avg("charge") FILTER (WHERE "setting" IN ('urgent')) AS a, avg("charge") FILTER (WHERE "setting" IN ('routine')) AS b FROM "visits") AS x UNION ALL SELECT 2, 'routine', b, a`,
      );
      expect(r.interpretation, q).toBe(
        'Average Charge of visits: urgent (Setting) vs routine (Setting), each with its difference from the other',
      );
    }
  });

  it('answers "how much higher …" with the difference itself, one figure', () => {
    const r = form('how much higher is the average charge for urgent than routine visits');
    expect(r.form).toMatchObject({ kind: 'comparison', output: 'difference' });
    expect(r.sql).toBe(
      `SELECT a AS "urgent", b AS "routine", a - b AS "difference", (a - b) * 1.0 / nullif(b, 0) AS "relative difference" FROM (SELECT avg("charge") FILTER (WHERE "setting" IN ('urgent')) AS a, avg("charge") FILTER (WHERE "setting" IN ('routine')) AS b FROM "visits") AS x`,
    );
    expect(r.interpretation).toBe(
      'Average Charge of visits: urgent (Setting) vs routine (Setting), with the difference (urgent minus routine)',
    );
  });

  it('compares durations when one group is said to be longer than the other', () => {
    const r = form('are urgent visits longer than routine visits on average');
    expect(r.form).toMatchObject({ kind: 'comparison', agg: 'avg', value: 'visits.wait_minutes' });
    // Money words name no amount by themselves: asked back, never a count.
    expect(interpret('are urgent visits cheaper than routine visits', lexicon, now).kind).toBe('clarify');
    expect(interpret('urgent vs routine visits: how much did each pay in total', lexicon, now).kind).toBe(
      'clarify',
    );
  });

  it('reads groups of a cube the measured rows point at through their key, named by value synonyms', () => {
    const r = form('are there more visits for women or men in 2023');
    expect(r.form).toMatchObject({
      cube: 'visits',
      agg: 'count',
      groups: [{ label: 'women' }, { label: 'men' }],
    });
    expect(r.sql).toContain(
      `count(*) FILTER (WHERE "member" IN (SELECT "id" FROM "members" WHERE "sex" IN ('F'))) AS a`,
    );
    expect(r.sql).toContain(`make_timestamp(epoch_us("started_at")) >= '2023-01-01T00:00:00.000'`);
    expect(r.interpretation).toBe(
      'Number of visits: women (Sex is F) vs men (Sex is M), 2023, each with its difference from the other',
    );
  });

  it('reads a ratio of two groups: "ratio of A to B", "A for every B", "A per B"', () => {
    for (const q of [
      'ratio of urgent to routine visits',
      'how many urgent visits for every routine visit',
      'urgent visits per routine visit',
    ]) {
      const r = form(q);
      expect(r.form, q).toMatchObject({ kind: 'comparison', output: 'ratio', agg: 'count' });
      expect(r.sql, q).toContain('a * 1.0 / nullif(b, 0) AS "ratio"');
      expect(r.interpretation, q).toBe('Ratio of Number of visits: urgent (Setting) to routine (Setting)');
    }
  });

  it('sets what an empty member means against what a filled one means ("open vs closed")', () => {
    const r = form('average charge of open vs closed refills');
    expect(r.form).toMatchObject({
      cube: 'refills',
      agg: 'avg',
      groups: [
        { label: 'open', condition: { member: 'refills.ended_on', op: 'is_null' } },
        { label: 'closed', condition: { member: 'refills.ended_on', op: 'is_not_null' } },
      ],
    });
    expect(r.sql).toContain(`avg("charge") FILTER (WHERE "ended_on" IS NULL) AS a`);
  });

  it('answers plain side-by-side wording with one row per group, and a per-entity figure by its own reading', () => {
    const r = form('urgent vs routine visits');
    expect(r.form).toMatchObject({ kind: 'comparison', agg: 'count', output: 'rows' });
    expect(r.sql).toBe(
      `SELECT 'urgent' AS "setting", a AS "value" FROM (SELECT count(*) FILTER (WHERE "setting" IN ('urgent')) AS a, count(*) FILTER (WHERE "setting" IN ('routine')) AS b FROM "visits") AS x UNION ALL SELECT 'routine', b FROM (SELECT count(*) FILTER (WHERE "setting" IN ('urgent')) AS a, count(*) FILTER (WHERE "setting" IN ('routine')) AS b FROM "visits") AS y`,
    );
    // The average of the column said, for groups of the records the rows point at: never a
    // per-entity figure because the groups' records are named.
    expect(form('average visit charge for female vs male members').form).toMatchObject({
      kind: 'comparison',
      agg: 'avg',
      value: 'visits.charge',
      output: 'rows',
      groups: [{ condition: { values: ['F'] } }, { condition: { values: ['M'] } }],
    });
    expect(form('average number of visits per member').form.kind).toBe('per_entity');
  });

  it('asks back rather than compare entities one by one or place words it cannot', () => {
    expect(interpret('how many members had more urgent than routine visits', lexicon, now).kind).not.toBe(
      'form',
    );
    const r = interpret('is the average charge higher for urgent or routine visits of zebras', lexicon, now);
    expect(r).toMatchObject({ kind: 'clarify', unplaced: ['zebras'] });
  });
});

describe('period against period', () => {
  it('reads "compared with", "more … than" and a quarter borrowing the other period’s year', () => {
    const a = form('visits in 2023 compared to 2022');
    expect(a.form).toMatchObject({ kind: 'comparison', periods: [{ label: '2022' }, { label: '2023' }] });
    expect(form('how many more visits were there in 2023 than in 2022').form).toMatchObject({
      periods: [{ label: '2022' }, { label: '2023' }],
    });
    // "more … in A than in B" is A minus B, whichever came first.
    const more = form('how many more visits were there in 2022 than in 2023');
    expect(more.form).toMatchObject({ periods: [{ label: '2023' }, { label: '2022' }], difference: true });
    expect(more.interpretation).toBe('Difference in Number of visits, 2022 minus 2023');
    expect(form('change in visits from Q1 to Q2 2023').interpretation).toBe(
      'Number of visits: 2023-Q1 vs 2023-Q2, one row each with the change',
    );
    // One row per period, in time order: its name, its first day, its figure, the change.
    expect(a.sql).toMatch(
      /^SELECT "period", "period start", "value", "value" - lag\("value"\) OVER \(ORDER BY k\) AS "change", .* AS "relative change" FROM \(SELECT 1 AS k, '2022' AS "period", DATE '2022-01-01' AS "period start", a AS "value" FROM .* UNION ALL SELECT 2, '2023', DATE '2023-01-01', b FROM .* ORDER BY k$/,
    );
    expect(form('how did urgent visits change between March and June 2023').form).toMatchObject({
      periods: [{ label: '2023-03' }, { label: '2023-06' }],
      filters: [{ member: 'visits.setting', values: ['urgent'] }],
    });
  });

  it('reads "compare … between" two years as two periods, not the range between them', () => {
    expect(form('how did the average visit charge compare between 2022 and 2023').form).toMatchObject({
      kind: 'comparison',
      agg: 'avg',
      periods: [{ label: '2022' }, { label: '2023' }],
    });
  });

  it('is no request to change data', () => {
    expect(interpretQuery('change in visits by setting', lexicon, now).kind).not.toBe('refuse');
    expect(interpretQuery('change the setting of visit 3', lexicon, now).kind).toBe('refuse');
  });
});

describe('stated limits', () => {
  it('reads the number of rows wherever the ranking states it', () => {
    expect(limitOf('2 settings with the highest average charge')).toBe(2);
    expect(limitOf('show the two settings with the most visits')).toBe(2);
    expect(limitOf('which single setting has the most visits')).toBe(1);
    expect(limitOf('bottom 2 settings by number of visits')).toBe(2);
    expect(limitOf('which setting has more visits')).toBe(1);
  });

  it('never takes a threshold, a span or a quantity for a limit', () => {
    const at = (q: string) => {
      const t = tokenize(q);
      return statedLimit(
        t,
        t.findIndex((x) => ['most', 'highest', 'top'].includes(x.word)),
      );
    };
    expect(at('members with more than 5 visits who have the most charge')).toBeUndefined();
    expect(at('in the last 3 years which setting had the most visits')).toBeUndefined();
    expect(at('5 settings with the highest charge')).toEqual({ n: 5, at: [0] });
  });
});

describe('running totals', () => {
  it('say where the adding up starts: the period’s start, or the first record', () => {
    expect(form('cumulative sum of visit charge by quarter in 2023').interpretation).toBe(
      'Running total of Charge by quarter, 2023, from Q1 2023',
    );
    expect(form('running total of visits by year through 2022').interpretation).toBe(
      'Running total of visits by year, adding up from the first record through 2022',
    );
  });
});
