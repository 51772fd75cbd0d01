import { isAnalystError } from '../../core/index.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';
import type { AgentDeps } from '../types.ts';

/** Run the plan under the caller's policies: semantic queries through the layer, SQL through the gate. */
export function makeExecute(deps: AgentDeps) {
  return async function execute(state: AgentStateType): Promise<AgentUpdate> {
    const plan = state.currentPlan;
    if (!plan || !state.ctx) return {};
    try {
      if (plan.kind === 'query') {
        const r = await deps.runSemantic(plan.query, state.ctx);
        return {
          result: {
            columns: r.columns,
            rows: r.rows,
            truncated: r.truncated ?? false,
            sql: r.sql,
            relations: r.relations ?? [],
          },
          error: null,
        };
      }
      if (plan.kind === 'sql') {
        const r = await deps.runSql(plan.sql, state.ctx);
        return {
          result: {
            columns: r.columns,
            rows: r.rows,
            truncated: r.truncated ?? false,
            sql: r.sqlExecuted,
            relations: r.relations ?? [],
          },
          error: null,
        };
      }
      return {};
    } catch (err) {
      // A refusal is final: repairing around a policy would be the wrong lesson.
      if (isAnalystError(err) && err.exitCode === 3)
        return { status: 'refused', error: err.message, attempts: 99 };
      return { error: isAnalystError(err) ? `${err.code}: ${err.message}` : String(err) };
    }
  };
}
