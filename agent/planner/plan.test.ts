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

// A richer model: value synonyms, keys between cubes, identifiers, segments and masked members,
// as the Synthea model has them.
const rich: MetaCube[] = [
  {
    name: 'patients',
    title: 'Patients',
    meta: { synonyms: ['people'] },
    measures: [
      m('patients.count', 'Patients', 'count', ['how many patients']),
      m('patients.avg_income', 'Average Income', 'avg'),
      m('patients.deceased_count', 'Deceased Patients', 'count', ['deaths', 'died']),
    ],
    dimensions: [
      { name: 'patients.id', title: 'Id', type: 'string', primaryKey: true, meta: { phi: 'quasi' } },
      {
        ...d('patients.gender', 'Gender', 'string', ['sex']),
        meta: { synonyms: ['sex'], value_synonyms: { F: ['women', 'female'], M: ['men', 'male'] } },
      },
      { name: 'patients.ssn', title: 'Ssn', type: 'string', meta: { phi: 'direct', masked: true } },
      { name: 'patients.first', title: 'First', type: 'string', meta: { phi: 'direct' } },
      d('patients.birthdate', 'Birthdate', 'time'),
    ],
    segments: [
      { name: 'patients.living', title: 'Living Patients', type: 'segment', meta: { synonyms: ['alive'] } },
    ],
  },
  {
    name: 'encounters',
    title: 'Encounters',
    meta: { synonyms: ['visits', 'visit'] },
    measures: [
      m('encounters.count', 'Encounters Count', 'count'),
      m('encounters.avg_total_claim_cost', 'Average Total Claim Cost', 'avg', ['cost per visit']),
      m('encounters.total_total_claim_cost', 'Total Total Claim Cost', 'sum'),
      m('encounters.distinct_patients', 'Distinct Patients', 'count_distinct', ['how many patients']),
    ],
    dimensions: [
      { name: 'encounters.id', title: 'Id', type: 'string', primaryKey: true },
      d('encounters.start', 'Start', 'time'),
      d('encounters.patient', 'Patient'),
      d('encounters.payer', 'Payer'),
      {
        ...d('encounters.encounterclass', 'Encounterclass'),
        meta: { synonyms: ['class', 'type'], value_synonyms: { emergency: ['ER'] } },
      },
      d('encounters.description', 'Description'),
    ],
  },
  {
    name: 'conditions',
    title: 'Conditions',
    meta: { synonyms: ['diagnoses'] },
    measures: [
      m('conditions.count', 'Conditions Count', 'count'),
      m('conditions.distinct_patients', 'Distinct Patients', 'count_distinct', ['how many patients']),
    ],
    dimensions: [
      d('conditions.start', 'Start', 'time'),
      d('conditions.patient', 'Patient'),
      d('conditions.description', 'Description', 'string', ['diagnosis']),
    ],
  },
  {
    name: 'payers',
    title: 'Payers',
    meta: { synonyms: ['insurers'] },
    measures: [m('payers.count', 'Payers Count', 'count'), m('payers.total_revenue', 'Total Revenue', 'sum')],
    dimensions: [
      { name: 'payers.id', title: 'Id', type: 'string', primaryKey: true },
      d('payers.name', 'Name'),
      d('payers.ownership', 'Ownership'),
    ],
  },
  {
    name: 'organizations',
    title: 'Organizations',
    measures: [
      m('organizations.count', 'Organizations Count', 'count'),
      m('organizations.total_revenue', 'Total Revenue', 'sum'),
    ],
    dimensions: [d('organizations.name', 'Name')],
  },
];
const richCatalog = buildCatalog(rich);
const richValues = [
  { dimension: 'encounters.encounterclass', values: ['ambulatory', 'emergency', 'urgentcare', 'wellness'] },
  { dimension: 'payers.name', values: ['Humana', 'Medicare'] },
  { dimension: 'payers.ownership', values: ['GOVERNMENT', 'PRIVATE'] },
  {
    dimension: 'conditions.description',
    values: [
      'Diabetes mellitus type 2 (disorder)',
      'Prediabetes',
      'Retinopathy due to type 2 diabetes mellitus (disorder)',
      'Viral sinusitis (disorder)',
    ],
  },
];
const ask = (q: string, prev?: Parameters<typeof planQuestion>[3]) =>
  planQuestion(q, richCatalog, richValues, prev, now);
