// Records of another kind that point at one record named by its id (issue: "show all medications
// prescribed to patient <id>", "what conditions does patient <id> have", "total claim cost for
// patient <id>" asked "Which field of the patients record do you want?", and "list encounters for
// patient <id> in 2022" listed every patient's encounters, the id dropped). The question is read
// without the record's noun and id and kept to the rows whose key is that id; an attribute of the
// record itself is still a lookup. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { interpret, interpretQuery } from './index.ts';
import { clinicLexicon as lexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const id = '0f782ffd-6189-6baf-325f-4913f8255570';
const ofMember = { member: 'visits.member', operator: 'equals', values: [id] };

function query(q: string) {
  expect(interpret(q, lexicon, now).kind, q).toBe('none');
  const r = interpretQuery(q, lexicon, now);
  if (r.kind !== 'query') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

describe('records of one record named by its id', () => {
  it('lists or counts the records pointing at it, kept to its key', () => {
    const list = query(`which visits did member ${id} have in 2023?`);
    expect(list.query.filters).toContainEqual(ofMember);
    expect(list.query.dimensions).toContain('visits.id');
    expect(list.query.timeDimensions?.[0]?.dateRange).toEqual(['2023-01-01', '2023-12-31']);
    expect(list.interpretation).toContain(id);

    const count = query(`how many urgent visits did member ${id} have`);
    expect(count.query.measures).toEqual(['visits.count']);
    expect(count.query.filters).toContainEqual(ofMember);
    expect(count.query.filters).toContainEqual({
      member: 'visits.setting',
      operator: 'equals',
      values: ['urgent'],
    });
  });

  it('reads a figure of those records named in full', () => {
    const r = query(`average charge for member ${id}`);
    expect(r.query.measures).toEqual(['visits.avg_charge']);
    expect(r.query.filters).toContainEqual(ofMember);
  });

  it('keeps an attribute of the record itself a lookup', () => {
    const r = interpret(`what is the sex of member ${id}`, lexicon, now);
    expect(r.kind).toBe('form');
    if (r.kind === 'form') expect(r.form.kind).toBe('lookup');
  });
});
