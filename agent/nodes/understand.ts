import type { AgentStateType, AgentUpdate } from '../state.ts';

/**
 * First step of a turn: reset what belongs to the previous turn and remember the last query,
 * so the interpreter can treat "and by gender?" as a follow-up.
 */
export async function understand(state: AgentStateType): Promise<AgentUpdate> {
  const previous = [...state.history].reverse().find((t) => t.semanticQuery);
  return {
    owner: state.owner ?? state.ctx?.userId ?? null,
    previousQuery: previous?.semanticQuery ?? null,
    currentPlan: null,
    attempts: 0,
    error: null,
    result: null,
    status: null,
    answerText: null,
    interpretation: null,
    chart: null,
    exchanges: [],
    modelFailure: null,
    modelPlan: null,
    verified: null,
  };
}
