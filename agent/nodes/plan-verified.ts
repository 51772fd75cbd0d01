import type { ContextCache } from '../context-cache.ts';
import { matchVerified } from '../interpreter/verified.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';
import type { AgentDeps } from '../types.ts';

/**
 * Verified queries before anything else plans: a question that says what a verified question says
 * runs that query (a semantic query through the layer, SQL through the gate, under the caller's
 * policies like any plan) and the answer names it. Otherwise, and on a repair, `plan` decides.
 */
export function withVerified(
  cache: ContextCache,
  deps: AgentDeps,
  plan: (state: AgentStateType) => Promise<AgentUpdate>,
): (state: AgentStateType) => Promise<AgentUpdate> {
  return async (state) => {
    if (!state.ctx || !deps.verifiedQueries || state.attempts > 0 || state.error) return plan(state);
    const verified = await deps.verifiedQueries();
    if (!verified.length) return plan(state);
    const { lexicon } = await cache.get(state.ctx);
    const hit = matchVerified(state.question, verified, lexicon)?.verified;
    if (!hit) return plan(state);
    const source = { file: hit.file, question: hit.question, author: hit.author, date: hit.date };
    if (hit.query)
      return {
        currentPlan: { kind: 'query', query: hit.query, notes: [`verified query ${hit.file}`] },
        verified: source,
      };
    return {
      currentPlan: {
        kind: 'sql',
        sql: hit.sql as string,
        interpretation: `${hit.question.replace(/[?.!\s]+$/, '')} (verified)`,
      },
      verified: source,
    };
  };
}
