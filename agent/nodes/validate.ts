import type { ContextCache } from '../context-cache.ts';
import { yearOnlyConflict } from '../interpreter/index.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';

/**
 * Every member a planned query names must be one the caller can see, and dates the caller sees as
 * years are asked for by year; anything else is an error to repair.
 */
export function makeValidate(cache: ContextCache) {
  return async function validate(state: AgentStateType): Promise<AgentUpdate> {
    const plan = state.currentPlan;
    if (plan?.kind !== 'query' || !state.ctx) return { error: null };
    const { lexicon } = await cache.get(state.ctx);
    const q = plan.query;
    const named = [
      ...(q.measures ?? []),
      ...(q.dimensions ?? []),
      ...(q.timeDimensions ?? []).map((t) => t.dimension),
      ...(q.filters ?? []).map((f) => f.member),
    ];
    const unknown = named.filter((m) => !lexicon.members.has(m));
    if (unknown.length) return { error: `Unknown or hidden member(s): ${unknown.join(', ')}` };
    if (!q.measures?.length && !q.dimensions?.length)
      return { error: 'The query names no measure or dimension.' };
    // A model's plan too: a date the caller sees as its year cannot be counted by month or day.
    const yearOnly = yearOnlyConflict(q, lexicon);
    if (yearOnly) return { error: yearOnly };
    return { error: null };
  };
}
