// A distinct count of records qualified by a value of their own (issue 15): "number of unique female
// patients per organization" asked back, "female" and "patients" unplaced. Values of the records'
// own dimension said before their name keep the records counted to those values, on whatever rows
// the count goes through. Over the invented clinic model.
import { describe, expect, it } from 'vitest';
import { interpret } from './index.ts';
import { clinicLexicon } from './testing/clinic.ts';

const now = new Date('2024-06-01T12:00:00Z');
const form = (q: string) => {
  const r = interpret(q, clinicLexicon, now);
  if (r.kind !== 'form') throw new Error(`not a form: ${JSON.stringify(r)}`);
  return r.form;
};

describe('distinct records qualified by their own values', () => {
  it('counts the qualified records through the rows a breakdown needs', () => {
    const f = form('number of unique female members per site');
    expect(f).toMatchObject({
      kind: 'aggregate',
      cube: 'visits',
      distinct: 'visits.member',
      entity: 'members',
    });
    expect(f.filters).toContainEqual({ member: 'members.sex', op: 'in', values: ['F'] });
    expect(f.groupBy).toBeDefined();
  });

  it('counts them on their own rows without a breakdown', () => {
    const f = form('how many distinct male members');
    expect(f.filters).toContainEqual({ member: 'members.sex', op: 'in', values: ['M'] });
  });

  it('leaves the plain distinct count as it was', () => {
    expect(form('number of unique members per site').filters).toEqual([]);
  });
});
