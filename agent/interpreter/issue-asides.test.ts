// Asides (issue 15, coverage rule): outside analysts add words beside a question that restate or
// shape the answer — "(row per site)", "(site name + count)", "(month, cumulative total)",
// "according to the visits table", "; give the total". Those words are placed by what the
// interpretation already uses; an aside that names something new (a breakdown, a condition) is
// applied, and one naming nothing is asked about. Raw column and table names of the model read as
// its words. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import type { PlanStep } from '../state.ts';
import { asideWordsLeft, splitAsides, usedBy } from './asides.ts';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const gatheredOf = (cubes: LexiconCube[], lexicon = buildLexicon(cubes, [])): GatheredContext => ({
  catalog: { cubes, members: lexicon.members },
  values: [],
  lexicon,
});
const gathered = gatheredOf(clinicCubes, clinicLexicon);
const plan = (q: string, g = gathered): PlanStep => offlinePlan(q, g, undefined, now);
const shown = (p: PlanStep) =>
  p.kind === 'query' ? JSON.stringify(p.query) : p.kind === 'sql' ? `${p.interpretation} ${p.sql}` : '';

describe('splitting asides from the question', () => {
  it('takes parentheses, a table named as the source and a trailing clause that says what to give', () => {
    expect(splitAsides('top 5 sites by number of visits (site name + count)')).toEqual({
      question: 'top 5 sites by number of visits',
      asides: ['site name + count'],
    });
    expect(splitAsides('how many visits are there according to the visits table?')).toEqual({
      question: 'how many visits are there?',
      asides: ['according to the visits table'],
    });
    expect(splitAsides('visit charge by site; give site name and total').asides).toEqual([
      'give site name and total',
    ]);
    expect(splitAsides('how many visits in 2023').asides).toEqual([]);
  });
});

describe('asides that restate or shape the answer are placed by it', () => {
  it('answers as the question without them when every word restates what is used', () => {
    for (const [q, plainQ] of [
      ['number of visits by site (one row per site)', 'number of visits by site'],
      ['top 5 sites by number of visits (site name + count)', 'top 5 sites by number of visits'],
      ['cumulative visits by month in 2023 (month, cumulative total)', 'cumulative visits by month in 2023'],
      ['how many visits are there according to the visits table', 'how many visits are there'],
      ['how many members are there (members table)', 'how many members are there'],
      ['total visit charge (charge)', 'total visit charge'],
    ] as const) {
      const with_ = plan(q);
      expect(with_.kind, q).not.toBe('clarify');
      expect(shown(with_), q).toBe(shown(plan(plainQ)));
    }
  });

  it('reads "(ids)" and "(names)" after records listed as the key and the label shown', () => {
    const named = plan('which sites (names) had more than 3 visits');
    expect(named.kind).toBe('sql');
    expect(shown(named)).toBe(shown(plan('which sites had more than 3 visits')));
    const ids = plan('list members (ids) with more than 3 visits');
    expect(ids.kind).toBe('sql');
    expect(shown(ids)).toBe(shown(plan('list members with more than 3 visits')));
    // A count shows no record: its "(names)" is not restated.
    expect(plan('how many sites (names) had more than 3 visits').kind).toBe('clarify');
  });

  it('applies an aside naming a new breakdown instead of ignoring it', () => {
    const p = plan('number of visits by year (per site)');
    expect(p.kind).toBe('query');
    expect(shown(p)).toMatch(/sites\.name|visits\.site/);
  });

  it('asks about an aside whose words name nothing the interpretation uses', () => {
    const p = plan('number of visits by site (excluding zebras)');
    expect(p.kind).toBe('clarify');
    if (p.kind === 'clarify') expect(p.message).toContain('zebras');
  });

  it('leaves a number or a new condition in an aside unplaced by the plain reading', () => {
    const q = interpretQuery('number of visits by site', clinicLexicon, now);
    expect(q.kind).toBe('query');
    if (q.kind !== 'query') return;
    const used = usedBy(q.query, q.interpretation, clinicLexicon);
    expect(asideWordsLeft(['one row per site'], used, clinicLexicon)).toEqual([]);
    expect(asideWordsLeft(['2021'], used, clinicLexicon)).toEqual(['2021']);
    expect(asideWordsLeft(['urgent only'], used, clinicLexicon)).toContain('urgent');
  });
});

describe('raw column and table names as words of the model', () => {
  // The same model with the source columns and tables `/meta` reports.
  const cubes: LexiconCube[] = clinicCubes.map((c) => ({
    ...c,
    sqlTable: `tbl_${c.name}`,
    measures: c.measures.map((m) =>
      m.name === 'visits.total_total_charge' ? { ...m, columns: ['chargeamt'] } : m,
    ),
    dimensions: [
      ...c.dimensions.map((d) => (d.name === 'visits.charge' ? { ...d, columns: ['chargeamt'] } : d)),
      ...(c.name === 'visits'
        ? [
            { name: 'visits.symptom1', title: 'Symptom1', type: 'string', columns: ['symptom1'] },
            { name: 'visits.symptom2', title: 'Symptom2', type: 'string', columns: ['symptom2'] },
          ]
        : []),
    ],
  }));
  const raw = gatheredOf(cubes);

  it('reads a column name said as written ("chargeamt") and a table named by its source name', () => {
    const p = plan('total chargeamt of visits', raw);
    expect(p.kind).toBe('query');
    expect(shown(p)).toContain('visits.total_total_charge');
    const t = plan('how many rows are in the tbl_visits table', raw);
    expect(t.kind).toBe('query');
    expect(shown(t)).toContain('visits.count');
  });

  it('reads a numbered column by its ordinal ("first symptom")', () => {
    const p = plan('visits by first symptom', raw);
    expect(p.kind).toBe('query');
    expect(shown(p)).toContain('visits.symptom1');
    expect(shown(p)).not.toContain('visits.symptom2');
  });

  it('places a restating aside by the column the measure reads', () => {
    const p = plan('total visit charge (chargeamt)', raw);
    expect(p.kind).toBe('query');
    expect(shown(p)).toBe(shown(plan('total visit charge', raw)));
  });
});

describe('a denial in an aside restating an empty member', () => {
  it('places "no ended on" beside a plan that keeps the date empty', () => {
    const q = interpretQuery('how many open refills', clinicLexicon, now);
    expect(q.kind).toBe('query');
    if (q.kind !== 'query') return;
    const used = usedBy(q.query, q.interpretation, clinicLexicon);
    expect(asideWordsLeft(['no ended on'], used, clinicLexicon)).toEqual([]);
    // Of a plan that does not keep it empty, the denial is still a word to place.
    const all = interpretQuery('how many refills', clinicLexicon, now);
    if (all.kind !== 'query') return;
    expect(
      asideWordsLeft(['no ended on'], usedBy(all.query, all.interpretation, clinicLexicon), clinicLexicon),
    ).toContain('no');
  });
});
