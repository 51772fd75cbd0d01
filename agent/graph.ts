import type { BaseCheckpointSaver, LangGraphRunnableConfig } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import type { ContextCache } from './context-cache.ts';
import { makeAnswer } from './nodes/answer.ts';
import { makeExecute } from './nodes/execute.ts';
import { makeGatherContext } from './nodes/gather-context.ts';
import { makePlan } from './nodes/plan.ts';
import { withVerified } from './nodes/plan-verified.ts';
import { makeModelPlan } from './nodes/plan-with-model.ts';
import { repair } from './nodes/repair.ts';
import { understand } from './nodes/understand.ts';
import { makeValidate } from './nodes/validate.ts';
import type { CoveredChatModel } from './providers/index.ts';
import { afterExecute, afterPlan, afterRepair, afterValidate } from './routers.ts';
import { AgentState, type AgentStateType, type AgentUpdate } from './state.ts';
import type { AgentDeps, EndpointGuard } from './types.ts';

/**
 * understand → gather_context → plan → validate → execute → answer, with repair (at most
 * MAX_REPAIRS times) when validation or execution fails. Built in one chain; the checkpointer is
 * given at compile, so conversations persist wherever the caller keeps them.
 */
export function buildGraph(
  deps: AgentDeps,
  cache: ContextCache,
  checkpointer: BaseCheckpointSaver,
  model?: { chat: CoveredChatModel; fallback: boolean; guard?: EndpointGuard | undefined },
) {
  const now = deps.now ?? (() => new Date());
  const planNode = model
    ? makeModelPlan({ cache, model: model.chat, deps, now, fallback: model.fallback, guard: model.guard })
    : makePlan(cache, now);
  // With a model, a repair is another planning turn with the error fed back.
  const repairNode = model
    ? async (state: { attempts: number }) => ({ attempts: state.attempts + 1 })
    : repair;
  return new StateGraph(AgentState)
    .addNode('understand', timed('understand', understand))
    .addNode('gather_context', timed('gather_context', makeGatherContext(cache)))
    .addNode('plan', timed('plan', withVerified(cache, deps, planNode)))
    .addNode('validate', timed('validate', makeValidate(cache)))
    .addNode('execute', timed('execute', makeExecute(deps, cache)))
    .addNode('repair', timed('repair', repairNode))
    .addNode('answer', timed('answer', makeAnswer(cache, now)))
    .addEdge(START, 'understand')
    .addEdge('understand', 'gather_context')
    .addEdge('gather_context', 'plan')
    .addConditionalEdges('plan', afterPlan, ['validate', 'answer'])
    .addConditionalEdges('validate', afterValidate, ['execute', 'repair', 'answer'])
    .addConditionalEdges('execute', afterExecute, ['repair', 'answer'])
    .addConditionalEdges('repair', afterRepair(Boolean(model)), ['plan', 'validate'])
    .addEdge('answer', END)
    .compile({ checkpointer });
}

/** Where a run's node durations go: `configurable.stepTimings`, set per ask by the Analyst. */
export type StepTimings = Map<string, number>;

/**
 * A node that records how long its own work took (not the checkpoint writes around it), so the
 * caller can split a turn's time into planning, SQL and the rest.
 */
function timed(
  name: string,
  node: (state: AgentStateType) => Promise<AgentUpdate>,
): (state: AgentStateType, config: LangGraphRunnableConfig) => Promise<AgentUpdate> {
  return async (state, config) => {
    const t = performance.now();
    try {
      return await node(state);
    } finally {
      (config.configurable?.stepTimings as StepTimings | undefined)?.set(name, performance.now() - t);
    }
  };
}
