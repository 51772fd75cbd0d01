// Words worded by someone else, placed against the model: values said without their coded
// qualifiers or with a typo, member names split or glued, numbers as people write them, filler,
// names of reference data, and a person's name from the local (never sent) index. Over an
// invented clinic model, so the mechanisms are proven, not one wording.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, interpretQuery, type LexiconCube, retrieveValues } from './index.ts';
import { matchValues } from './lexicon.ts';
import { headValues } from './query-form.ts';
import { clinicCubes } from './testing/clinic.ts';
import { normalizeQuestion, tokenize } from './text.ts';

const now = new Date('2024-06-01T12:00:00Z');

const cubes: LexiconCube[] = [
  ...clinicCubes.map((c) =>
    c.name === 'members'
      ? {
          ...c,
          dimensions: [
            ...c.dimensions,
            {
              name: 'members.first_name',
              title: 'Given',
              type: 'string',
              meta: { phi: 'direct', synonyms: ['first name'] },
            },
            {
              name: 'members.last_name',
              title: 'Family',
              type: 'string',
              meta: { phi: 'direct', synonyms: ['surname', 'last name'] },
            },
            { name: 'members.county', title: 'County', type: 'string' },
          ],
        }
      : c.name === 'visits'
        ? {
            ...c,
            dimensions: [
              ...c.dimensions,
              { name: 'visits.visitreason', type: 'string' },
              { name: 'visits.site', title: 'Site', type: 'string' },
            ],
          }
        : c,
  ),
  {
    name: 'problems',
    title: 'Problems',
    measures: [{ name: 'problems.count', title: 'Problems Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'problems.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'problems.member', title: 'Member', type: 'string' },
      { name: 'problems.description', title: 'Description', type: 'string' },
    ],
  },
  {
    name: 'sites',
    title: 'Sites',
    measures: [{ name: 'sites.count', title: 'Sites Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'sites.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'sites.name', title: 'Name', type: 'string' },
      { name: 'sites.town', title: 'Town', type: 'string' },
    ],
  },
];

const FINDINGS = [
  'Cough (finding)',
  'Acute cough (disorder)',
  'Chronic cough (disorder)',
  'Acute wheeze  (disorder)',
  'Chronic wheeze',
  'Referral for wheeze (procedure)',
  'Tonsillitis (disorder)',
  'Tonsillitis',
  // Stored commas are double spaces: "tonic" only qualifies this one.
  'Breathing exercise  tonic',
];

