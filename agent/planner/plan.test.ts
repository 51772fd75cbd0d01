import { describe, expect, it } from 'vitest';
import { buildCatalog, type MetaCube, planQuestion, readTime } from './index.ts';

const m = (name: string, title: string, aggType: string, synonyms: string[] = []) => ({
  name,
  title,
  type: 'number',
  aggType,
  meta: { synonyms },
});
const d = (name: string, title: string, type = 'string', synonyms: string[] = []) => ({
  name,
  title,
  type,
  meta: { synonyms },
});

const cubes: MetaCube[] = [
  {
    name: 'encounters',
    title: 'Encounters',
    meta: { synonyms: ['visits', 'appointments'] },
    measures: [
      m('encounters.count', 'Encounters', 'count', ['visits', 'number of encounters']),
      m('encounters.total_total_claim_cost', 'Total claim cost', 'sum', ['spend', 'cost']),
      m('encounters.avg_total_claim_cost', 'Average claim cost', 'avg', ['cost per encounter']),
      m('encounters.distinct_patients', 'Distinct patients seen', 'countDistinct', ['patients seen']),
    ],
    dimensions: [
      d('encounters.id', 'Encounter id'),
      d('encounters.start', 'Start', 'time', ['date']),
      d('encounters.encounterclass', 'Encounter class', 'string', ['type', 'setting']),
      d('encounters.description', 'Encounter description'),
    ],
  },
  {
    name: 'patients',
    title: 'Patients',
    measures: [
      m('patients.count', 'Patients', 'count', ['people']),
      m('patients.avg_healthcare_expenses', 'Average healthcare expenses', 'avg', ['spending']),
    ],
    dimensions: [
      d('patients.id', 'Patient id'),
      d('patients.gender', 'Gender', 'string', ['sex']),
      d('patients.birthdate', 'Birth date', 'time'),
      d('patients.race', 'Race'),
    ],
  },
  {
    name: 'conditions',
    title: 'Conditions',
    meta: { synonyms: ['diagnoses', 'diseases'] },
    measures: [m('conditions.count', 'Conditions', 'count', ['diagnoses'])],
    dimensions: [
      d('conditions.start', 'Onset', 'time'),
      d('conditions.description', 'Condition', 'string', ['diagnosis']),
    ],
  },
  {
    name: 'payers',
    title: 'Payers',
    meta: { synonyms: ['insurers'] },
    measures: [m('payers.count', 'Payers', 'count')],
    dimensions: [d('payers.name', 'Payer name', 'string', ['insurer'])],
  },
];
const catalog = buildCatalog(cubes);
const values = [
  { dimension: 'encounters.encounterclass', values: ['ambulatory', 'emergency', 'inpatient', 'wellness'] },
  { dimension: 'payers.name', values: ['Humana', 'Medicare', 'Blue Cross Blue Shield'] },
  { dimension: 'patients.gender', values: ['M', 'F'] },
  { dimension: 'conditions.description', values: ['Diabetes mellitus type 2 (disorder)', 'Hypertension'] },
];
const now = new Date('2026-06-15T12:00:00Z');
const plan = (q: string, prev?: Parameters<typeof planQuestion>[3]) =>
  planQuestion(q, catalog, values, prev, now);

describe('offline planner', () => {
  it('counts by name and by synonym', () => {
    expect(plan('How many encounters were there?')).toMatchObject({
      kind: 'query',
      query: { measures: ['encounters.count'] },
    });
    expect(plan('number of visits')).toMatchObject({ query: { measures: ['encounters.count'] } });
    expect(plan('how many patients do we have')).toMatchObject({ query: { measures: ['patients.count'] } });
  });

  it('groups by a dimension named by title or synonym', () => {
    expect(plan('patients by sex')).toMatchObject({
      query: { measures: ['patients.count'], dimensions: ['patients.gender'] },
    });
    expect(plan('encounters per encounter class')).toMatchObject({
      query: { dimensions: ['encounters.encounterclass'] },
    });
  });

  it('picks the aggregation the words ask for', () => {
    expect(plan('average claim cost by encounter class')).toMatchObject({
      query: { measures: ['encounters.avg_total_claim_cost'], dimensions: ['encounters.encounterclass'] },
    });
    expect(plan('total spend in 2019')).toMatchObject({
      query: {
        measures: ['encounters.total_total_claim_cost'],
        timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2019-01-01', '2019-12-31'] }],
      },
    });
  });

  it('filters on dimension values from the value index', () => {
    expect(plan('how many ambulatory encounters last year')).toMatchObject({
      query: {
        measures: ['encounters.count'],
        filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: ['ambulatory'] }],
        timeDimensions: [{ dimension: 'encounters.start', dateRange: 'last year' }],
      },
    });
  });

  it('reads grains and ranges of time', () => {
    expect(plan('encounters by month since March 2020')).toMatchObject({
      query: {
        timeDimensions: [
          { dimension: 'encounters.start', granularity: 'month', dateRange: ['2020-03-01', '2026-06-15'] },
        ],
      },
    });
    expect(readTime('between 2018 and 2020', now).dateRange).toEqual(['2018-01-01', '2020-12-31']);
    expect(readTime('in the last 7 days', now).dateRange).toBe('last 7 days');
    expect(readTime('visits this quarter', now).dateRange).toBe('this quarter');
    expect(readTime('monthly visits', now).granularity).toBe('month');
  });

  it('answers top N with an order and a limit on the label dimension', () => {
    expect(plan('top 5 diagnoses')).toMatchObject({
      query: {
        measures: ['conditions.count'],
        dimensions: ['conditions.description'],
        order: [['conditions.count', 'desc']],
        limit: 5,
      },
    });
  });

  it('tolerates small typos', () => {
    expect(plan('how many encountres')).toMatchObject({ query: { measures: ['encounters.count'] } });
  });

  it('continues a conversation: "and by gender?", "only 2019"', () => {
    const first = plan('how many patients');
    if (first.kind !== 'query') throw new Error('expected a query');
    const second = plan('and by gender?', first.query);
    expect(second).toMatchObject({
      query: { measures: ['patients.count'], dimensions: ['patients.gender'] },
    });
    if (second.kind !== 'query') throw new Error('expected a query');
    const enc = plan('encounters by class');
    if (enc.kind !== 'query') throw new Error('expected a query');
    expect(plan('only 2019', enc.query)).toMatchObject({
      query: {
        measures: ['encounters.count'],
        timeDimensions: [{ dateRange: ['2019-01-01', '2019-12-31'] }],
      },
    });
  });

  it('asks when two measures fit equally instead of guessing', () => {
    const p = plan('cost');
    expect(p.kind).toBe('query');
    const ambiguous = planQuestion(
      'cost',
      buildCatalog([
        ...cubes,
        {
          name: 'claims',
          title: 'Claims',
          measures: [m('claims.total_cost', 'Cost', 'sum', ['cost'])],
          dimensions: [],
        },
      ]),
      values,
      undefined,
      now,
    );
    expect(ambiguous.kind).toBe('clarify');
  });

  it('says when a question is outside the model', () => {
    expect(plan("what's the weather in Boston tomorrow?")).toMatchObject({ kind: 'out_of_scope' });
  });
});
