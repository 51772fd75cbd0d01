import type { AgentStateType } from './state.ts';

/** Most repairs a turn gets before it answers with the error. */
export const MAX_REPAIRS = 2;

/** After planning: queries are validated; clarifications and out-of-scope go straight to the answer. */
export function afterPlan(state: AgentStateType): 'validate' | 'answer' {
  const kind = state.currentPlan?.kind;
  return kind === 'query' || kind === 'sql' ? 'validate' : 'answer';
}

/** After validating or executing: on an error, repair while tries remain; otherwise go on. */
export function afterValidate(state: AgentStateType): 'execute' | 'repair' | 'answer' {
  if (!state.error) return 'execute';
  return state.attempts < MAX_REPAIRS ? 'repair' : 'answer';
}

export function afterExecute(state: AgentStateType): 'repair' | 'answer' {
  if (state.status === 'refused') return 'answer';
  return state.error && state.attempts < MAX_REPAIRS ? 'repair' : 'answer';
}

/** After a repair: a model plans again with the error; the offline path re-validates its fix. */
export function afterRepair(withModel: boolean): () => 'plan' | 'validate' {
  return () => (withModel ? 'plan' : 'validate');
}