const queryOf = (p: ReturnType<typeof ask>) => {
  if (p.kind !== 'query') throw new Error(`expected a query, got ${JSON.stringify(p)}`);
  return p.query;
};

describe('offline planner over a model like Synthea', () => {
  it('reads values by the model’s value synonyms and run-together words', () => {
    expect(queryOf(ask('how many women do we have'))).toMatchObject({
      measures: ['patients.count'],
      filters: [{ member: 'patients.gender', values: ['F'] }],
    });
    expect(queryOf(ask('number of ER visits'))).toMatchObject({
      measures: ['encounters.count'],
      filters: [{ member: 'encounters.encounterclass', values: ['emergency'] }],
    });
    expect(queryOf(ask('urgent care visits in 2020')).filters).toEqual([
      { member: 'encounters.encounterclass', operator: 'equals', values: ['urgentcare'] },
    ]);
  });

  it('finds words inside values, whole words only, and counts people through that cube', () => {
    expect(queryOf(ask('how many patients have diabetes?'))).toEqual({
      measures: ['conditions.distinct_patients'],
      filters: [
        {
          member: 'conditions.description',
          operator: 'equals',
          values: [
            'Diabetes mellitus type 2 (disorder)',
            'Retinopathy due to type 2 diabetes mellitus (disorder)',
          ],
        },
      ],
    });
  });

  it('counts what "how many" names: visits by uninsured patients are visits', () => {
    expect(queryOf(ask('how many visits were paid by Medicare patients')).measures).toEqual([
      'encounters.count',
    ]);
    expect(queryOf(ask('how many patients had an emergency visit')).measures).toEqual([
      'encounters.distinct_patients',
    ]);
    expect(queryOf(ask('how many patients have died')).measures).toEqual(['patients.deceased_count']);
  });

  it('groups by another cube’s label through a key, never by the measure’s own cube', () => {
    expect(queryOf(ask('encounters by payer'))).toMatchObject({ dimensions: ['payers.name'] });
    expect(queryOf(ask('average claim cost per encounter'))).toEqual({
      measures: ['encounters.avg_total_claim_cost'],
    });
    expect(queryOf(ask('visits by patient sex')).dimensions).toEqual(['patients.gender']);
  });

  it('ranks: "which payer covers the most visits" is the top payer by visits', () => {
    expect(queryOf(ask('which payer covers the most visits?'))).toMatchObject({
      measures: ['encounters.count'],
      dimensions: ['payers.name'],
      order: [['encounters.count', 'desc']],
      limit: 1,
      filters: [{ member: 'payers.name', operator: 'set' }],
    });
    expect(queryOf(ask('the 2 least common encounter types'))).toMatchObject({
      dimensions: ['encounters.encounterclass'],
      order: [['encounters.count', 'asc']],
      limit: 2,
    });
  });

  it('lists records by key and label, and only the kinds when asked for kinds', () => {
    expect(queryOf(ask('which payers are private?'))).toEqual({
      dimensions: ['payers.id', 'payers.name'],
      filters: [{ member: 'payers.ownership', operator: 'equals', values: ['PRIVATE'] }],
      limit: 1000,
    });
    expect(queryOf(ask('which patients have diabetes?')).dimensions).toEqual(['patients.id']);
    expect(queryOf(ask('what kinds of diagnoses do we see?')).dimensions).toEqual(['conditions.description']);
    expect(queryOf(ask('which patients are alive?')).segments).toEqual(['patients.living']);
  });

  it('refuses writes and identifiers the caller cannot see (masked is not seen)', () => {
    expect(ask('delete all encounters from 2019').kind).toBe('out_of_scope');
    expect(ask('drop table patients').kind).toBe('out_of_scope');
    expect(ask('list patients with their social security numbers')).toMatchObject({ kind: 'out_of_scope' });
    expect(queryOf(ask('list patient first names')).dimensions).toEqual(['patients.id', 'patients.first']);
  });

  it('asks rather than answer another question', () => {
    expect(ask('what is the total revenue?').kind).toBe('clarify');
    expect(ask('what share of visits were emergencies?').kind).toBe('clarify');
    expect(ask('how many patients had more than 10 visits?').kind).toBe('clarify');
    expect(ask('how many visits did Zebulon Quillfeather have?')).toMatchObject({ kind: 'clarify' });
    expect(ask('how many in 2020?').kind).toBe('clarify');
    expect(ask('what is the capital of France?').kind).toBe('out_of_scope');
  });

  it('reads quarters and years side by side', () => {
    expect(readTime('visits in Q1 2020', now).dateRange).toEqual(['2020-01-01', '2020-03-31']);
    expect(readTime('the second quarter of 2022', now).dateRange).toEqual(['2022-04-01', '2022-06-30']);
    expect(readTime('emergency visits in 2022 and 2023', now)).toMatchObject({
      dateRange: ['2022-01-01', '2023-12-31'],
      granularity: 'year',
    });
  });

  it('follows up across cubes and switches the aggregation of the same measure', () => {
    const first = queryOf(ask('average claim cost by encounter class in 2021'));
    expect(queryOf(ask('and the total?', first))).toMatchObject({
      measures: ['encounters.total_total_claim_cost'],
      dimensions: ['encounters.encounterclass'],
      timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2021-01-01', '2021-12-31'] }],
    });
    const visits = queryOf(ask('visits in 2022'));
    expect(queryOf(ask('what about diagnoses?', visits))).toEqual({
      measures: ['conditions.count'],
      timeDimensions: [{ dimension: 'conditions.start', dateRange: ['2022-01-01', '2022-12-31'] }],
    });
    expect(queryOf(ask('and men?', queryOf(ask('how many women are there'))))).toMatchObject({
      filters: [{ member: 'patients.gender', values: ['M'] }],
    });
  });

  it('answers a verified example question from the model with its query, as written', () => {
    const withExamples = buildCatalog([
      ...cubes.map((c) =>
        c.name === 'encounters'
          ? {
              ...c,
              meta: {
                ...c.meta,
                examples: [
                  {
                    question: 'How busy were we?',
                    query: {
                      measures: ['encounters.count'],
                      timeDimensions: [{ dimension: 'encounters.start', granularity: 'month' }],
                    },
                  },
                ],
              },
            }
          : c,
      ),
    ]);
    expect(
      planQuestion('how busy were we', withExamples, [], undefined, new Date('2026-06-15T12:00:00Z')),
    ).toEqual({
      kind: 'query',
      query: {
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: 'encounters.start', granularity: 'month' }],
      },
      notes: ['verified example'],
    });
  });
});

