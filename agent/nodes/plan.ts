import type { FlatCubeQuery } from '../../semantic/index.ts';
import type { ContextCache, GatheredContext } from '../context-cache.ts';
import { interpret } from '../interpreter/index.ts';
import { planQuestion } from '../planner/index.ts';
import type { AgentStateType, AgentUpdate, PlanStep } from '../state.ts';

/**
 * Plan without a model: the interpreter reads statistics, shares, per-entity figures, thresholds
 * and record lookups into governed SQL (or asks back); plain aggregates, lists and rankings go to
 * the rule planner until the interpreter covers them.
 */
export function makePlan(cache: ContextCache, now: () => Date) {
  return async function plan(state: AgentStateType): Promise<AgentUpdate> {
    if (!state.ctx) return { status: 'error', error: 'no caller context' };
    return {
      currentPlan: offlinePlan(
        state.question,
        await cache.get(state.ctx),
        state.previousQuery ?? undefined,
        now(),
      ),
    };
  };
}

/** The offline plan for a question: the interpreter first, the rule planner for what it leaves. */
export function offlinePlan(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
): PlanStep {
  const read = interpret(question, gathered.lexicon, now);
  if (read.kind === 'form')
    return {
      kind: 'sql',
      sql: read.sql,
      interpretation: read.interpretation,
      percent: read.form.kind === 'share',
    };
  if (read.kind === 'refuse') return { kind: 'out_of_scope', message: read.message };
  if (read.kind === 'clarify') return { kind: 'clarify', message: read.message, options: read.options };
  return planQuestion(question, gathered.catalog, gathered.values, previous, now);
}
