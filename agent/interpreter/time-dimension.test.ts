// Which date a period or grain is about, when a cube has several: the date the question names (by
// its title, synonyms, the model's `time_words`, or the word a grain is said of), the date a
// condition says is recorded, or the date the model says a measure counts by — over an invented
// model, so the choice comes from the model's words, not from names in code.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpretQuery, type LexiconCube } from './index.ts';
import { interpret } from './interpret.ts';

const cubes: LexiconCube[] = [
  {
    name: 'stays',
    title: 'Stays',
    measures: [
      { name: 'stays.count', title: 'Stays Count', type: 'number', aggType: 'count' },
      {
        name: 'stays.transfers',
        title: 'Transfers',
        type: 'number',
        aggType: 'count',
        meta: { time_dimension: 'left_on' },
      },
      { name: 'stays.avg_length', title: 'Average Length', type: 'number', aggType: 'avg' },
    ],
    dimensions: [
      { name: 'stays.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'stays.ward', title: 'Ward', type: 'string' },
      { name: 'stays.arrived_on', title: 'Arrived On', type: 'time' },
      {
        name: 'stays.left_on',
        title: 'Left On',
        type: 'time',
        meta: {
          time_words: ['discharged', 'discharge'],
          null_means: ['current'],
          not_null_means: ['closed'],
        },
      },
    ],
  },
];
const lexicon = buildLexicon(cubes, [{ dimension: 'stays.ward', values: ['north', 'south'] }]);
const now = new Date('2024-06-15T12:00:00Z');

function dims(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return { td: r.query.timeDimensions?.[0], interpretation: r.interpretation };
}

describe('the date a period is about', () => {
  it('is the cube’s own date unless the question names another', () => {
    expect(dims('stays in 2020').td?.dimension).toBe('stays.arrived_on');
    expect(dims('stays discharged in 2020').td).toMatchObject({
      dimension: 'stays.left_on',
      dateRange: ['2020-01-01', '2020-12-31'],
    });
    expect(dims('stays by month of discharge in 2020').td).toMatchObject({
      dimension: 'stays.left_on',
      granularity: 'month',
    });
    expect(dims('stays by discharge year').td).toMatchObject({
      dimension: 'stays.left_on',
      granularity: 'year',
    });
    expect(dims('stays left on or after 2021-03-01').td?.dimension).toBe('stays.left_on');
  });

  it('is the date a measure counts by, when the model says so, and the answer names it', () => {
    const r = dims('transfers per year since 2019');
    expect(r.td).toMatchObject({ dimension: 'stays.left_on', granularity: 'year' });
    expect(r.interpretation).toBe('Transfers of stays by year of Left On, Left On 2019 onward');
  });

  it('is the date a condition says is recorded when said right before the period ("closed in 2021")', () => {
    const sql = (q: string) => {
      const r = interpret(q, lexicon, now);
      if (r.kind !== 'form') throw new Error(JSON.stringify(r));
      return r.sql;
    };
    expect(sql('how many stays were closed in 2021')).toContain(
      'make_timestamp(epoch_us("left_on")) >= \'2021-01-01',
    );
    // "closed stays in 2021": stays of 2021 that are closed.
    expect(sql('how many closed stays in 2021')).toContain(
      'make_timestamp(epoch_us("arrived_on")) >= \'2021-01-01',
    );
  });

  it('counts rows up to an "as of" date, and asks back for a figure that needs it as its reference', () => {
    expect(interpretQuery('stays as of 2020-12-31', lexicon, now)).toMatchObject({
      kind: 'query',
      query: { timeDimensions: [{ dateRange: ['1900-01-01', '2020-12-31'] }] },
    });
    expect(interpretQuery('average length of stays as of 2020-12-31', lexicon, now)).toMatchObject({
      kind: 'clarify',
      unplaced: ['as of'],
    });
  });
});