describe('dates the caller sees as years only (Safe Harbor)', () => {
  const yearOnly = buildCatalog(
    cubes.map((c) =>
      c.name === 'encounters'
        ? {
            ...c,
            dimensions: c.dimensions.map((dim) =>
              dim.name === 'encounters.start'
                ? { ...dim, meta: { ...dim.meta, masked: true, masked_to: 'year' } }
                : dim,
            ),
          }
        : c,
    ),
  );

  it('answers by year and over whole years', () => {
    expect(planQuestion('encounters per year', yearOnly, values, undefined, now)).toMatchObject({
      kind: 'query',
      query: { timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }] },
    });
    expect(planQuestion('how many encounters in 2019', yearOnly, values, undefined, now)).toMatchObject({
      kind: 'query',
      query: { timeDimensions: [{ dimension: 'encounters.start', dateRange: ['2019-01-01', '2019-12-31'] }] },
    });
  });

  it('asks back instead of counting by month or from a day inside a year', () => {
    for (const q of [
      'encounters by month in 2020',
      'visits in the last 30 days',
      'encounters since March 2022',
    ]) {
      const plan = planQuestion(q, yearOnly, values, undefined, now);
      expect(plan.kind, q).toBe('clarify');
      expect((plan as { message: string }).message, q).toMatch(/as a year only/);
    }
    // The same questions plan normally where the date is not masked.
    expect(planQuestion('encounters by month in 2020', catalog, values, undefined, now).kind).toBe('query');
  });

  it('never picks a date masked entirely (no year kept) as the time to group by', () => {
    const masked = buildCatalog(
      cubes.map((c) =>
        c.name === 'encounters'
          ? {
              ...c,
              dimensions: c.dimensions.map((dim) =>
                dim.name === 'encounters.start' ? { ...dim, meta: { ...dim.meta, masked: true } } : dim,
              ),
            }
          : c,
      ),
    );
    expect(planQuestion('encounters per year', masked, values, undefined, now).kind).toBe('clarify');
  });
});
