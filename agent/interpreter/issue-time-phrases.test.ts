// Time phrases the interpreter could not place although their meaning is clear: "all years", "to
// date" (no period at all), a grain said before a year range ("by year 2014-2023"), parentheses
// around a period, a half or quarter that shares the next one's year ("H1 vs H2 of 2023"), and a
// counting noun that names a measure dated by a date whose time words it shares ("discharges").
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { readTime } from './read-time.ts';
import { normalizeQuestion } from './text.ts';
import { periodsIn } from './time-words.ts';

const now = new Date('2024-06-01T12:00:00Z');
const read = (q: string) => readTime(normalizeQuestion(q), now, { asOf: true });

describe('time phrases that name every period', () => {
  it('read "all years", "any year" and "to date" as no period, leaving no word behind', () => {
    for (const q of [
      'visits across all years',
      'visits (all years)',
      'visits in any year',
      'total cost to date',
    ]) {
      const t = read(q);
      expect(t.dateRange, q).toBeUndefined();
      expect(t.rest, q).not.toMatch(/\b(?:all|years?|any|date)\b/);
    }
  });

  it('keeps "year to date" and "from 2019 to date" as the periods they are', () => {
    expect(read('visits year to date').dateRange).toBe('this year');
    expect(read('visits from 2019 to date').dateRange).toEqual(['2019-01-01', '2024-12-31']);
  });
});

describe('a grain said before a year range', () => {
  it('is a grain over the range, not "by (the end of) the year"', () => {
    for (const [q, range] of [
      ['visits by year 2014-2023', ['2014-01-01', '2023-12-31']],
      ['visits by year 2010 onward', ['2010-01-01', '2024-12-31']],
      ['visits per year 2015 to 2018', ['2015-01-01', '2018-12-31']],
      ['visits by year starting 2014 (through 2024)', ['2014-01-01', '2024-12-31']],
    ] as const) {
      const t = read(q);
      expect(t.granularity, q).toBe('year');
      expect(t.dateRange, q).toEqual(range);
      expect(t.rest.trim(), q).toBe('visits');
    }
  });

  it('reads parentheses and "(inclusive)" around an open range as nothing', () => {
    const t = read('visits since 2015 (inclusive)');
    expect(t.dateRange).toEqual(['2015-01-01', '2024-12-31']);
    expect(t.rest.trim()).toBe('visits');
    // "before 2015 inclusive" contradicts itself: left to ask back.
    expect(read('visits before 2015 inclusive').rest).toMatch(/inclusive/);
  });
});

describe('a half or quarter that shares the next one’s year', () => {
  it('reads both with that year', () => {
    const spans = (q: string) => periodsIn(q, now).map((p) => [p.from, p.to]);
    expect(spans('visits h1 vs h2 of 2023')).toEqual([
      ['2023-01-01', '2023-06-30'],
      ['2023-07-01', '2023-12-31'],
    ]);
    expect(spans('visits q1 and q2 2022')).toEqual([
      ['2022-01-01', '2022-03-31'],
      ['2022-04-01', '2022-06-30'],
    ]);
    expect(spans('visits in the first half versus the second half of 2021')).toEqual([
      ['2021-01-01', '2021-06-30'],
      ['2021-07-01', '2021-12-31'],
    ]);
    // Without a year anywhere, a quarter is not a period.
    expect(spans('visits in q1 vs q2')).toEqual([]);
  });
});

describe('a counting noun dated by its own date', () => {
  const cubes: LexiconCube[] = [
    {
      name: 'stays',
      title: 'Stays',
      measures: [
        { name: 'stays.count', title: 'Stays Count', type: 'number', aggType: 'count' },
        {
          name: 'stays.releases',
          title: 'Releases',
          type: 'number',
          aggType: 'count',
          meta: { time_dimension: 'left_on', synonyms: ['releases'] },
        },
      ],
      dimensions: [
        { name: 'stays.id', title: 'Id', type: 'string', primaryKey: true },
        { name: 'stays.arrived_on', title: 'Arrived On', type: 'time' },
        {
          name: 'stays.left_on',
          title: 'Left On',
          type: 'time',
          meta: { time_words: ['released', 'release'] },
        },
      ],
    },
  ];
  const lexicon = buildLexicon(cubes, []);
  it('names the measure, which dates itself, though the date’s time words share its stem', () => {
    const r = interpretQuery('how many releases in 2020', lexicon, now);
    expect(r.kind).toBe('query');
    if (r.kind !== 'query') return;
    expect(r.query.measures).toEqual(['stays.releases']);
    expect(r.query.timeDimensions?.[0]).toMatchObject({
      dimension: 'stays.left_on',
      dateRange: ['2020-01-01', '2020-12-31'],
    });
    const s = interpretQuery('stays released in 2020', lexicon, now);
    expect(s.kind === 'query' && s.query.timeDimensions?.[0]?.dimension).toBe('stays.left_on');
  });
});

describe('generic words that carry no member', () => {
  it('reads verbs of dealing, "according to", "exceeds" and a title before a name', () => {
    expect(normalizeQuestion('visits handled by each site')).toBe('visits by each site');
    expect(normalizeQuestion('charges summed by ward')).toBe('charges by ward');
    expect(normalizeQuestion('visits according to setting')).toBe('visits by setting');
    expect(normalizeQuestion('how many visits according to our records')).toBe('how many visits');
    expect(normalizeQuestion('visits whose charge exceeds 1000')).toBe('visits whose charge over 1000');
    expect(normalizeQuestion('visits with Dr. Lee Park')).toBe('visits with Lee Park');
    // A word that only starts like one is kept: "drug", "handler", "exceeds expectations".
    expect(normalizeQuestion('drug handler exceeds expectations')).toBe('drug handler exceeds expectations');
  });
});

describe('a question about the data with a word nothing explains', () => {
  const lexicon = buildLexicon(
    [
      {
        name: 'stays',
        title: 'Stays',
        measures: [{ name: 'stays.count', title: 'Stays Count', type: 'number', aggType: 'count' }],
        dimensions: [
          { name: 'stays.id', title: 'Id', type: 'string', primaryKey: true },
          { name: 'stays.arrived_on', title: 'Arrived On', type: 'time' },
        ],
      },
    ],
    [],
  );
  it('names the word back when a period, grain or cube is said, and refuses when nothing is', () => {
    for (const q of ['how many flurbles in 2020', 'flurbles per year 2015-2020', 'stays of all zorbles']) {
      const r = interpretQuery(q, lexicon, now);
      expect(r.kind, q).toBe('clarify');
      if (r.kind === 'clarify') expect(r.unplaced.join(' '), q).toMatch(/flurbles|zorbles/);
    }
    for (const q of ['what is the stock price today', 'write me a poem about nurses'])
      expect(interpretQuery(q, lexicon, now).kind, q).toBe('refuse');
  });
});
