// A question about the asker's own organisation that names no figure ("how are we doing") is about
// this data, so it is asked back with the figures it could mean, not refused as off topic; a
// question about something else is still refused.
import { describe, expect, it } from 'vitest';
import type { GatheredContext } from '../context-cache.ts';
import { offlinePlan } from '../nodes/plan.ts';
import { clinicCubes, clinicLexicon } from './testing/clinic.ts';

const gathered: GatheredContext = {
  catalog: { cubes: clinicCubes, members: clinicLexicon.members },
  values: [],
  lexicon: clinicLexicon,
};
const plan = (q: string) => offlinePlan(q, gathered, undefined, new Date('2024-06-01T12:00:00Z'));

describe('vague questions about our own data', () => {
  it.each(['how are we doing', 'how is our performance?', 'how are we looking'])('asks back: %s', (q) => {
    const p = plan(q);
    expect(p.kind).toBe('clarify');
    if (p.kind === 'clarify') expect(p.options?.length ?? 0).toBeGreaterThan(0);
  });
  it.each([
    "what's the weather in Boston tomorrow?",
    'should we go to lunch',
    'write me a poem about nurses',
  ])('still refuses what is not about the data: %s', (q) => expect(plan(q).kind).toBe('out_of_scope'));
});

describe('a term spelled in capitals is named back', () => {
  it('asks about an acronym the model does not hold instead of refusing', () => {
    const p = plan("What's the PMPM?");
    expect(p.kind).toBe('clarify');
    if (p.kind === 'clarify') expect(p.message).toMatch(/pmpm/i);
  });
  it('still refuses the same word in lower case off topic', () => {
    expect(plan('what is the capital of France?').kind).toBe('out_of_scope');
  });
});

describe('a pronoun with nothing before it', () => {
  it('asks whom "them" means rather than answering for everyone', () => {
    const p = plan('how many of them had an urgent visit?');
    expect(p.kind).toBe('clarify');
    if (p.kind === 'clarify') expect(p.message).toMatch(/"them"/);
  });
});