const lexicon = buildLexicon(
  cubes,
  [
    { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
    { dimension: 'problems.description', values: FINDINGS },
    { dimension: 'visits.visitreason', values: ['Tonsillitis (disorder)', 'Checkup'] },
    { dimension: 'sites.town', values: ['NORTHFIELD', 'Southport'] },
    { dimension: 'sites.name', values: ['Northfield Family Practice'] },
  ],
  // The local index: PHI-tagged names the caller sees, for the offline interpreter only.
  [
    { dimension: 'members.first_name', values: ['Zed123', 'Charge'] },
    { dimension: 'members.last_name', values: ['Quill456'] },
  ],
);

function query(q: string) {
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r.query;
}

describe('numbers and filler', () => {
  it('writes numbers as digits, whatever way they were typed', () => {
    expect(normalizeQuestion('a charge over $10,000')).toBe('a charge over 10000');
    expect(normalizeQuestion('spend above 50k')).toBe('spend above 50000');
    expect(normalizeQuestion('spend over 1.5 million')).toBe('spend over 1500000');
    expect(normalizeQuestion('a charge of 12,500.50 or more')).toBe('a charge of 12500.50 or more');
    expect(normalizeQuestion('more than two visits')).toBe('more than 2 visits');
    expect(normalizeQuestion('at least one visit')).toBe('at least 1 visit');
    expect(normalizeQuestion('at least a dozen visits')).toBe('at least 12 visits');
    expect(normalizeQuestion('twenty-five visits in 2021-03-01')).toBe('25 visits in 2021-03-01');
  });

  it('reads filler as nothing and keeps the words that carry meaning', () => {
    expect(normalizeQuestion("please, how many visits we've got on file, i.e. in our system?")).toBe(
      ', how many visits , ?',
    );
    // "justice" is not "just"; "based" goes, "basement" stays.
    expect(normalizeQuestion('just justice based basement')).toBe('justice basement');
    expect(normalizeQuestion('using the visits table, how many urgent ones')).toBe(
      'visits , how many urgent ones',
    );
  });

  it('answers a question wrapped in filler and asks back for a real unknown word', () => {
    expect(query('please just give me the number of urgent visits on file').measures).toEqual([
      'visits.count',
    ]);
    expect(query('using the visits table, how many urgent ones in our system?').filters).toEqual([
      { member: 'visits.setting', operator: 'equals', values: ['urgent'] },
    ]);
    const r = interpretQuery('how many zorblat visits on file', lexicon, now);
    expect(r.kind).toBe('clarify');
    expect(r.kind === 'clarify' && r.unplaced).toEqual(['zorblat']);
  });

  it('uses money and written numbers as thresholds, never as unplaced words', () => {
    const r = interpret('how many visits had a charge over $1,500?', lexicon, now);
    expect(r.kind).toBe('form');
    expect(r.kind === 'form' && r.form.filters).toEqual([{ member: 'visits.charge', op: 'gt', value: 1500 }]);
    const t = interpret('how many members had more than two refills', lexicon, now);
    expect(t.kind === 'form' && t.form).toMatchObject({ kind: 'threshold', op: 'gt', n: 2 });
  });
});

describe('value phrases', () => {
  it('names a coded value without its qualifier, and only that value when it is said exactly', () => {
    expect(query('how many problems of acute cough').filters).toEqual([
      { member: 'problems.description', operator: 'equals', values: ['Acute cough (disorder)'] },
    ]);
    // "cough" is exactly "Cough (finding)": not every value holding the word.
    expect(query('how many cough problems').filters).toEqual([
      { member: 'problems.description', operator: 'equals', values: ['Cough (finding)'] },
    ]);
  });

  it('takes every value a word heads, not values where it is only mentioned', () => {
    expect(
      headValues(
        FINDINGS.filter((v) => /wheeze/i.test(v)),
        ['wheeze'],
      ),
    ).toEqual(['Acute wheeze  (disorder)', 'Chronic wheeze']);
    expect(new Set(query('how many wheeze problems').filters?.[0]?.values)).toEqual(
      new Set(['Acute wheeze  (disorder)', 'Chronic wheeze']),
    );
    // A word found only in a qualifier names nothing: asked back, not a filter on that value.
    const r = interpretQuery('how many tonic problems', lexicon, now);
    expect(r.kind === 'clarify' && r.unplaced).toEqual(['tonic']);
  });

  it('reads a word the model uses as that word, not as a typo of another ("counties" is not "count")', () => {
    const q = query('top 3 counties by members');
    expect(q.dimensions).toEqual(['members.county']);
    expect(q.measures).toEqual(['members.count']);
    expect(q.limit).toBe(3);
  });

  it('places a typo of a stored value below the exact spelling', () => {
    expect(query('how many problems of tonsilitis').filters).toEqual([
      {
        member: 'problems.description',
        operator: 'equals',
        values: ['Tonsillitis (disorder)', 'Tonsillitis'],
      },
    ]);
  });

  it('takes both spellings of one value, but only the one typed out with its qualifier', () => {
    expect(query('how many problems of tonsillitis').filters?.[0]?.values).toEqual([
      'Tonsillitis (disorder)',
      'Tonsillitis',
    ]);
    expect(query('how many problems of Tonsillitis (disorder)').filters?.[0]?.values).toEqual([
      'Tonsillitis (disorder)',
    ]);
  });

  it('reads a whole stored name before a shorter value inside it', () => {
    expect(query('how many visits at Northfield Family Practice').filters).toEqual([
      { member: 'sites.name', operator: 'equals', values: ['Northfield Family Practice'] },
    ]);
    const t = tokenize('visits at Northfield Family Practice');
    const all = new Set(t.map((x) => x.index));
    expect(matchValues(t, all, lexicon, (v) => v.member === 'sites.town')).toEqual([]);
  });

  it('reads reference data values (a site’s town) whatever their case', () => {
    expect(query('how many sites are located in Northfield').filters).toEqual([
      { member: 'sites.town', operator: 'equals', values: ['NORTHFIELD'] },
    ]);
  });
});

describe('member names and names of things', () => {
  it('joins words the model glues ("visit reason" for visitreason)', () => {
    expect(query('visits by visit reason').dimensions).toEqual(['visits.visitreason']);
  });

  it('lists the names of reference data instead of refusing them as identifiers', () => {
    expect(query('list the names of the sites').dimensions).toEqual(['sites.name']);
    const masked = buildLexicon(
      cubes.map((c) =>
        c.name === 'sites'
          ? {
              ...c,
              dimensions: c.dimensions.map((d) =>
                d.name === 'sites.name' ? { ...d, meta: { masked: true } } : d,
              ),
            }
          : c,
      ),
      [],
    );
    expect(interpretQuery('list the names of the sites', masked, now).kind).toBe('refuse');
  });

  it('reads "names" and "who" as a person’s first and last name, refused only when masked', () => {
    // Each with their key: two people may share a name.
    expect(query('list member names').dimensions).toEqual([
      'members.id',
      'members.first_name',
      'members.last_name',
    ]);
    expect(query('who are the female members').dimensions).toEqual([
      'members.id',
      'members.first_name',
      'members.last_name',
    ]);
    const masked = buildLexicon(
      cubes.map((c) =>
        c.name === 'members'
          ? {
              ...c,
              dimensions: c.dimensions.map((d) =>
                d.name.endsWith('_name') ? { ...d, meta: { ...d.meta, masked: true } } : d,
              ),
            }
          : c,
      ),
      [],
    );
    expect(interpretQuery('list member names', masked, now).kind).toBe('refuse');
    // "who" without visible names still lists the records, by their key.
    const who = interpretQuery('who are the female members', masked, now);
    expect(who.kind === 'query' && who.query.dimensions).toEqual(['members.id']);
  });

  it('recognises a person named in the question from the local index, and never retrieves it', () => {
    expect(query('how many visits did Zed123 Quill456 have').filters).toEqual([
      { member: 'members.first_name', operator: 'equals', values: ['Zed123'] },
      { member: 'members.last_name', operator: 'equals', values: ['Quill456'] },
    ]);
    // What a model endpoint would be sent: the setting, not the person.
    expect(retrieveValues('urgent visits of Zed123 Quill456', lexicon)).toEqual([
      { dimension: 'visits.setting', value: 'urgent' },
    ]);
    // A name that is a word of the model ("charge") is not read as a person.
    expect(query('total charge of visits').filters).toBeUndefined();
  });
});
