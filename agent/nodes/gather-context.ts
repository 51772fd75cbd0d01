import type { ContextCache } from '../context-cache.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';

/**
 * Load only what the caller may see: their visible members with synonyms, and dimension values
 * filtered by their row policy. Kept in the cache, not the state (it is derived, and large).
 */
export function makeGatherContext(cache: ContextCache) {
  return async function gatherContext(state: AgentStateType): Promise<AgentUpdate> {
    if (!state.ctx) return { status: 'error', error: 'no caller context' };
    await cache.get(state.ctx);
    return {};
  };
}
