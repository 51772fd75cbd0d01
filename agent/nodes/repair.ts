import type { AgentStateType, AgentUpdate } from '../state.ts';

/**
 * Repair a plan with the error fed back. Without a model, the repair we can make safely is to
 * drop the members the error names (a filter on a hidden member, an unknown dimension); a query
 * that loses its measure is given up rather than changed into a different question.
 */
export async function repair(state: AgentStateType): Promise<AgentUpdate> {
  const plan = state.currentPlan;
  const error = state.error ?? '';
  if (plan?.kind !== 'query') return { attempts: state.attempts + 1 };
  const q = structuredClone(plan.query);
  const bad = (m: string) => error.includes(m);
  if (q.measures?.some(bad)) return { attempts: 99 };
  q.dimensions = q.dimensions?.filter((d) => !bad(d));
  q.timeDimensions = q.timeDimensions?.filter((t) => !bad(t.dimension));
  q.filters = q.filters?.filter((f) => !bad(f.member));
  const changed = JSON.stringify(q) !== JSON.stringify(plan.query);
  return {
    currentPlan: { ...plan, query: q, notes: [...plan.notes, 'repaired'] },
    attempts: changed ? state.attempts + 1 : 99,
    error: null,
  };
}
