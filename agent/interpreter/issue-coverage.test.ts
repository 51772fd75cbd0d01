// Coverage rule (issue 15): every content word of a question is used by the interpretation, or the
// answer asks back naming the words it could not place. An answer with status ok that ignored
// "median", "per member", "cumulative", "percentage", "both", "more than", "without" or a named
// record would be a confident answer to another question. Run through the whole offline plan.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import type { PlanStep } from '../state.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const gathered: GatheredContext = {
  catalog: { cubes: clinicCubes, members: clinicLexicon.members },
  values: [],
  lexicon: clinicLexicon,
};
const now = new Date('2024-06-01T12:00:00Z');
const plan = (q: string): PlanStep => offlinePlan(q, gathered, undefined, now);

/** What an answer says it computed: the interpretation of SQL, or the semantic query itself. */
function said(p: PlanStep): string {
  if (p.kind === 'sql') return `${p.interpretation ?? ''} ${p.sql}`;
  if (p.kind === 'query') return `${p.interpretation ?? ''} ${JSON.stringify(p.query)}`;
  return '';
}

describe('status-ok answers never ignore a content word', () => {
  // Each word, and what an answer that used it must show (in its words or its SQL).
  const cases: Array<[question: string, mustShow: RegExp]> = [
    ['median visit charge', /median/i],
    ['average number of visits per member', /per member|count\(DISTINCT/i],
    ['cumulative visits by month in 2023', /running total/i],
    ['percentage of visits that were urgent', /share/i],
    ['how many members had both urgent and routine visits', /INTERSECT|EXISTS[\s\S]*AND EXISTS/],
    ['how many members had more than 3 visits', /more than 3|> 3/],
    ['how many members had urgent visits without routine visits', /EXCEPT|NOT EXISTS/],
    [
      'what is the setting of visit 0b5fc1a0-0dd4-4fd5-8bb4-9e4fc1a0bd3f',
      /0b5fc1a0-0dd4-4fd5-8bb4-9e4fc1a0bd3f/,
    ],
  ];
  for (const [question, mustShow] of cases) {
    it(`"${question}" is answered with what it asks, or asked back`, () => {
      const p = plan(question);
      if (p.kind === 'clarify') return;
      expect(p.kind === 'sql' || p.kind === 'query', JSON.stringify(p)).toBe(true);
      expect(said(p)).toMatch(mustShow);
    });
  }

  it('places every word that asks for a share, when a question says it twice', () => {
    for (const q of [
      'share of visits that were urgent (%)',
      'percentage of visits that were urgent, as a percent',
    ]) {
      const p = plan(q);
      expect(p.kind, `${q}: ${JSON.stringify(p)}`).toBe('sql');
      expect(said(p)).toMatch(/share/i);
    }
  });

  it('answers each of those with status ok today (the rule is not met by asking back every time)', () => {
    const ok = cases.filter(([q]) => ['sql', 'query'].includes(plan(q).kind));
    expect(ok.length).toBe(cases.length);
  });

  // A word the model does not know, put into questions the interpreter answers, of every kind:
  // the answer must become a question back naming it, never a number without it.
  const answerable = [
    'how many visits in 2023',
    'average charge of visits by setting',
    'top 2 settings by number of visits',
    'list the members',
    'median visit charge',
    'percentage of visits that were urgent',
    'how many members had more than 3 visits',
    'cumulative visits by month in 2023',
  ];
  for (const q of answerable) {
    it(`"${q}" with an unknown word asks back naming it`, () => {
      expect(['sql', 'query']).toContain(plan(q).kind);
      const words = q.split(' ');
      for (const at of [1, words.length]) {
        const withWord = [...words.slice(0, at), 'zorblat', ...words.slice(at)].join(' ');
        const p = plan(withWord);
        expect(p.kind, `${withWord}: ${JSON.stringify(p)}`).toBe('clarify');
        if (p.kind === 'clarify') expect(p.message).toContain('zorblat');
      }
    });
  }

  it('asks back when the aggregation said disagrees with every measure of the column', () => {
    // "Lifetime Spend" has no average measure: answering the total would ignore "median"/"average".
    const p = plan('average lifetime spend of members by sex');
    expect(p.kind === 'clarify' || said(p).match(/avg|average/i)).toBeTruthy();
  });
});
