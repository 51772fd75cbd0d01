import type { ContextCache } from '../context-cache.ts';
import { planQuestion } from '../planner/index.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';

/** Plan with the offline planner: a semantic query, a clarification, or out of scope. */
export function makePlan(cache: ContextCache, now: () => Date) {
  return async function plan(state: AgentStateType): Promise<AgentUpdate> {
    if (!state.ctx) return { status: 'error', error: 'no caller context' };
    const { catalog, values } = await cache.get(state.ctx);
    return {
      currentPlan: planQuestion(state.question, catalog, values, state.previousQuery ?? undefined, now()),
    };
  };
}
