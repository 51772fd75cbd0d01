import type { BaseCheckpointSaver, LangGraphRunnableConfig } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import type { ContextCache } from './context-cache.ts';
import { makeAnswer } from './nodes/answer.ts';
import { makeExecute } from './nodes/execute.ts';
import { makeGatherContext } from './nodes/gather-context.ts';
import { makePlan } from './nodes/plan.ts';
import { repair } from './nodes/repair.ts';
import { understand } from './nodes/understand.ts';
import { makeValidate } from './nodes/validate.ts';
import { afterExecute, afterPlan, afterValidate } from './routers.ts';
import { AgentState, type AgentStateType, type AgentUpdate } from './state.ts';
import type { AgentDeps } from './types.ts';

/**
 * understand → gather_context → plan → validate → execute → answer, with repair (at most
 * MAX_REPAIRS times) when validation or execution fails. Built in one chain; the checkpointer is
 * given at compile, so conversations persist wherever the caller keeps them.
 */
export function buildGraph(deps: AgentDeps, cache: ContextCache, checkpointer: BaseCheckpointSaver) {
  const now = deps.now ?? (() => new Date());
  return new StateGraph(AgentState)
    .addNode('understand', timed('understand', understand))
    .addNode('gather_context', timed('gather_context', makeGatherContext(cache)))
    .addNode('plan', timed('plan', makePlan(cache, now)))
    .addNode('validate', timed('validate', makeValidate(cache)))
    .addNode('execute', timed('execute', makeExecute(deps)))
    .addNode('repair', timed('repair', repair))
    .addNode('answer', timed('answer', makeAnswer(cache)))
    .addEdge(START, 'understand')
    .addEdge('understand', 'gather_context')
    .addEdge('gather_context', 'plan')
    .addConditionalEdges('plan', afterPlan, ['validate', 'answer'])
    .addConditionalEdges('validate', afterValidate, ['execute', 'repair', 'answer'])
    .addConditionalEdges('execute', afterExecute, ['repair', 'answer'])
    .addEdge('repair', 'validate')
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
