import type { ContextCache } from '../context-cache.ts';
import { interpret } from '../interpreter/index.ts';
import { planQuestion } from '../planner/index.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';

/**
 * Plan without a model: the interpreter reads statistics, shares, per-entity figures, thresholds
 * and record lookups into governed SQL (or asks back); plain aggregates, lists and rankings go to
 * the rule planner until the interpreter covers them.
 */
export function makePlan(cache: ContextCache, now: () => Date) {
  return async function plan(state: AgentStateType): Promise<AgentUpdate> {
    if (!state.ctx) return { status: 'error', error: 'no caller context' };
    const { catalog, values, lexicon } = await cache.get(state.ctx);
    const read = interpret(state.question, lexicon, now());
    if (read.kind === 'form')
      return {
        currentPlan: {
          kind: 'sql',
          sql: read.sql,
          interpretation: read.interpretation,
          percent: read.form.kind === 'share',
        },
      };
    if (read.kind === 'refuse') return { currentPlan: { kind: 'out_of_scope', message: read.message } };
    if (read.kind === 'clarify')
      return { currentPlan: { kind: 'clarify', message: read.message, options: read.options } };
    return {
      currentPlan: planQuestion(state.question, catalog, values, state.previousQuery ?? undefined, now()),
    };
  };
}
