// Verified queries over an invented model (a clinic's visits and members): the file format's
// errors, and which wordings reuse a verified question and which must not (a different number,
// value, statistic, grouping or negation is a different question).
import { describe, expect, it } from 'vitest';
import { buildLexicon, type LexiconCube } from './index.ts';
import {
  matchVerified,
  parseVerifiedQuery,
  questionSimilarity,
  retrieveVerified,
  type VerifiedQuery,
  verifiedFileName,
} from './verified.ts';

const cubes: LexiconCube[] = [
  {
    name: 'members',
    title: 'Members',
    meta: { synonyms: ['people', 'enrollees'] },
    measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'members.id', title: 'Id', type: 'string', primaryKey: true },
      {
        name: 'members.sex',
        title: 'Sex',
        type: 'string',
        meta: { value_synonyms: { F: ['female', 'women'], M: ['male', 'men'] } },
      },
    ],
  },
  {
    name: 'visits',
    title: 'Visits',
    meta: { synonyms: ['appointments'] },
    measures: [
      { name: 'visits.count', title: 'Visits Count', type: 'number', aggType: 'count' },
      { name: 'visits.charge_total', title: 'Total Charge', type: 'number', aggType: 'sum' },
    ],
    dimensions: [
      { name: 'visits.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'visits.setting', title: 'Setting', type: 'string' },
      { name: 'visits.started_at', title: 'Started At', type: 'time' },
    ],
  },
];
const lexicon = buildLexicon(cubes, [{ dimension: 'visits.setting', values: ['urgent care', 'outpatient'] }]);

const v = (file: string, question: string): VerifiedQuery => ({
  file,
  question,
  query: { measures: ['visits.count'] },
  author: 'alice',
  date: '2026-03-01',
});
const verified = [
  v('a.yaml', 'How many visits were there in 2021?'),
  v('b.yaml', 'Number of female members'),
  v('c.yaml', 'Monthly visit counts in urgent care for 2022'),
];

describe('verified query files', () => {
  it('reads a semantic query or SQL with its author and date', () => {
    const q = parseVerifiedQuery(
      'verified_queries/x.yaml',
      'question: How many visits in 2021?\nquery:\n  measures: [visits.count]\n  filters:\n    - {member: visits.setting, operator: equals, values: [outpatient]}\n  order: [[visits.count, desc]]\nauthor: alice\ndate: 2026-03-01\n',
    );
    expect(q).toMatchObject({ question: 'How many visits in 2021?', author: 'alice', date: '2026-03-01' });
    expect(q.query?.filters?.[0]).toEqual({
      member: 'visits.setting',
      operator: 'equals',
      values: ['outpatient'],
    });
    expect(
      parseVerifiedQuery(
        'f.yaml',
        'question: Visits?\nsql: SELECT count(*) FROM visits\nauthor: bo\ndate: "2026-01-02"\n',
      ).sql,
    ).toBe('SELECT count(*) FROM visits');
  });

  it('names the file and every wrong field', () => {
    expect(() => parseVerifiedQuery('verified_queries/bad.yaml', 'question: [unclosed\n')).toThrow(
      /verified_queries\/bad\.yaml is not valid YAML/,
    );
    expect(() =>
      parseVerifiedQuery(
        'verified_queries/two.yaml',
        'question: Visits?\nsql: SELECT 1\nquery: {measures: [visits.count]}\nauthor: a\ndate: 2026-01-01\n',
      ),
    ).toThrow(/two\.yaml: query: give exactly one of query \(a semantic query\) or sql/);
    expect(() =>
      parseVerifiedQuery(
        'verified_queries/x.yaml',
        'question: Visits?\nsql: SELECT 1\ndate: March\nextra: 1\n',
      ),
    ).toThrow(/x\.yaml: .*author.*date: a date as YYYY-MM-DD|x\.yaml: .*Unrecognized key/);
    expect(() =>
      parseVerifiedQuery(
        'verified_queries/e.yaml',
        'question: Visits?\nquery: {filters: []}\nauthor: a\ndate: 2026-01-01\n',
      ),
    ).toThrow(/query: a semantic query names at least one measure or dimension/);
  });

  it('gives a new question a file name of its words', () => {
    expect(verifiedFileName('How many visits in 2021?', () => false)).toBe('visits-2021.yaml');
    expect(verifiedFileName('How many visits in 2021?', (n) => n === 'visits-2021.yaml')).toBe(
      'visits-2021-2.yaml',
    );
  });
});

describe('matching a question to a verified one', () => {
  it('reuses it for another wording of the same question', () => {
    for (const q of [
      'how many visits were there in 2021',
      'Number of visits in 2021',
      'count of visit in 2021?',
      'visits in 2021',
      'appointments in 2021', // the model's synonym for visits
      'how many vissits in 2021', // a typo
    ])
      expect(matchVerified(q, verified, lexicon)?.verified.file, q).toBe('a.yaml');
    expect(matchVerified('how many women members', verified, lexicon)?.verified.file).toBe('b.yaml');
    expect(matchVerified('urgent care visits by month for 2022', verified, lexicon)?.verified.file).toBe(
      'c.yaml',
    );
    expect(matchVerified('urgent care visit count per month, 2022', verified, lexicon)?.verified.file).toBe(
      'c.yaml',
    );
  });

  it('does not reuse it when anything that changes the number differs', () => {
    for (const q of [
      'how many visits were there in 2022', // another year
      'how many visits in 2021 by setting', // a breakdown
      'median visits in 2021', // a statistic
      'visits not in 2021', // a negation
      'how many outpatient visits in 2021', // a value
      'number of male members', // another value
      'number of members', // a value left out
      'total charge of visits in 2021', // a sum, and a member
      'how many visits in 2021 at Humana', // a word the model does not know
      'urgent care visits in 2022', // the grouping left out
    ])
      expect(matchVerified(q, verified, lexicon), q).toBeUndefined();
  });

  it('ranks verified queries by likeness for a model endpoint, best first', () => {
    const top = retrieveVerified('visits in 2021 at outpatient', verified, lexicon, 2);
    expect(top[0]?.verified.file).toBe('a.yaml');
    expect(top.every((m) => m.similarity < 1)).toBe(true);
    expect(questionSimilarity('visits in 2021', 'median visits in 2021', lexicon)).toBe(0);
  });
});
